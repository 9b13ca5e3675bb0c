/**
 * Loading the two sides of the gate and writing a new baseline. A bad or
 * missing file is a GateFileError (exit 2) and nothing is written; the
 * baseline is replaced atomically (write beside, then rename).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { readResult, writeFileAtomic } from '../report/io.js';
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

/** Points reports/LATEST at a run directory (relative to reports/, wherever --out put it). */
export function recordLatest(runDir: string, reportsDir = 'reports'): void {
  writeFileAtomic(join(reportsDir, LATEST_FILE), `${relative(resolve(reportsDir), resolve(runDir)) || '.'}\n`);
}

/**
 * The baseline keeps what the gate joins on and what reviewers read:
 * timings are noise in a diff, and state diffs stay in the run's reports.
 */
export function baselineOf(result: MatrixResult): MatrixResult {
  return {
    ...result,
    cells: result.cells.map(({ diff: _diff, ...c }) => ({ ...c, timings: { saveMs: 0, loadMs: 0, totalMs: 0 } })),
    timings: { ...result.timings, startedAt: '', wallMs: 0, cellsPerSecond: 0, saveMs: 0, loadMs: 0 },
  };
}

/** One cell a line: a baseline update reviews as a line diff of the cells that changed. */
export function baselineJson(result: MatrixResult): string {
  const { cells, ...rest } = baselineOf(result);
  const head = JSON.stringify(rest, null, 1);
  const lines = cells.map((c) => JSON.stringify(c));
  return `${head.slice(0, -2)},\n "cells": [\n${lines.join(',\n')}\n ]\n}\n`;
}

export function writeBaseline(path: string, result: MatrixResult): void {
  writeFileAtomic(path, baselineJson(result));
}
