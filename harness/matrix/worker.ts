/**
 * worker_threads entry of the matrix pool: builds the engine from its spec,
 * then runs the batches of cells the pool sends, in order, one at a time.
 * Loaded from the built JS under dist/ (see pool.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type EngineSpec } from './engine.js';
import { runCell } from './run-cell.js';
import { threadCpuMs } from './thread-cpu.js';
import type { BuildRef, CellResult, PlannedCell } from './types.js';

export interface WorkerInit {
  engine: EngineSpec;
  builds: BuildRef[];
}

export type ToWorker = { kind: 'batch'; batchId: number; cells: PlannedCell[] } | { kind: 'close' };
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'results'; batchId: number; results: CellResult[] }
  /** Sent once before the worker exits: its thread's CPU time (Linux). */
  | { kind: 'closing'; cpuMs?: number }
  | { kind: 'fatal'; message: string };

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('matrix worker started outside worker_threads');
  const init = workerData as WorkerInit;
  const builds = new Map(init.builds.map((b) => [b.name, b] as const));
  let engine;
  try {
    engine = await createEngine(init.engine);
  } catch (e) {
    port.postMessage({ kind: 'fatal', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    return;
  }
  const ready = engine;
  let queue = Promise.resolve();
  port.on('message', (msg: ToWorker) => {
    if (msg.kind === 'close') {
      queue = queue.then(async () => {
        await ready.close?.();
        const cpuMs = threadCpuMs();
        port.postMessage({ kind: 'closing', ...(cpuMs !== undefined ? { cpuMs } : {}) } satisfies FromWorker);
        port.close();
      });
      return;
    }
    queue = queue.then(async () => {
      const results: CellResult[] = [];
      for (const cell of msg.cells) results.push(await runCell(ready, cell, builds));
      port.postMessage({ kind: 'results', batchId: msg.batchId, results } satisfies FromWorker);
    });
  });
  port.postMessage({ kind: 'ready' } satisfies FromWorker);
}

void main();
