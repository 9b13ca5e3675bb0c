/**
 * Loading the two sides of the gate and writing a new baseline. A bad or
 * missing file is a GateFileError (exit 2) and nothing is written; the
 * baseline is replaced atomically (write beside, then rename).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readResult, resultJson, writeFileAtomic } from '../report/io.js';
import { ResultFileError, type MatrixResult } from '../report/model.js';

export class GateFileError extends Error {
  override readonly name = 'GateFileError';
}

export function loadGateFile(path: string, role: 'baseline' | 'current'): MatrixResult {
  try {
    return readResult(path);
  } catch (e) {
    if (e instanceof ResultFileError) throw new GateFileError(`${role}: ${e.message}`);
    throw e;
  }
}

/** reports/LATEST names the directory of the last matrix run (written by `migcompat matrix`). */
export const LATEST_FILE = 'LATEST';

export function latestResultPath(reportsDir = 'reports'): string {
  const pointer = join(reportsDir, LATEST_FILE);
  if (!existsSync(pointer)) throw new GateFileError(`no --current given and ${pointer} does not exist (run migcompat matrix first)`);
  return resolve(reportsDir, readFileSync(pointer, 'utf8').trim(), 'result.json');
}

export function recordLatest(runDir: string, reportsDir = dirname(runDir)): void {
  writeFileAtomic(join(reportsDir, LATEST_FILE), `${runDir.slice(reportsDir.length).replace(/^[\\/]+/, '') || '.'}\n`);
}

/** The baseline keeps what the gate joins on and what reviewers read; timings are noise in a diff. */
export function baselineOf(result: MatrixResult): MatrixResult {
  return {
    ...result,
    cells: result.cells.map((c) => ({ ...c, timings: { saveMs: 0, loadMs: 0, totalMs: 0 } })),
    timings: { ...result.timings, startedAt: '', wallMs: 0, cellsPerSecond: 0, saveMs: 0, loadMs: 0 },
  };
}

export function writeBaseline(path: string, result: MatrixResult): void {
  writeFileAtomic(path, resultJson(baselineOf(result)));
}
