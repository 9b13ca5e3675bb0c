/**
 * The matrix's data model: builds, planned cells, what an engine reports for
 * one migration, and the classified result. Everything here is plain data
 * (structured-clonable) so cells cross worker_threads and land in
 * result.json unchanged.
 */
import type { Verdict } from '../targets/target.js';

export type BuildKind = 'sim' | 'qemu';

/** A build in the matrix: a simulated catalog version or a real binary. */
export interface BuildRef {
  /** Name used in cells and reports: `7.2` (simulated) or `qemu-7.2.22` (real, from query-version). */
  name: string;
  kind: BuildKind;
  /** Dotted version used for ordering (`7.2`, `7.2.22`). */
  version: string;
  /** Catalog version whose expected breaks apply (a real 7.2.x maps to `7.2` when the catalog has it). */
  catalogVersion?: string;
  /** Path of the real binary. */
  path?: string;
  /** Machine types (and boards) the build offers. */
  machines: string[];
}

/**
 * forward: older build to newer; backward: newer to older; round-trip:
 * from -> to -> from; control: a build to itself.
 */
export type Direction = 'forward' | 'backward' | 'round-trip' | 'control';

export interface PlannedCell {
  /** Stable key: machine, builds, direction and devices (the gate joins on it). */
  id: string;
  /** Position in the whole plan (before sharding): merged shards are put back in this order. */
  index?: number;
  machine: string;
  /** Machine family for grouping (`pc-q35`, `pc-i440fx`, `microvm`, or the board name). */
  family: string;
  from: string;
  to: string;
  direction: Direction;
  devices: string[];
  ram: string;
  /** `-smp` words when the run gives them (`1,maxcpus=12`: ACPI table sizes). */
  smp?: string;
  /**
   * Workload seed of the source guest: a function of the run seed and the
   * source guest (machine, from, devices) only, so every cell leaving one
   * guest migrates the same guest (plan.ts sourceGuestId).
   */
  seed: number;
}

/** One leg of a migration (a round trip has two). */
export interface Leg {
  from: string;
  to: string;
}

/** What an engine reports for one cell; the classifier turns it into a CellResult. */
export interface CellOutcome {
  /** The verdict of the leg that decided the cell (the failing leg, or the last one). */
  verdict: Verdict;
  /** The leg the verdict belongs to (defaults to from -> to). */
  leg?: Leg;
  /** The source could not save at all (a migration blocker): verdict is then the save refusal. */
  blocked?: boolean;
  /** Bytes of the stream of the deciding leg. */
  streamBytes: number;
  saveMs: number;
  loadMs: number;
  /**
   * The engine compared the guest-visible states itself and found them
   * equal (then the texts below may be left out: they are only needed for a diff).
   */
  stateEqual?: boolean;
  /** Canonical guest-visible state before migration and after load (text, one item a line). */
  sourceState?: string;
  destState?: string;
  log?: string[];
}

/** Something that performs one migration; the simulated VM, real QEMU, or a test fake. */
export interface MigrationEngine {
  migrate(cell: PlannedCell, builds: ReadonlyMap<string, BuildRef>): Promise<CellOutcome>;
  close?(): Promise<void>;
}

export type CellClass = 'pass' | 'expected-break' | 'regression' | 'harness-error';
export const CELL_CLASSES: readonly CellClass[] = ['pass', 'expected-break', 'regression', 'harness-error'];

export interface ExpectedBreakRef {
  id: string;
  reason: string;
  /** How the catalog says it shows (`refused ram.size-mismatch`, `blocked`, `state-difference`). */
  manifest: string;
}

export interface CellResult extends PlannedCell {
  class: CellClass;
  verdict: Verdict;
  leg?: Leg;
  streamBytes: number;
  timings: { saveMs: number; loadMs: number; totalMs: number };
  /** Unified diff of guest-visible state (source vs destination) when it differs. */
  diff?: string;
  expected?: ExpectedBreakRef;
  /** Why the classifier chose the class, one line. */
  note: string;
}
