/**
 * The simulated builds as a matrix engine (src/vm.ts): boot the source
 * build with the cell's seed (firmware and workload), migrate out, load into
 * a fresh destination of the other build, and compare the guest-visible
 * states. A round trip carries the migrated machine on: A -> B, B's loaded
 * machine runs one workload round, then migrates back to a fresh A, and A's
 * end state is compared with what B sent.
 *
 * Work reuse. The seed belongs to the source guest (plan.ts sourceGuestId),
 * so every cell leaving one guest boots the same machine and saves the same
 * stream: the engine keeps the last source (its saved machine and stream)
 * and loads that stream into each destination, and keeps the last hop so a
 * round trip A -> B -> A continues from the A -> B cell's destination instead
 * of redoing it. Both are caches of deterministic work: a miss recomputes
 * exactly what a hit would have returned, so the cells do not depend on the
 * order, shard or worker they ran in (the pool orders cells by source guest
 * so the caches hit).
 *
 * States are compared with guestStateEqual (pages by memcmp, states in
 * place); the canonical snapshot texts are only made when they differ, for
 * the classifier's diff. The seed 001 boards always compare by snapshot
 * text (their snapshot keeps non-migrated blocks), which is cheap for them.
 */
import { boot, guestStateEqual, isBoardCore, loadInto, snapshotText, type Vm, type VmSnapshot } from '../../src/vm.js';
import { SimTarget, verdictOf } from '../targets/sim-target.js';
import type { Target } from '../targets/target.js';
import { sourceGuestKey } from './plan.js';
import type { CellOutcome, Leg, MigrationEngine, PlannedCell } from './types.js';

export interface SimulatedApi {
  engine: MigrationEngine;
  targetFor(build: string): Target;
}

/**
 * Snapshot text for comparison. RAM blocks are sorted by idstr: the order
 * blocks were registered in is not guest-visible (builds before 2.3 create
 * the ACPI blobs' blocks at another point of machine init than later ones).
 */
export function comparableState(s: VmSnapshot): string {
  return snapshotText({ ...s, ram: [...s.ram].sort((a, b) => (a.idstr < b.idstr ? -1 : a.idstr > b.idstr ? 1 : 0)) });
}

function options(cell: PlannedCell): { devices: readonly string[]; ram: string; seed: number; smp?: string } {
  return { devices: cell.devices, ram: cell.ram, seed: cell.seed, ...(cell.smp ? { smp: cell.smp } : {}) };
}

/** A machine that has saved: the stream it sent and the state it holds (what the stream describes). */
interface Saved {
  vm: Vm;
  stream: Uint8Array;
  saveMs: number;
  /** Canonical text of vm, made on first need (a diff). */
  text?: string;
}

/** A source that could not be migrated: its outcome for any leg out of it. */
interface Unsaved {
  failed: (leg: Leg) => CellOutcome;
}

interface Hop {
  outcome: CellOutcome;
  /** The destination machine when the hop was accepted. */
  dest?: Vm;
}

function textOf(saved: Saved): string {
  return (saved.text ??= comparableState(saved.vm.snapshot()));
}

/** Save a running machine; a refusal (a migration blocker) is the outcome of every leg out of it. */
function saveFrom(vm: Vm): Saved | Unsaved {
  const t0 = performance.now();
  try {
    const stream = vm.save();
    return { vm, stream, saveMs: performance.now() - t0 };
  } catch (e) {
    const saveMs = performance.now() - t0;
    const verdict = verdictOf(e);
    return { failed: (leg) => ({ verdict, leg, blocked: true, streamBytes: 0, saveMs, loadMs: 0 }) };
  }
}

/** Whether destination and source hold the same guest-visible state, with the texts when they do not. */
function compareStates(saved: Saved, dest: Vm): Pick<CellOutcome, 'stateEqual' | 'sourceState' | 'destState'> {
  if (!isBoardCore(saved.vm) && guestStateEqual(saved.vm, dest)) return { stateEqual: true };
  return { sourceState: textOf(saved), destState: comparableState(dest.snapshot()) };
}

