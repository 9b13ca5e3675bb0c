/** Reading and writing result.json: clear errors, atomic writes, never a half-written file. */
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { ResultFileError, validateResult, type MatrixResult } from './model.js';

export function readResult(path: string): MatrixResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ResultFileError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ResultFileError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  return validateResult(parsed, path);
}

/** Writes beside the target then renames: readers see the old file or the new one, never a torn one. */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function resultJson(result: MatrixResult): string {
  return JSON.stringify(result, null, 1) + '\n';
}
