/**
 * A simulated build as a Target: in-process, deterministic, milliseconds.
 * `save` boots the machine (firmware and a seeded workload) and migrates it
 * out; `load` boots a fresh incoming destination and loads the stream.
 * Verdicts: a LoadError is `refused` with its check code and QEMU-worded
 * message; a machine the build cannot create (unknown machine type or
 * device) is a `harness-error`, as QEMU failing to start is; a migration
 * blocker on save is `refused` with QEMU's blocker text.
 *
 * Machines include the seed 001 boards (`highbank`, `malta`, ...; the fixed
 * board is `highbank,x-register-ram=on`) and devices the simulated seed 002
 * `vnic` (see src/vm/board.ts and src/vm/vnic-device.ts): both go through
 * boot/loadInto like any machine, so nothing here is special-cased.
 */
import { boot, isBootError, loadInto, MigrationBlockedError, type VmSnapshot } from '../../src/vm.js';
import { LoadError } from '../../src/wire/index.js';
import type { LoadOptions, LoadOutcome, MachineSpec, SaveOptions, SaveOutcome, Target, Verdict } from './target.js';

export interface SimTargetOptions {
  /** Workload seed for `save` (default 1). */
  seed?: number;
}

/** A load outcome plus the destination's guest-visible state when accepted. */
export interface SimLoadOutcome extends LoadOutcome {
  snapshot?: VmSnapshot;
}

export class SimTarget implements Target {
  readonly id: string;
  constructor(
    readonly build: string,
    private readonly opts: SimTargetOptions = {},
  ) {
    this.id = `sim:${build}`;
  }

  async save(spec: MachineSpec, _opts?: SaveOptions): Promise<SaveOutcome> {
    return this.saveSync(spec);
  }

  async load(spec: MachineSpec, stream: Uint8Array, _opts?: LoadOptions): Promise<SimLoadOutcome> {
    return this.loadSync(spec, stream);
  }

  /** The same as save(), without a promise (the matrix runs thousands of these). */
  saveSync(spec: MachineSpec, seed = this.opts.seed ?? 1): SaveOutcome & { snapshot?: VmSnapshot } {
    const t0 = performance.now();
    try {
      const vm = boot(this.build, spec.machine, bootOptions(spec, seed));
      const stream = vm.save();
      return { ok: true, stream, durationMs: performance.now() - t0, log: vm.firmware.notes.slice(), snapshot: vm.snapshot() };
    } catch (e) {
      return { ok: false, verdict: verdictOf(e), durationMs: performance.now() - t0, log: [] };
    }
  }

  loadSync(spec: MachineSpec, stream: Uint8Array): SimLoadOutcome {
    const t0 = performance.now();
    try {
      const r = loadInto(this.build, spec.machine, bootOptions(spec, this.opts.seed ?? 1), stream);
      const durationMs = performance.now() - t0;
      if (!r.accepted) return { verdict: verdictOf(r.error), durationMs, log: r.warnings };
      return { verdict: { kind: 'accepted' }, durationMs, log: r.warnings, snapshot: r.vm.snapshot() };
    } catch (e) {
      return { verdict: verdictOf(e), durationMs: performance.now() - t0, log: [] };
    }
  }
}

function bootOptions(spec: MachineSpec, seed: number): { devices: readonly string[]; ram: string; seed: number; smp?: string } {
  return { devices: spec.devices ?? [], ram: spec.ram ?? '32M', seed, ...(spec.smp ? { smp: spec.smp } : {}) };
}

/** Everything that is not a clean refusal is a harness error or a crash, never silence. */
export function verdictOf(e: unknown): Exclude<Verdict, { kind: 'accepted' }> {
  if (e instanceof LoadError) return { kind: 'refused', code: e.code, message: e.message };
  if (e instanceof MigrationBlockedError) return { kind: 'refused', code: 'migration.blocked', message: e.message };
  if (isBootError(e)) return { kind: 'harness-error', message: `${e.code}: ${e.message}` };
  // A RangeError or TypeError out of the loader is a bug in the emulator: a crash, as QEMU aborting would be.
  return { kind: 'crash', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}
