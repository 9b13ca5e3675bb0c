/**
 * The one result model every report is made from (result.json on disk).
 * Versioned: a reader refuses a schema it does not know instead of
 * guessing; additions that old readers can ignore keep the version.
 */
import { CELL_CLASSES, type BuildRef, type CellClass, type CellResult } from '../matrix/types.js';

export const RESULT_SCHEMA = 'migcompat/matrix-result';
export const RESULT_SCHEMA_VERSION = 1;

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface PlanSummary {
  machines: string[];
  direction: string;
  roundTrip: boolean;
  control: boolean;
  deviceSets: string[][];
  ram: string;
  seed: number;
  /** Cells in the whole plan (before sharding). */
  cellCount: number;
  /** Hash of the whole plan's cell ids: shards of one plan share it. */
  planHash: string;
  /** Present when this result is one shard; absent after a merge. */
  shard?: Shard;
  /** Shards merged into this result. */
  mergedShards?: number[];
}

export type Totals = Record<CellClass, number> & { cells: number };

export interface Timings {
  startedAt: string;
  wallMs: number;
  workers: number;
  cellsPerSecond: number;
  /** Sum of per-cell times, by phase (cells that share a source guest each count its save). */
  saveMs: number;
  loadMs: number;
  /**
   * CPU time of the run: the whole process (every thread), the main thread
   * and each worker (the last two on Linux only). Wall time on a shared
   * machine says little; cells per CPU-second and the main thread's share do.
   */
  cpu?: { processMs: number; mainThreadMs?: number; workerMs?: number[] };
  /** Per worker, ms from the pool's start to its being ready and to its last results (how evenly the workers finished). */
  workerSpans?: Array<{ readyMs: number; lastResultMs: number }>;
}

export interface MatrixResult {
  schema: typeof RESULT_SCHEMA;
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  runId: string;
  tool: { name: string; version: string };
  engine: string;
  builds: BuildRef[];
  plan: PlanSummary;
  cells: CellResult[];
  totals: Totals;
  timings: Timings;
  notes: string[];
}

export function totalsOf(cells: readonly CellResult[]): Totals {
  const t = { cells: cells.length } as Totals;
  for (const c of CELL_CLASSES) t[c] = 0;
  for (const cell of cells) t[cell.class]++;
  return t;
}

export class ResultFileError extends Error {
  override readonly name = 'ResultFileError';
}

/** Structural check of a parsed result.json: enough to make every report and the gate safe. */
export function validateResult(value: unknown, where = 'result'): MatrixResult {
  const fail = (why: string): never => {
    throw new ResultFileError(`${where}: not a migcompat matrix result: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const r = value as Partial<MatrixResult>;
  if (r.schema !== RESULT_SCHEMA) return fail(`schema is ${JSON.stringify(r.schema)}, expected "${RESULT_SCHEMA}"`);
  if (r.schemaVersion !== RESULT_SCHEMA_VERSION) return fail(`schemaVersion ${String(r.schemaVersion)} is not ${RESULT_SCHEMA_VERSION}`);
  if (typeof r.runId !== 'string') return fail('runId missing');
  if (!Array.isArray(r.cells)) return fail('cells is not an array');
  if (!Array.isArray(r.builds)) return fail('builds is not an array');
  if (typeof r.plan !== 'object' || r.plan === null) return fail('plan missing');
  r.cells.forEach((c, i) => {
    if (typeof c !== 'object' || c === null || typeof c.id !== 'string') fail(`cells[${i}] has no id`);
    if (!CELL_CLASSES.includes(c.class)) fail(`cells[${i}] (${c.id}) has class ${JSON.stringify(c.class)}`);
  });
  return r as MatrixResult;
}
