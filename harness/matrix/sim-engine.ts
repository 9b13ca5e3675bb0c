/**
 * The simulated builds as a matrix engine (src/vm.ts): boot the source
 * build with the cell's seed (firmware and workload), migrate out, load into
 * a fresh destination of the other build, and compare the canonical
 * guest-visible snapshots. A round trip carries the migrated machine on:
 * A -> B, B's loaded machine runs one workload round, then migrates back to a
 * fresh A, and A's end state is compared with what B sent.
 */
import { boot, loadInto, snapshotText, type Vm, type VmSnapshot } from '../../src/vm.js';
import { SimTarget, verdictOf } from '../targets/sim-target.js';
import type { Target } from '../targets/target.js';
import type { CellOutcome, Leg, MigrationEngine, PlannedCell } from './types.js';

export interface SimulatedApi {
  engine: MigrationEngine;
  targetFor(build: string): Target;
}

interface Hop {
  outcome: CellOutcome;
  /** The destination machine when the hop was accepted. */
  dest?: Vm;
  sentState?: string;
}

/**
 * Snapshot text for comparison. RAM blocks are sorted by idstr: the order
 * blocks were registered in is not guest-visible (builds before 2.3 create
 * the ACPI blobs' blocks at another point of machine init than later ones).
 */
export function comparableState(s: VmSnapshot): string {
  return snapshotText({ ...s, ram: [...s.ram].sort((a, b) => (a.idstr < b.idstr ? -1 : a.idstr > b.idstr ? 1 : 0)) });
}

function options(cell: PlannedCell): { devices: readonly string[]; ram: string; seed: number } {
  return { devices: cell.devices, ram: cell.ram, seed: cell.seed };
}

/** One migration out of a running machine into a fresh destination of `leg.to`. */
function hop(source: Vm, cell: PlannedCell, leg: Leg): Hop {
  const t0 = performance.now();
  let stream: Uint8Array;
  try {
    stream = source.save();
  } catch (e) {
    const saveMs = performance.now() - t0;
    return { outcome: { verdict: verdictOf(e), leg, blocked: true, streamBytes: 0, saveMs, loadMs: 0 } };
  }
  const t1 = performance.now();
  const sentState = comparableState(source.snapshot());
  try {
    const r = loadInto(leg.to, cell.machine, options(cell), stream);
    const loadMs = performance.now() - t1;
    const base = { leg, streamBytes: stream.length, saveMs: t1 - t0, loadMs, log: r.warnings };
    if (!r.accepted) return { outcome: { ...base, verdict: verdictOf(r.error) } };
    const destState = comparableState(r.vm.snapshot());
    return { outcome: { ...base, verdict: { kind: 'accepted' }, sourceState: sentState, destState }, dest: r.vm, sentState };
  } catch (e) {
    return { outcome: { verdict: verdictOf(e), leg, streamBytes: stream.length, saveMs: t1 - t0, loadMs: performance.now() - t1 } };
  }
}

function bootSource(cell: PlannedCell): Vm | CellOutcome {
  const t0 = performance.now();
  try {
    return boot(cell.from, cell.machine, options(cell));
  } catch (e) {
    return { verdict: verdictOf(e), leg: { from: cell.from, to: cell.to }, streamBytes: 0, saveMs: performance.now() - t0, loadMs: 0 };
  }
}

export function migrateSimulated(cell: PlannedCell): CellOutcome {
  const source = bootSource(cell);
  if (!('save' in source)) return source;
  const there = hop(source, cell, { from: cell.from, to: cell.to });
  if (cell.direction !== 'round-trip') return there.outcome;
  const o1 = there.outcome;
  if (there.dest === undefined || o1.sourceState !== o1.destState) return o1;
  // The guest runs on B before it comes back, as it would in a real round trip
  // (and an incoming machine that never ran would still be in 'prelaunch').
  there.dest.runWorkload(1);
  const back = hop(there.dest, cell, { from: cell.to, to: cell.from });
  const o2 = back.outcome;
  // Each hop compares what its source sent with what its destination holds (B keeps
  // running the workload while it saves, so A's first state is not B's).
  return { ...o2, saveMs: o1.saveMs + o2.saveMs, loadMs: o1.loadMs + o2.loadMs };
}

export const simEngine: MigrationEngine = {
  migrate(cell) {
    return Promise.resolve(migrateSimulated(cell));
  },
};

export async function loadSimulatedApi(): Promise<SimulatedApi | undefined> {
  return { engine: simEngine, targetFor: (build) => new SimTarget(build) };
}
