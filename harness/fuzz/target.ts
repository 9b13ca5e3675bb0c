import type { CheckCode } from '../../src/wire/index.js';
import type { Destination } from '../../src/migration/index.js';
import type { Verdict } from '../targets/index.js';
import type { DestSnapshot } from './snapshot.js';

/**
 * What the fuzzer drives: one load of one input into a fresh destination.
 * In-process targets also hand back what the oracle needs to judge more than
 * the verdict (snapshots before and after, the checks reached, the
 * destination for invariants, what a non-LoadError exception was).
 */
export interface FuzzLoad {
  verdict: Verdict;
  durationMs: number;
  /** In-process: the destination before the load and after it (after: only when refused). */
  before?: DestSnapshot;
  after?: DestSnapshot;
  /** In-process: the destination after an accepted load, for invariants. */
  destination?: Destination;
  /** In-process: checks evaluated during this load (each counted once). */
  checks?: ReadonlySet<CheckCode>;
  /** In-process: an exception other than LoadError (a contract violation by itself). */
  thrown?: unknown;
  /** In-process, when measured: growth of heap + array buffers during the load, bytes. */
  allocated?: number;
  /** The allocation the contract allows for this input: stream size plus the destination's declared sizes. */
  allocationBound?: number;
  /** Target diagnostics (QEMU's stderr lines). */
  log?: string[];
}

export interface FuzzTarget {
  /** `profile:pc-q35-7.2`, `qemu:/usr/bin/qemu-system-x86_64`. */
  readonly id: string;
  /** Machine the inputs are meant for. */
  readonly machine: string;
  /** In-process targets answer synchronously (fast path for campaigns). */
  readonly inProcess: boolean;
  /** How many loads may run at once (QEMU: 2). */
  readonly concurrency: number;
  load(bytes: Uint8Array): Promise<FuzzLoad>;
  loadSync?(bytes: Uint8Array): FuzzLoad;
}
