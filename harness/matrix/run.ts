/**
 * runMatrix: plan, shard, run on the pool, and wrap the cells in the result
 * model. The library API and the CLI both call this.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import { packageRoot } from '../corpus/package-root.js';
import { RESULT_SCHEMA, RESULT_SCHEMA_VERSION, totalsOf, type MatrixResult, type Shard } from '../report/model.js';
import type { EngineSpec } from './engine.js';
import { planMatrix, type PlanOptions } from './plan.js';
import { runCells } from './pool.js';
import { planHash, shardCells } from './shard.js';
import type { CellResult, MigrationEngine } from './types.js';

export interface RunMatrixOptions extends PlanOptions {
  /** Default: the simulated builds (`{ kind: 'sim' }`). */
  engine?: EngineSpec | MigrationEngine;
  workers?: number;
  shard?: Shard;
  onResult?: (result: CellResult, done: number, total: number) => void;
  /** Fixed run id (tests); default a fresh uuid v4. */
  runId?: string;
  workerEntry?: URL;
}

export function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function engineName(e: EngineSpec | MigrationEngine): string {
  if ('migrate' in e) return 'custom';
  return e.kind === 'module' ? `module:${e.url}` : e.kind;
}

export async function runMatrix(opts: RunMatrixOptions): Promise<MatrixResult> {
  const plan = planMatrix(opts);
  const cells = shardCells(plan.cells, opts.shard);
  const engine = opts.engine ?? { kind: 'sim' };
  const startedAt = new Date();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const run = await runCells(cells, {
    engine,
    builds: plan.builds,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.onResult ? { onResult: opts.onResult } : {}),
    ...(opts.workerEntry ? { workerEntry: opts.workerEntry } : {}),
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const results = run.results;
  return {
    schema: RESULT_SCHEMA,
    schemaVersion: RESULT_SCHEMA_VERSION,
    runId: opts.runId ?? uuidv4(),
    tool: { name: 'migcompat', version: toolVersion() },
    engine: engineName(engine),
    builds: plan.builds,
    plan: {
      ...plan.options,
      cellCount: plan.cells.length,
      planHash: planHash(plan.cells),
      ...(opts.shard ? { shard: opts.shard } : {}),
    },
    cells: results,
    totals: totalsOf(results),
    timings: {
      startedAt: startedAt.toISOString(),
      wallMs,
      workers: run.workers,
      cellsPerSecond: wallMs > 0 ? (results.length * 1000) / wallMs : 0,
      saveMs: results.reduce((s, r) => s + r.timings.saveMs, 0),
      loadMs: results.reduce((s, r) => s + r.timings.loadMs, 0),
      cpu: {
        processMs: (cpu.user + cpu.system) / 1000,
        ...(run.cpu ? { mainThreadMs: run.cpu.mainThreadMs, workerMs: run.cpu.workerMs } : {}),
      },
      ...(run.workerSpans ? { workerSpans: run.workerSpans } : {}),
    },
    notes: run.fallback ? [`ran in-process: ${run.fallback}`] : [],
  };
}
