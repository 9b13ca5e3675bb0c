/**
 * A simulated machine of a simulated QEMU build: boot it (instantiate,
 * deterministic firmware, a seeded workload), take a canonical snapshot of
 * what the guest can see, save it to a real migration stream, or load a
 * stream into a fresh one of another build.
 *
 *   const src = boot('7.2', 'pc-q35-7.2', { devices: ['e1000'], seed: 7 });
 *   const bytes = src.save();
 *   const { accepted, vm } = loadInto('8.0', 'pc-q35-7.2', { devices: ['e1000'] }, bytes);
 *
 * The seed 001 boards (highbank, malta, aspeed, boston, magnum; with
 * `,x-register-ram=on` for the fixed board) are machines too: see src/vm/board.ts.
 *
 * The parts live in src/vm/ (one concept a file); this is the surface.
 */
import type { CheckLog, LoadError } from './wire/index.js';
import { instantiate } from './vm/instantiate.js';
import { runFirmware } from './vm/firmware.js';
import { runWorkload } from './vm/workload.js';
import { snapshotVm, type VmSnapshot } from './vm/snapshot.js';
import { saveVm, type SaveVmOptions } from './vm/save.js';
import { loadVm, type LoadVmResult, type VmLoadOptions } from './vm/load.js';
import type { BootOptions } from './vm/options.js';
import type { VmCore } from './vm/vm-core.js';
import { exerciseVnicSection, isVnicSection } from './vm/vnic-device.js';
import { instantiateBoard, isBoardCore, loadBoard, parseBoardMachine, snapshotBoard } from './vm/board.js';

export { BootError, isBootError } from './vm/boot-error.js';
export type { BootErrorCode } from './vm/boot-error.js';
export { MigrationBlockedError } from './vm/save.js';
export type { SaveVmOptions } from './vm/save.js';
export type { LoadVmResult, VmLoadOptions } from './vm/load.js';
export type { BootOptions } from './vm/options.js';
export type { VmSnapshot, RamBlockSnapshot } from './vm/snapshot.js';
export { snapshotText, snapshotDifferences, canonicalState } from './vm/snapshot.js';
export { guestStateEqual } from './vm/compare.js';
export type { VmCore, VmSection, FirmwareInfo } from './vm/vm-core.js';
export type { MachinePlan, SectionPlan, RamBlockPlan, DevicePlan } from './vm/build-adapter.js';
export { planFor } from './vm/instantiate.js';
export { modelledDevices, REFERENCE_BUILD } from './vm/build-adapter.js';
export { destinationOf } from './vm/load.js';
export { incomingResetPoint, type ResetIncoming } from './vm/incoming-reset.js';
export { boardsOf, parseBoardMachine, isBoardCore, REGISTER_RAM_PROPERTY } from './vm/board.js';
export type { BoardMachine, BoardCore } from './vm/board.js';
export { defaultVnicImpl, VNIC_SINCE } from './vm/vnic-device.js';

export interface Vm extends VmCore {
  /** Canonical guest-visible state (see src/vm/snapshot.ts). */
  snapshot(): VmSnapshot;
  /** More guest activity: `rounds` workload rounds. */
  runWorkload(rounds?: number): void;
  /** Migrate out: the stream bytes (the machine keeps running the workload between RAM passes). */
  save(opts?: SaveVmOptions): Uint8Array;
  /** Load a stream into this machine (meant for a fresh one: see loadInto); `opts`: the fuzzer's weakened variants and step budget. */
  load(bytes: Uint8Array, log?: CheckLog, opts?: VmLoadOptions): LoadVmResult;
}

/** Boot options plus how much guest activity to run before returning. */
export interface BootVmOptions extends BootOptions {
  /** Workload rounds after firmware (default 1). */
  rounds?: number;
}

// The methods go on with Object.assign, not one store each: V8 keeps a
// function stored into a new property reachable from its old-generation
// bookkeeping, so each machine (its RAM pages, sections, the stream its
// pages view) outlived every young-generation GC until a full one (measured:
// ~45 KB a migration promoted for nothing, 3 machines' worth of stores).
function asVm(core: VmCore): Vm {
  if (isBoardCore(core)) {
    // Seed 001 boards: their own RAM-only machine (src/vm/board.ts); the workload ran at boot.
    return Object.assign(core, {
      snapshot: () => snapshotBoard(core),
      runWorkload: () => undefined,
      save: () => core.board.save(),
      load: (bytes: Uint8Array, log?: CheckLog, opts?: VmLoadOptions) => loadBoard(core, bytes, log, opts),
    });
  }
  const vm: Vm = Object.assign(core, {
    snapshot: () => snapshotVm(vm),
    runWorkload: (rounds = 1) => runWorkload(vm, rounds),
    save: (opts?: SaveVmOptions) => saveVm(vm, opts),
    load: (bytes: Uint8Array, log?: CheckLog, opts?: VmLoadOptions) => loadVm(vm, bytes, log, opts),
  });
  return vm;
}

/**
 * Boot a machine of `build`: instantiate, run firmware, run the workload.
 * Throws BootError for an unknown build, machine type or device, or a
 * device the machine refuses (QEMU would not start).
 */
export function boot(build: string, machine: string, opts: BootVmOptions = {}): Vm {
  const board = parseBoardMachine(machine);
  if (board) return asVm(instantiateBoard(build, board, opts, false));
  const vm = asVm(instantiate(build, machine, opts));
  runFirmware(vm);
  runWorkload(vm, opts.rounds ?? 1);
  for (const s of vm.sections) if (isVnicSection(s)) exerciseVnicSection(s, vm.seed);
  return vm;
}

/** A fresh incoming destination (-incoming): instantiated, no firmware, no workload. */
export function incoming(build: string, machine: string, opts: BootOptions = {}): Vm {
  const board = parseBoardMachine(machine);
  if (board) return asVm(instantiateBoard(build, board, opts, true));
  return asVm(instantiate(build, machine, opts));
}

export interface LoadIntoResult {
  accepted: boolean;
  error?: LoadError;
  warnings: string[];
  /** The destination; on refusal it is unchanged (as fresh as it started). */
  vm: Vm;
}

/** Boot a fresh destination of (build, machine, devices) and load `bytes` into it. */
export function loadInto(build: string, machine: string, opts: BootOptions, bytes: Uint8Array, log?: CheckLog): LoadIntoResult {
  const vm = incoming(build, machine, opts);
  const r = vm.load(bytes, log);
  return { accepted: r.accepted, ...(r.error ? { error: r.error } : {}), warnings: r.warnings, vm };
}