/** Load a saved stream into a fresh destination of `leg.to` and compare. */
function hop(saved: Saved, cell: PlannedCell, leg: Leg): Hop {
  const t1 = performance.now();
  const stream = saved.stream;
  try {
    const r = loadInto(leg.to, cell.machine, options(cell), stream);
    const loadMs = performance.now() - t1;
    const base = { leg, streamBytes: stream.length, saveMs: saved.saveMs, loadMs, log: r.warnings };
    if (!r.accepted) return { outcome: { ...base, verdict: verdictOf(r.error) } };
    return { outcome: { ...base, verdict: { kind: 'accepted' }, ...compareStates(saved, r.vm) }, dest: r.vm };
  } catch (e) {
    return { outcome: { verdict: verdictOf(e), leg, streamBytes: stream.length, saveMs: saved.saveMs, loadMs: performance.now() - t1 } };
  }
}

function accepted(o: CellOutcome): boolean {
  return o.verdict.kind === 'accepted' && (o.stateEqual === true || (o.sourceState !== undefined && o.sourceState === o.destState));
}

/** Boot and save the source guest of a cell. */
function prepareSource(cell: PlannedCell): Saved | Unsaved {
  const t0 = performance.now();
  let vm: Vm;
  try {
    vm = boot(cell.from, cell.machine, options(cell));
  } catch (e) {
    const verdict = verdictOf(e);
    const saveMs = performance.now() - t0;
    return { failed: (leg) => ({ verdict, leg, streamBytes: 0, saveMs, loadMs: 0 }) };
  }
  return saveFrom(vm);
}

/**
 * A simulated engine with its own caches (the last source guest and the
 * last hop out of it). Not for concurrent use from several threads: each
 * worker makes its own.
 */
export function createSimulatedEngine(): MigrationEngine & { migrateSync(cell: PlannedCell): CellOutcome } {
  let source: { key: string; value: Saved | Unsaved } | undefined;
  let lastHop: { key: string; hop: Hop } | undefined;

  const sourceOf = (cell: PlannedCell): Saved | Unsaved => {
    const key = sourceGuestKey(cell);
    if (source?.key !== key) {
      source = undefined;
      lastHop = undefined;
      source = { key, value: prepareSource(cell) };
    }
    return source.value;
  };

  const firstHop = (saved: Saved, cell: PlannedCell, leg: Leg): Hop => {
    const key = `${leg.to}`;
    if (lastHop?.key === key) return lastHop.hop;
    const h = hop(saved, cell, leg);
    lastHop = { key, hop: h };
    return h;
  };

  const migrateSync = (cell: PlannedCell): CellOutcome => {
    const src = sourceOf(cell);
    const there = { from: cell.from, to: cell.to };
    if ('failed' in src) return src.failed(there);
    const h = firstHop(src, cell, there);
    if (cell.direction !== 'round-trip') return h.outcome;
    const o1 = h.outcome;
    if (h.dest === undefined || !accepted(o1)) return o1;
    // The round trip takes B's machine over (it runs on and saves): no later cell may reuse this hop.
    const dest = h.dest;
    lastHop = undefined;
    // The guest runs on B before it comes back, as it would in a real round trip
    // (and an incoming machine that never ran would still be in 'prelaunch').
    dest.runWorkload(1);
    const fromB = saveFrom(dest);
    const back = { from: cell.to, to: cell.from };
    if ('failed' in fromB) {
      const o2 = fromB.failed(back);
      return { ...o2, saveMs: o1.saveMs + o2.saveMs, loadMs: o1.loadMs + o2.loadMs };
    }
    // Each hop compares what its source sent with what its destination holds (B keeps
    // running the workload while it saves, so A's first state is not B's).
    const o2 = hop(fromB, cell, back).outcome;
    return { ...o2, saveMs: o1.saveMs + o2.saveMs, loadMs: o1.loadMs + o2.loadMs };
  };

  return {
    migrateSync,
    migrate(cell) {
      return Promise.resolve(migrateSync(cell));
    },
    close() {
      source = undefined;
      lastHop = undefined;
      return Promise.resolve();
    },
  };
}

/** One cell with nothing reused (a fresh source guest, a fresh hop). */
export function migrateSimulated(cell: PlannedCell): CellOutcome {
  return createSimulatedEngine().migrateSync(cell);
}

/** A simulated engine without caches shared between calls (each cell starts from scratch). */
export const simEngine: MigrationEngine = {
  migrate(cell) {
    return Promise.resolve(migrateSimulated(cell));
  },
};

export async function loadSimulatedApi(): Promise<SimulatedApi | undefined> {
  return { engine: createSimulatedEngine(), targetFor: (build) => new SimTarget(build) };
}
