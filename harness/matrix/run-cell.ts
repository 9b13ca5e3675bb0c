import { classifyCell } from './classify.js';
import type { BuildRef, CellResult, MigrationEngine, PlannedCell } from './types.js';

/**
 * One cell, start to finish: migrate, then classify. An engine that throws
 * is a harness error in that cell, never a crashed run.
 */
export async function runCell(engine: MigrationEngine, cell: PlannedCell, builds: ReadonlyMap<string, BuildRef>): Promise<CellResult> {
  const t0 = performance.now();
  try {
    const outcome = await engine.migrate(cell, builds);
    return classifyCell(cell, outcome, builds);
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const ms = performance.now() - t0;
    return {
      ...cell,
      class: 'harness-error',
      verdict: { kind: 'harness-error', message },
      streamBytes: 0,
      timings: { saveMs: ms, loadMs: 0, totalMs: ms },
      note: `engine threw: ${message}`,
    };
  }
}
