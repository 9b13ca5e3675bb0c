/**
 * A minimal simulated machine for the seed 001 boards: their RAM blocks and
 * nothing else (no device sections), saved and loaded with src/migration's
 * buildStream/loadStream directly, so the behaviour across RAM_MIGRATABLE
 * (QEMU 3.0) is the loader's own:
 *
 * - a source with the flag sends only migratable blocks (RAMBLOCK_FOREACH_
 *   MIGRATABLE), so the unregistered block is skipped;
 * - a destination with the flag refuses an incoming block that is not
 *   migratable for it ("block %s should not be migrated !": migration/ram.c
 *   checks qemu_ram_is_migratable both where the MEM_SIZE list names a block
 *   (parse_ramblock in later versions) and in ram_block_from_stream) and one
 *   it does not have ("Unknown ramblock \"%s\", cannot accept migration");
 * - an old (pre-flag) source sends every block, so a 3.0 destination of a
 *   board that never registered its block refuses the stream;
 * - a new source feeding an old destination is accepted (ram_load only
 *   walks the blocks the MEM_SIZE list names; nothing checks that every
 *   local block was sent), and the destination keeps its own contents of
 *   the unregistered block: the guest-visible state differs.
 */
import { getBuild } from '../../builds/index.js';
import { createRamList, writePage, TARGET_PAGE_SIZE, type RamBlock, type RamList } from '../../memory/index.js';
import {
  buildStream,
  encodeStream,
  loadStream,
  passAllPages,
  passFromDirtyLog,
  ramDestinationSection,
  type Destination,
  type LoadStreamOptions,
  type LoadVerdict,
} from '../../migration/index.js';
import { parseRamSize } from '../platform/index.js';
import { boardRamBlocks, mainRamIdstr, unregisteredBlocksOf } from './board-ram.js';
import { blockSnapshot, type BlockSnapshot } from './block-snapshot.js';

export interface BootBoardOptions {
  /** -m syntax (bare number: MiB). Default 1M: these boards need no more to show the behaviour. */
  ram?: string;
  /** Seed of the guest workload. */
  seed?: number;
  /** Started with -incoming: firmware only, no guest workload. */
  incoming?: boolean;
  /** The board calls vmstate_register_ram() for its blocks (the fix the thread asks for). */
  registered?: boolean;
}

export interface BoardSnapshot {
  board: string;
  build: string;
  blocks: Record<string, BlockSnapshot>;
}

export interface BoardVm {
  build: string;
  board: string;
  ram: RamList;
  /** The stream a migration of this guest writes now (a full pass, then the dirty pages). */
  save(): Uint8Array;
  /** Loads a stream into this VM; transactional (a refusal changes nothing). Options as loadStream's (CheckLog, disabled checks). */
  load(bytes: Uint8Array, opts?: LoadStreamOptions): LoadVerdict;
  /** Guest-visible state: every block's used length and page digests. */
  snapshot(): BoardSnapshot;
}

export function bootBoard(build: string, board: string, opts: BootBoardOptions = {}): BoardVm {
  const view = getBuild(build);
  if (!view.boards.some((b) => b.board === board)) throw new RangeError(`board '${board}' is not in QEMU ${build}'s catalog`);
  const ramBytes = alignToPage(parseRamSize(opts.ram ?? '1M'));
  const ram = createRamList(
    boardRamBlocks(board, { ramBytes, migratableFlag: view.ram['migratable-flag'], registered: opts.registered ?? false }),
  );
  loadFirmware(board, ram);
  if (!opts.incoming) runWorkload(board, ram, opts.seed ?? 1);
  const stream = {
    configuration: view.stream['configuration-section'].enabled,
    footers: view.stream['section-footer'].enabled,
    vmdesc: view.stream.vmdesc.enabled,
  };
  const destination: Destination = {
    machine: board,
    sendConfiguration: stream.configuration,
    sendSectionFooter: stream.footers,
    expectVmdesc: stream.vmdesc,
    sections: [ramDestinationSection()],
    ram,
  };
  return {
    build,
    board,
    ram,
    save() {
      const first = passAllPages(ram);
      const second = passFromDirtyLog(ram);
      const model = buildStream({
        ...(stream.configuration ? { configuration: board } : {}),
        footers: stream.footers,
        vmdesc: stream.vmdesc,
        ram: { sectionId: 0, list: ram, passes: [first, second] },
        devices: [],
      });
      return encodeStream(model);
    },
    load: (bytes, opts) => loadStream(bytes, destination, opts),
    snapshot: () => ({
      board,
      build,
      blocks: Object.fromEntries(ram.blocks.map((b) => [b.idstr, blockSnapshot(b)])),
    }),
  };
}

function alignToPage(n: number): number {
  return Math.max(TARGET_PAGE_SIZE, Math.ceil(n / TARGET_PAGE_SIZE) * TARGET_PAGE_SIZE);
}

/**
 * The same firmware image on both sides (a function of the board only):
 * what rom_add_blob / the BIOS copy put in the unregistered blocks at boot.
 */
function loadFirmware(board: string, ram: RamList): void {
  for (const e of unregisteredBlocksOf(board)) {
    const block = ram.blocks.find((b) => b.idstr === e.ramBlock);
    if (block) writePage(block, 0, patternPage(`${board}/${e.ramBlock}/firmware`, 0), false);
  }
}

/**
 * A seeded guest workload: dirties a few main RAM pages and the first page
 * of each unregistered block (guest writes to highbank.sysram or the
 * bios.1fc copy; for a ROM it stands for a source that loaded another image).
 */
function runWorkload(board: string, ram: RamList, seed: number): void {
  const main = ram.blocks.find((b) => b.idstr === mainRamIdstr(board));
  if (main) {
    const pages = main.usedLength / TARGET_PAGE_SIZE;
    for (let i = 0; i < 4; i++) writePage(main, (seed * 7 + i * 13) % pages, patternPage(`guest/${seed}`, i));
  }
  for (const e of unregisteredBlocksOf(board)) {
    const block: RamBlock | undefined = ram.blocks.find((b) => b.idstr === e.ramBlock);
    if (block) writePage(block, 0, patternPage(`guest/${seed}/${e.ramBlock}`, 0));
  }
}

/** A deterministic non-zero page from a label (FNV-1a seeded xorshift). */
function patternPage(label: string, n: number): Uint8Array {
  let x = 0x811c9dc5 ^ n;
  for (let i = 0; i < label.length; i++) x = Math.imul(x ^ label.charCodeAt(i), 0x01000193) >>> 0;
  const page = new Uint8Array(TARGET_PAGE_SIZE);
  for (let i = 0; i < page.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    page[i] = (x >>> 0) & 0xff || 1;
  }
  return page;
}
