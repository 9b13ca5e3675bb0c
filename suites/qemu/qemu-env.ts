import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { killAllQemu, liveQemuPids } from '../../harness/targets/qemu-registry.js';
import { parseVersion } from '../../harness/targets/qemu-info.js';

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

/** `major.minor` of the binary, e.g. `7.2`; undefined without QEMU. */
export const QEMU_SERIES = QEMU_PATH ? seriesOf(QEMU_PATH) : undefined;

function seriesOf(path: string): string | undefined {
  try {
    const v = parseVersion(execFileSync(path, ['--version'], { encoding: 'utf8' }));
    return `${v.major}.${v.minor}`;
  } catch {
    return undefined;
  }
}

export interface QemuSuiteOptions {
  /**
   * The QEMU series whose behaviour the expectations are written for (exact
   * error wording, the committed 7.2 corpus). With another binary the suite
   * is skipped, not failed: it is not wrong, it is about another QEMU.
   */
  series?: string;
}

/** `describe` when QEMU is present; otherwise a skip, or one failing test when QEMU is required. */
export function describeQemu(name: string, body: (qemu: string) => void, opts: QemuSuiteOptions = {}): void {
  if (QEMU_PATH && opts.series !== undefined && QEMU_SERIES !== opts.series) {
    describe.skip(`${name} (written for QEMU ${opts.series}, ${QEMU_PATH} is ${QEMU_SERIES ?? 'unknown'})`, () => body(''));
  } else if (QEMU_PATH) {
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
