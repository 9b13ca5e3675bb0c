/**
 * The engine over the Target interface: the source target saves, the
 * destination target loads. Simulated builds come from the simulated
 * target (harness/targets/sim-target.ts, loaded on first use), real
 * binaries from QemuTarget.
 *
 * A round trip through plain Targets re-saves from a fresh boot on the
 * middle build (a Target does not hand back the loaded machine), so it
 * checks that each direction is accepted; the simulated engine with
 * snapshots (sim-engine.ts) carries the migrated state through instead.
 */
import { QemuTarget } from '../targets/qemu-target.js';
import type { MachineSpec, Target } from '../targets/target.js';
import { loadSimulatedApi } from './sim-engine.js';
import type { BuildRef, CellOutcome, Leg, MigrationEngine, PlannedCell } from './types.js';

export type TargetFor = (build: BuildRef) => Promise<Target>;

export function specOf(cell: PlannedCell): MachineSpec {
  return { machine: cell.machine, devices: cell.devices, ram: cell.ram, ...(cell.smp ? { smp: cell.smp } : {}) };
}

async function leg(targetFor: TargetFor, builds: ReadonlyMap<string, BuildRef>, cell: PlannedCell, l: Leg): Promise<CellOutcome> {
  const from = builds.get(l.from);
  const to = builds.get(l.to);
  if (from === undefined || to === undefined) return harnessError(`unknown build in leg ${l.from} -> ${l.to}`, l);
  const spec = specOf(cell);
  const saved = await (await targetFor(from)).save(spec);
  if (!saved.ok) {
    return { verdict: saved.verdict, leg: l, blocked: saved.verdict.kind === 'refused', streamBytes: 0, saveMs: saved.durationMs, loadMs: 0, log: saved.log };
  }
  const loaded = await (await targetFor(to)).load(spec, saved.stream);
  return { verdict: loaded.verdict, leg: l, streamBytes: saved.stream.length, saveMs: saved.durationMs, loadMs: loaded.durationMs, log: loaded.log };
}

function harnessError(message: string, l: Leg): CellOutcome {
  return { verdict: { kind: 'harness-error', message }, leg: l, streamBytes: 0, saveMs: 0, loadMs: 0 };
}

export function engineFromTargets(targetFor: TargetFor): MigrationEngine {
  return {
    async migrate(cell, builds) {
      const first = await leg(targetFor, builds, cell, { from: cell.from, to: cell.to });
      if (cell.direction !== 'round-trip' || first.verdict.kind !== 'accepted') return first;
      const back = await leg(targetFor, builds, cell, { from: cell.to, to: cell.from });
      return { ...back, saveMs: first.saveMs + back.saveMs, loadMs: first.loadMs + back.loadMs };
    },
  };
}

/**
 * Simulated builds through src/vm (with state snapshots), real binaries
 * through QemuTarget, mixed cells through their streams.
 */
export async function targetEngine(qemu: Record<string, string>): Promise<MigrationEngine> {
  const qemuTargets = new Map<string, Target>();
  const sim = await loadSimulatedApi();
  const targetFor: TargetFor = async (build) => {
    if (build.kind === 'qemu') {
      const path = build.path ?? qemu[build.name];
      if (path === undefined) throw new Error(`no binary for real build ${build.name}`);
      let t = qemuTargets.get(path);
      if (t === undefined) qemuTargets.set(path, (t = new QemuTarget(path)));
      return t;
    }
    if (sim === undefined) throw new Error('simulated builds are not available (src/vm.ts has not landed)');
    return sim.targetFor(build.name);
  };
  const viaTargets = engineFromTargets(targetFor);
  return {
    migrate(cell, builds) {
      const simOnly = builds.get(cell.from)?.kind === 'sim' && builds.get(cell.to)?.kind === 'sim';
      if (simOnly && sim !== undefined) return sim.engine.migrate(cell, builds);
      return viaTargets.migrate(cell, builds);
    },
  };
}
