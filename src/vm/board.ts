/**
 * Seed 001 boards (highbank, malta, aspeed, boston, magnum) as machines of
 * src/vm: `boot(build, 'highbank')` and friends delegate to the boards
 * helper's bootBoard (src/devices/boards), which owns the behaviour across
 * RAM_MIGRATABLE (3.0); this file only dresses a BoardVm as a VmCore so the
 * target, the CLI and the matrix drive it like any machine.
 *
 * The fix the thread asks for (the board calls vmstate_register_ram() for
 * its blocks) is a machine property, in -machine syntax:
 * `--machine highbank,x-register-ram=on`. It is a simulator-only property
 * (real QEMU has no such switch: a board either was fixed or was not); the
 * x- prefix marks it experimental as QEMU does.
 *
 * Guest-visible state: every RAM block of the board, in idstr order. A block
 * that this side does not migrate (unregistered, build with RAM_MIGRATABLE)
 * shows as `notMigrated: true` without page digests: its contents are not
 * part of what migration carries (the boards are the same image on both
 * sides, as for a ROM), so 3.0 -> 3.0 compares equal, while a 3.0 source
 * feeding a 2.12 destination (which migrates the block and expected it to
 * arrive) differs on exactly that block: the lost block of seed 001.
 */
import { getBuild, UnknownBuildError, type StreamLayout } from '../builds/index.js';
import { bootBoard, SEED_001_BOARDS, mainRamIdstr, type BoardVm } from '../devices/boards/index.js';
import { BootError } from './boot-error.js';
import { parseRamWords, type BootOptions } from './options.js';
import { snapshotBlockOf, type VmSnapshot } from './snapshot.js';
import type { LoadVmResult, VmLoadOptions } from './load.js';
import type { MachinePlan } from './build-adapter.js';
import type { VmCore } from './vm-core.js';
import type { CheckLog } from '../wire/index.js';

/** The -machine property that models the seed 001 fix. */
export const REGISTER_RAM_PROPERTY = 'x-register-ram';

export interface BoardMachine {
  board: string;
  registered: boolean;
}

/**
 * `highbank` or `highbank,x-register-ram=on` -> the board and the property;
 * undefined when `machine` is not a seed 001 board name.
 */
export function parseBoardMachine(machine: string): BoardMachine | undefined {
  const [name = '', ...props] = machine.split(',');
  if (!SEED_001_BOARDS.includes(name)) return undefined;
  let registered = false;
  for (const p of props) {
    const [key, value] = p.split('=');
    if (key !== REGISTER_RAM_PROPERTY) throw new BootError('bad-option', `machine '${name}' has no property '${key ?? p}' (only ${REGISTER_RAM_PROPERTY}=on|off)`);
    if (value !== 'on' && value !== 'off') throw new BootError('bad-option', `${REGISTER_RAM_PROPERTY} takes on or off, got '${value ?? ''}'`);
    registered = value === 'on';
  }
  return { board: name, registered };
}

/** Seed 001 boards of a build's catalog (an empty list for an unknown build). */
export function boardsOf(build: string): string[] {
  try {
    return [...new Set(getBuild(build).boards.map((b) => b.board))];
  } catch (e) {
    if (e instanceof UnknownBuildError) return [];
    throw e;
  }
}

/** What a board VM adds to VmCore: the boards helper's machine. */
export interface BoardCore extends VmCore {
  board: BoardVm;
}

export function isBoardCore(core: VmCore): core is BoardCore {
  return 'board' in core;
}

/** Instantiates a board (incoming: firmware only) or boots it (firmware and the seeded workload). */
export function instantiateBoard(build: string, m: BoardMachine, opts: BootOptions, incoming: boolean): BoardCore {
  let view;
  try {
    view = getBuild(build);
  } catch (e) {
    if (e instanceof UnknownBuildError) throw new BootError('unknown-build', e.message);
    throw e;
  }
  if (!view.boards.some((b) => b.board === m.board)) throw new BootError('unknown-machine', `build ${build} has no machine type '${m.board}'`);
  if ((opts.devices ?? []).length > 0) throw new BootError('device-refused', `machine '${m.board}' is modelled without devices (seed 001 RAM only)`);
  const ramBytes = parseRamWords(opts.ram);
  const seed = opts.seed ?? 1;
  const board = bootBoard(build, m.board, { ram: `${ramBytes / 1024}K`, seed, incoming, registered: m.registered });
  const stream: StreamLayout = {
    configurationSection: view.stream['configuration-section'].enabled,
    sectionFooters: view.stream['section-footer'].enabled,
    globalState: 'never',
    vmdesc: view.stream.vmdesc.enabled,
  };
  const plan: MachinePlan = {
    build,
    machine: m.board,
    reference: m.board,
    stream,
    mainRam: mainRamIdstr(m.board),
    sections: [],
    ramBlocks: board.ram.blocks.map((b) => ({ idstr: b.idstr, usedLength: b.usedLength, maxLength: b.maxLength, resizeable: b.resizeable, migratable: b.migratable })),
    devices: [],
  };
  return {
    build,
    machine: m.board,
    seed,
    plan,
    ram: board.ram,
    sections: [],
    firmware: { ran: true, allocations: {}, bars: {}, vmgenidAddr: 0, notes: [`${m.board}: seed 001 board (RAM blocks only, no device sections)`] },
    workloadRounds: incoming ? 0 : 1,
    runState: incoming ? 'prelaunch' : 'running',
    board,
  };
}

/** Loads through the board's own loader (transactional); maps its verdict to LoadVmResult. */
export function loadBoard(core: BoardCore, bytes: Uint8Array, log?: CheckLog, opts: VmLoadOptions = {}): LoadVmResult {
  const v = core.board.load(bytes, { ...opts, ...(log ? { log } : {}) });
  if (!v.accepted) return { accepted: false, error: v.error, warnings: v.warnings };
  core.runState = 'running';
  return { accepted: true, warnings: v.warnings, pagesLoaded: v.pagesLoaded, sectionsLoaded: v.sectionsLoaded };
}

/** Every block, by idstr; a block this side does not migrate without its pages (see the file comment). */
export function snapshotBoard(core: BoardCore): VmSnapshot {
  const blocks = [...core.ram.blocks].sort((x, y) => (x.idstr < y.idstr ? -1 : x.idstr > y.idstr ? 1 : 0));
  return {
    machine: core.machine,
    ram: blocks.map((b) => (b.migratable ? snapshotBlockOf(b) : { idstr: b.idstr, usedLength: b.usedLength, pages: {}, notMigrated: true })),
    devices: {},
  };
}
