import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, it, expect } from 'vitest';
import { killAllQemu, liveQemuPids } from '../../harness/targets/qemu-registry.js';
import { parseVersion } from '../../harness/targets/qemu-info.js';
import { DEFAULT_QEMU_SLOT_WAIT_MS } from '../../harness/targets/qemu-slots.js';
import { DEFAULT_LOAD_TIMEOUT_MS, DEFAULT_SAVE_TIMEOUT_MS } from '../../harness/targets/qemu-target.js';
import { readCorpusStream, readManifest } from './corpus-files.js';

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

/** The longest acquireQemuSlot waits by default (qemu-slots.ts) before giving up. */
export const QEMU_SLOT_WAIT_MS = DEFAULT_QEMU_SLOT_WAIT_MS;

/**
 * The default time limit of a real-QEMU test: a save and a load, each up to
 * the target's own limit, after queueing for a machine-wide QEMU slot behind
 * other test files (qemu-slots.ts). Below it, a QEMU that is too slow fails
 * with the target's own message (a `hang` verdict, a slot error) instead of
 * vitest's timeout; a passing test is unaffected, a QEMU on a loaded machine
 * (starts taking seconds, slots busy with the other worker) no longer trips
 * the 60 s default. Tests doing more (many loads in one test) set their own.
 */
export const QEMU_TEST_TIMEOUT_MS = DEFAULT_SAVE_TIMEOUT_MS + DEFAULT_LOAD_TIMEOUT_MS + QEMU_SLOT_WAIT_MS;

/**
 * The limit for a poll waiting on an event that normally comes within a
 * second (a QEMU appearing, dying, a dir emptied). The wait ends at the
 * event, so the limit only decides how long a broken case takes to fail.
 */
export const QEMU_EVENT_LIMIT_MS = 30_000;

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
    describe(name, { timeout: QEMU_TEST_TIMEOUT_MS }, () => body(QEMU_PATH));
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

/**
 * For a suite about the target's processes, inside describeQemu: a temp dir
 * for its destinations and the committed pc-q35-7.2 stream (empty when the
 * suite is skipped); after the suite the dir is removed and no QEMU may be left.
 */
export function q35ProcessSuite(qemu: string, prefix: string): { tmpRoot: string; stream: Uint8Array } {
  const tmpRoot = mkdtempSync(join(tmpdir(), prefix));
  const stream = qemu ? readCorpusStream(readManifest().streams.find((s) => s.name === 'pc-q35-7.2')!) : new Uint8Array();
  afterAll(() => {
    rmSync(tmpRoot, { recursive: true, force: true });
    assertNoQemuLeft();
  });
  return { tmpRoot, stream };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `probe` every 20 ms until it gives a value or `ms` have passed (then its last answer). */
export async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
