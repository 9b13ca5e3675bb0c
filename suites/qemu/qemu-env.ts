import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { killAllQemu, liveQemuPids } from '../../harness/targets/qemu-registry.js';

/**
 * Where the real QEMU is, and whether its absence is a skip or a failure.
 * MIGCOMPAT_QEMU overrides the binary; MIGCOMPAT_REQUIRE_QEMU=1 (CI) turns a
 * missing binary into a failing test instead of a silent skip.
 */

function onPath(name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const QEMU_PATH = onPath(process.env.MIGCOMPAT_QEMU ?? 'qemu-system-x86_64');
export const QEMU_REQUIRED = process.env.MIGCOMPAT_REQUIRE_QEMU === '1';

/** `describe` when QEMU is present; otherwise a skip, or one failing test when QEMU is required. */
export function describeQemu(name: string, body: (qemu: string) => void): void {
  if (QEMU_PATH) {
    describe(name, () => body(QEMU_PATH));
  } else if (QEMU_REQUIRED) {
    describe(name, () => {
      it('needs qemu-system-x86_64 (MIGCOMPAT_REQUIRE_QEMU=1)', () => {
        expect.fail(`qemu-system-x86_64 not found on PATH (MIGCOMPAT_QEMU=${process.env.MIGCOMPAT_QEMU ?? ''})`);
      });
    });
  } else {
    describe.skip(`${name} (qemu-system-x86_64 not installed)`, () => body(''));
  }
}

/**
 * For a suite's afterAll: every QEMU the suite started must already be gone
 * (the target's own cleanup worked). Kills stragglers anyway so a failure here
 * never leaves a process behind, then fails if there were any.
 */
export function assertNoQemuLeft(): void {
  const left = liveQemuPids();
  killAllQemu();
  expect(left, 'QEMU processes still running after the suite').toEqual([]);
}
