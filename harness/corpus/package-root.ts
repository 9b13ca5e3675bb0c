import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The migcompat package directory, found by walking up from this module:
 * the same code runs from harness/ under vitest and from dist/harness/ when
 * built, so a fixed relative path would be wrong in one of them.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'migcompat') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('migcompat package root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
