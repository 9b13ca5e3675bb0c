/**
 * Runs cells on a worker_threads pool sized to the cores, or in-process.
 *
 * Results are stored by plan index, so the output order (and with seeded
 * engines the output itself) does not depend on which worker finished
 * first. Workers load the built JS: running from TypeScript sources (vitest)
 * the entry is looked up under dist/, and without a built entry the pool
 * runs in-process and says so.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createEngine, engineRunsInWorkers, type EngineSpec } from './engine.js';
import { sourceGuestKey } from './plan.js';
import { runCell } from './run-cell.js';
import { threadCpuMs } from './thread-cpu.js';
import type { BuildRef, CellResult, MigrationEngine, PlannedCell } from './types.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';

export interface PoolOptions {
  /** Engine spec (runs in workers) or an engine object (runs in-process only). */
  engine: EngineSpec | MigrationEngine;
  builds: readonly BuildRef[];
  /** Worker count; 0 or 1 runs in-process. Default: the number of cores. */
  workers?: number;
  /** Cells per message to a worker (amortises message cost). */
  batchSize?: number;
  /** Called as each cell completes (in completion order). */
  onResult?: (result: CellResult, done: number, total: number) => void;
  /** Override the worker entry (tests). */
  workerEntry?: URL;
}

export interface PoolRun {
  results: CellResult[];
  /** Workers actually used (0: in-process). */
  workers: number;
  /** Why the pool ran in-process when workers were asked for. */
  fallback?: string;
  /** CPU time of the main thread during the run, and of each worker thread (Linux only). */
  cpu?: { mainThreadMs: number; workerMs: number[] };
  /** Per worker, ms from the pool's start: when it was ready, and when its last results came in (how evenly they finished). */
  workerSpans?: Array<{ readyMs: number; lastResultMs: number }>;
}

export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/**
 * The worker entry as built JS: beside this module when it is JS, else the
 * same path under <root>/dist (this module is <root>/harness/matrix/pool.ts).
 */
export function resolveWorkerEntry(moduleUrl: string = import.meta.url): URL | undefined {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.js')) {
    const beside = new URL('./worker.js', moduleUrl);
    return existsSync(fileURLToPath(beside)) ? beside : undefined;
  }
  const marker = `${'/'}harness${'/'}matrix${'/'}`;
  const at = here.lastIndexOf(marker);
  if (at < 0) return undefined;
  const dist = `${here.slice(0, at)}/dist/harness/matrix/worker.js`;
  return existsSync(dist) ? pathToFileURL(dist) : undefined;
}

function isEngineObject(e: EngineSpec | MigrationEngine): e is MigrationEngine {
  return typeof (e as MigrationEngine).migrate === 'function';
}

/**
 * The cells in the order they run: cells leaving the same source guest
 * together (guests in plan order), and within a guest by destination, a
 * round trip after the other cell to its destination. An engine that keeps
 * its last source and hop (sim-engine.ts) then boots and saves each guest
 * once and reuses the A -> B hop for A -> B -> A. Plan indices.
 */
export function executionGroups(cells: readonly PlannedCell[]): number[][] {
  const groups = new Map<string, number[]>();
  cells.forEach((c, i) => {
    const key = sourceGuestKey(c);
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [i]);
    else g.push(i);
  });
  const destOrder = new Map<string, number>();
  for (const c of cells) if (!destOrder.has(c.to)) destOrder.set(c.to, destOrder.size);
  const rank = (i: number): number => {
    const c = cells[i]!;
    return destOrder.get(c.to)! * 2 + (c.direction === 'round-trip' ? 1 : 0);
  };
  return [...groups.values()].map((g) => g.sort((a, b) => rank(a) - rank(b) || a - b));
}

export async function runCells(cells: readonly PlannedCell[], opts: PoolOptions): Promise<PoolRun> {
  const wanted = opts.workers ?? defaultWorkerCount();
  const workers = Math.min(wanted, cells.length);
  const cpu0 = threadCpuMs();
  const done = (run: Omit<PoolRun, 'cpu'>, workerCpuMs: number[] = []): PoolRun => {
    const cpu1 = threadCpuMs();
    return { ...run, ...(cpu0 !== undefined && cpu1 !== undefined ? { cpu: { mainThreadMs: cpu1 - cpu0, workerMs: workerCpuMs } } : {}) };
  };
  if (workers <= 1) return done({ results: await runInProcess(cells, opts), workers: 0 });
  if (isEngineObject(opts.engine)) return done({ results: await runInProcess(cells, opts), workers: 0, fallback: 'an engine object cannot cross into workers' });
  if (!engineRunsInWorkers(opts.engine)) return done({ results: await runInProcess(cells, opts), workers: 0, fallback: 'real QEMU builds run in the main thread' });
  const entry = opts.workerEntry ?? resolveWorkerEntry();
  if (entry === undefined) return done({ results: await runInProcess(cells, opts), workers: 0, fallback: 'no built worker entry (run npm run build)' });
  const pooled = await runInWorkers(cells, opts, opts.engine, entry, workers);
  return done({ results: pooled.results, workers, workerSpans: pooled.workerSpans }, pooled.workerCpuMs);
}

