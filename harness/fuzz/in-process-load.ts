import { getHeapStatistics } from 'node:v8';
import { LoadError, StepBudgetExceeded, type CheckCode, type CheckLog } from '../../src/wire/index.js';
import type { Verdict } from '../targets/index.js';

/**
 * What the in-process targets (profile-target.ts, sim-fuzz-target.ts) share:
 * their options, the per-load CheckLog, and running one load with the
 * contract's bookkeeping (verdict from the loader's answer or what it threw,
 * the hang limit, the allocation measurement).
 */
export interface InProcessOptions {
  /** Skip these checks (weakened loader variants of the mutation score). */
  disabledChecks?: ReadonlySet<CheckCode>;
  /** Measure heap + external (ArrayBuffer) growth every Nth load (0: never). Default 0. */
  measureEvery?: number;
  /**
   * A load that used more CPU than this is a hang even if it finished (backstop for the step budget).
   * Default 2000 ms. CPU time, not wall time: on a loaded machine a load can wait seconds for a core
   * without doing any work, and that is not a hang of the loader.
   */
  hangMs?: number;
  /** The loader's work budget for an input (see stepBudgetFor); a load that exhausts it is a hang. */
  stepBudget?: (bytes: Uint8Array) => number;
}

/**
 * How often a campaign measures a load's allocation (every Nth in-process
 * load): a reading is cheap (memNow) but not free. What `migcompat fuzz`
 * uses, and so what the fuzz bench measures.
 */
export const CAMPAIGN_MEASURE_EVERY = 64;

/** Runs of an in-process campaign when neither --runs nor --time is given (and what the fuzz bench runs). */
export const DEFAULT_IN_PROCESS_RUNS = 20_000;

/** Steps for array elements that take no bytes, on top of one per input byte; no description of a catalog machine declares this many. */
export const STEP_BUDGET_SLACK = 1 << 20;

/**
 * The default budget: every step but one kind consumes at least one byte of
 * the input (a section header, a RAM record, a page, an element that has
 * bytes), so a load needs at most one step per byte plus its elements of
 * no bytes, whose counts the destination's descriptions bound.
 */
export function stepBudgetFor(bytes: Uint8Array): number {
  return bytes.length + STEP_BUDGET_SLACK;
}

export class CodeSet implements CheckLog {
  readonly set = new Set<CheckCode>();
  reached(code: CheckCode): void {
    this.set.add(code);
  }
}

/** What a loader call answers, in the shape both loadStream and Vm.load have. */
export interface LoaderAnswer {
  accepted: boolean;
  error?: LoadError | undefined;
}

export interface LoadRun {
  verdict: Verdict;
  durationMs: number;
  /** A non-LoadError exception (a contract violation by itself). */
  thrown?: unknown;
  /** When measured: heap + external (ArrayBuffer) growth during the load. */
  allocated?: number;
}

/** Decides whether this load is one of the measured ones (every Nth). */
export class MeasureClock {
  private count = 0;
  constructor(private readonly every: number) {}
  tick(): boolean {
    return this.every > 0 && this.count++ % this.every === 0;
  }
}

/**
 * Runs one load. Stack traces are off while it runs: a refusal is a
 * LoadError, and capturing a stack for each cost more than a small load
 * (the replay command reruns a finding with traces on).
 */
export function runLoad(load: () => LoaderAnswer, hangMs: number | undefined, measure: boolean): LoadRun {
  const mem0 = measure ? memNow() : 0;
  const traces = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const t0 = performance.now();
  const mark = cpuMarkAt(t0);
  let verdict: Verdict;
  let thrown: unknown;
  try {
    const r = load();
    verdict = r.accepted || !r.error ? { kind: 'accepted' } : refusal(r.error);
  } catch (e) {
    if (e instanceof LoadError) verdict = refusal(e);
    else if (e instanceof StepBudgetExceeded) verdict = { kind: 'hang', message: e.message };
    else {
      thrown = e;
      verdict = { kind: 'crash', message: describe(e) };
    }
  } finally {
    Error.stackTraceLimit = traces;
  }
  const durationMs = performance.now() - t0;
  // Wall time first: the CPU reading is only needed when the load was slow at all.
  if (durationMs > (hangMs ?? 2000) && verdict.kind !== 'crash') {
    const cpuMs = cpuMsSince(mark, t0);
    if (cpuMs > (hangMs ?? 2000)) verdict = { kind: 'hang', message: `in-process load took ${cpuMs.toFixed(0)} ms of CPU (${durationMs.toFixed(0)} ms wall)` };
  }
  const out: LoadRun = { verdict, durationMs };
  if (thrown !== undefined) out.thrown = thrown;
  if (measure) out.allocated = Math.max(0, memNow() - mem0);
  return out;
}

function refusal(e: LoadError): Verdict {
  return { kind: 'refused', code: e.code, message: e.message };
}

/**
 * The JS heap in use plus external memory (ArrayBuffer backing stores, which
 * a Uint8Array of any size has): what a load's allocations grow. From V8's
 * heap statistics, ~1 us; process.memoryUsage() gives the same two figures
 * (heapUsed, arrayBuffers within external) but also reads the RSS from
 * /proc on every call, ~10-170 us on this machine.
 */
function memNow(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/**
 * The process's CPU time in ms (user + system) and the wall time it was read
 * at. Reading it (getrusage) cost ~13% of a campaign's CPU when every load
 * read it, for a figure only a load slower than the hang limit (2 s of wall
 * time by default) ever needs; so a load reuses the last reading when it is
 * at most CPU_MARK_MS old.
 */
interface CpuMark {
  wall: number;
  cpuMs: number;
}

const CPU_MARK_MS = 10;
let lastMark: CpuMark = { wall: -Infinity, cpuMs: 0 };

function cpuMsNow(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

function cpuMarkAt(wall: number): CpuMark {
  if (wall - lastMark.wall > CPU_MARK_MS) lastMark = { wall, cpuMs: cpuMsNow() };
  return lastMark;
}

/**
 * CPU used since a load started at `t0`, from a reading taken at most
 * CPU_MARK_MS of wall time before it: the CPU since the reading, less that
 * gap (the most the main thread can have run in it). Within ~CPU_MARK_MS
 * either way of the load's own CPU time, against a limit of seconds.
 */
function cpuMsSince(mark: CpuMark, t0: number): number {
  return cpuMsNow() - mark.cpuMs - (t0 - mark.wall);
}

export function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : `non-Error thrown: ${String(e)}`;
}
