import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The machine-wide QEMU slots, in a private slot dir (MIGCOMPAT_QEMU_SLOT_DIR)
 * so the test never takes the slots real loads in other test files use.
 */

const root = mkdtempSync(join(tmpdir(), 'mc-slots-'));
let slots: typeof import('../../harness/targets/qemu-slots.js');

/** A pid that is certainly dead: a child that has already exited and been reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

beforeAll(async () => {
  process.env.MIGCOMPAT_QEMU_SLOT_DIR = root;
  process.env.MIGCOMPAT_QEMU_JOBS = '2';
  slots = await import('../../harness/targets/qemu-slots.js');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('QEMU slots', () => {
  it('are symlinks naming their owner, and removed on release', async () => {
    const release = await slots.acquireQemuSlot();
    const [name] = readdirSync(root);
    expect(name).toBe('slot-0');
    expect(lstatSync(join(root, name!)).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(root, name!))).toBe(String(process.pid));
    release();
    expect(readdirSync(root)).toEqual([]);
  });

  it('cap concurrent holders; a release in this process hands the slot on without waiting for the poll', async () => {
    const a = await slots.acquireQemuSlot();
    const b = await slots.acquireQemuSlot();
    let third: (() => void) | undefined;
    const waiting = slots.acquireQemuSlot().then((r) => (third = r));
    await new Promise((r) => setTimeout(r, 50));
    expect(third).toBeUndefined();
    a();
    // Woken by the release itself: resolved within the same turn of microtasks and one timer.
    await new Promise((r) => setImmediate(r));
    expect(third).toBeDefined();
    b();
    (await waiting)();
    expect(readdirSync(root)).toEqual([]);
  });

  it('reclaims a slot whose owner is dead, symlink or an earlier version\'s directory', async () => {
    const dead = deadPid();
    mkdirSync(join(root, 'slot-0'));
    writeFileSync(join(root, 'slot-0', 'owner'), String(dead));
    const { symlinkSync } = await import('node:fs');
    symlinkSync(String(dead), join(root, 'slot-1'));
    const a = await slots.acquireQemuSlot(5_000);
    const b = await slots.acquireQemuSlot(5_000);
    expect(readdirSync(root).sort()).toEqual(['slot-0', 'slot-1']);
    for (const n of ['slot-0', 'slot-1']) expect(readlinkSync(join(root, n))).toBe(String(process.pid));
    a();
    b();
  });

  it('honours a live owner in an earlier version\'s directory', async () => {
    mkdirSync(join(root, 'slot-0'));
    writeFileSync(join(root, 'slot-0', 'owner'), String(process.ppid));
    const a = await slots.acquireQemuSlot(5_000);
    expect(readlinkSync(join(root, 'slot-1'))).toBe(String(process.pid));
    await expect(slots.acquireQemuSlot(100)).rejects.toThrow(/no QEMU slot free within 100 ms/);
    a();
    rmSync(join(root, 'slot-0'), { recursive: true });
  });
});