async function runInProcess(cells: readonly PlannedCell[], opts: PoolOptions): Promise<CellResult[]> {
  const engine = isEngineObject(opts.engine) ? opts.engine : await createEngine(opts.engine);
  const builds = new Map(opts.builds.map((b) => [b.name, b] as const));
  const results: CellResult[] = new Array(cells.length);
  let done = 0;
  try {
    for (const group of executionGroups(cells)) {
      for (const i of group) {
        const r = await runCell(engine, cells[i]!, builds);
        results[i] = r;
        opts.onResult?.(r, ++done, cells.length);
      }
    }
  } finally {
    if (!isEngineObject(opts.engine)) await engine.close?.();
  }
  return results;
}

function lostCell(cell: PlannedCell, message: string): CellResult {
  return {
    ...cell,
    class: 'harness-error',
    verdict: { kind: 'harness-error', message },
    streamBytes: 0,
    timings: { saveMs: 0, loadMs: 0, totalMs: 0 },
    note: message,
  };
}

/** Whole source-guest groups packed into batches of about `size` cells (a bigger group is a batch of its own). */
function packBatches(groups: readonly number[][], size: number): number[][] {
  const batches: number[][] = [];
  let cur: number[] = [];
  for (const g of groups) {
    if (cur.length > 0 && cur.length + g.length > size) {
      batches.push(cur);
      cur = [];
    }
    cur.push(...g);
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}

/** Batches a worker holds at once (see feed). */
const IN_FLIGHT = 2;

interface PooledRun {
  results: CellResult[];
  workerCpuMs: number[];
  workerSpans: Array<{ readyMs: number; lastResultMs: number }>;
}

function runInWorkers(cells: readonly PlannedCell[], opts: PoolOptions, spec: EngineSpec, entry: URL, count: number): Promise<PooledRun> {
  // Small batches of whole guests: with two in flight per worker, the last ones decide how evenly the workers finish.
  const batchSize = opts.batchSize ?? Math.max(1, Math.min(32, Math.ceil(cells.length / (count * 16))));
  const batches = packBatches(executionGroups(cells), batchSize);
  const results: Array<CellResult | undefined> = new Array(cells.length);
  const workerCpuMs: number[] = [];
  const t0 = performance.now();
  const workerSpans = Array.from({ length: count }, () => ({ readyMs: 0, lastResultMs: 0 }));
  let next = 0;
  let done = 0;
  let alive = count;
  let lastFailure = '';
  const init: WorkerInit = { engine: spec, builds: [...opts.builds] };
  // --input-type (node -e scripts) is refused for a file entry: the worker must not inherit it.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));

  return new Promise((resolve) => {
    const finishIfDone = (): void => {
      if (done < cells.length && alive > 0) return;
      // Cells no live worker can take any more are harness errors, not holes.
      const why = lastFailure ? `the worker pool stopped before this cell ran (${lastFailure})` : 'the worker pool stopped before this cell ran';
      for (let i = 0; i < cells.length; i++) results[i] ??= lostCell(cells[i]!, why);
      resolve({ results: results as CellResult[], workerCpuMs, workerSpans });
    };
    const record = (r: CellResult, index: number): void => {
      results[index] = r;
      done++;
      opts.onResult?.(r, done, cells.length);
    };
    for (let w = 0; w < count; w++) {
      const worker = new Worker(entry, { workerData: init, execArgv });
      // Batch ids sent and not answered yet, oldest first (the worker runs them in order).
      const inFlight: number[] = [];
      let closed = false;
      const span = workerSpans[w]!;
      const feed = (): void => {
        if (next >= batches.length) {
          if (!closed && inFlight.length === 0) {
            worker.postMessage({ kind: 'close' } satisfies ToWorker);
            closed = true;
          }
          return;
        }
        const id = next++;
        inFlight.push(id);
        worker.postMessage({ kind: 'batch', batchId: id, cells: batches[id]!.map((i) => cells[i]!) } satisfies ToWorker);
      };
      const failInFlight = (message: string): void => {
        for (const id of inFlight.splice(0)) for (const i of batches[id]!) record(lostCell(cells[i]!, message), i);
      };
      worker.on('message', (msg: FromWorker) => {
        if (msg.kind === 'ready') {
          span.readyMs = performance.now() - t0;
          // Two batches in flight: the worker starts the second while the main thread takes the
          // first's results in and sends a third, so it never waits on the main thread being scheduled.
          for (let k = 0; k < IN_FLIGHT; k++) feed();
          return;
        }
        if (msg.kind === 'closing') {
          if (msg.cpuMs !== undefined) workerCpuMs.push(msg.cpuMs);
          return;
        }
        if (msg.kind === 'fatal') {
          // The engine could not start here: give this worker's share to the others.
          lastFailure = `engine failed to start: ${msg.message}`;
          closed = true;
          void worker.terminate();
          return;
        }
        const b = batches[msg.batchId]!;
        span.lastResultMs = performance.now() - t0;
        msg.results.forEach((r, k) => record(r, b[k]!));
        inFlight.splice(inFlight.indexOf(msg.batchId), 1);
        feed();
      });
      worker.on('error', (e) => {
        lastFailure = `worker failed: ${e.message}`;
        failInFlight(lastFailure);
      });
      worker.on('exit', () => {
        failInFlight('worker exited while running this cell');
        alive--;
        finishIfDone();
      });
    }
  });
}
