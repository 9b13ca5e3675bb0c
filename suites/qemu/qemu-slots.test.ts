import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
    symlinkSync(String(dead), join(root, 'slot-1'));
    const a = await slots.acquireQemuSlot(5_000);
    const b = await slots.acquireQemuSlot(5_000);
    expect(readdirSync(root).sort()).toEqual(['slot-0', 'slot-1']);
    for (const n of ['slot-0', 'slot-1']) expect(readlinkSync(join(root, n))).toBe(String(process.pid));
    a();
    b();
  });

  /** A ticket another process queued `ageMs` ago (the name acquireQemuSlot writes), naming `pid`. */
  function foreignTicket(pid: number, ageMs: number): string {
    const path = join(root, `q-${String(Date.now() - ageMs).padStart(15, '0')}-${'0'.repeat(9)}-${pid}`);
    symlinkSync(String(pid), path);
    return path;
  }

  async function settled<T>(p: Promise<T>, ms: number): Promise<boolean> {
    let done = false;
    void p.then(() => (done = true));
    await new Promise((r) => setTimeout(r, ms));
    return done;
  }

  it('serve waiters across processes in arrival order: a release here skips local waiters queued behind another process', async () => {
    process.env.MIGCOMPAT_QEMU_JOBS = '1';
    try {
      const a = await slots.acquireQemuSlot();
      // Another live process (our parent) queued first; then a waiter here queues.
      const theirs = foreignTicket(process.ppid, 1_000);
      const local = slots.acquireQemuSlot(10_000);
      expect(await settled(local, 50)).toBe(false);
      a(); // the old code handed the slot to `local` at once, however long the other process had waited
      expect(await settled(local, 100)).toBe(false);
      expect(readdirSync(root).filter((n) => n.startsWith('slot-'))).toEqual([]); // left free for the first in line
      // The other process takes it and leaves the queue; its release is our turn.
      symlinkSync(String(process.ppid), join(root, 'slot-0'));
      rmSync(theirs);
      expect(await settled(local, 100)).toBe(false);
      rmSync(join(root, 'slot-0'));
      (await local)();
      expect(readdirSync(root)).toEqual([]); // our ticket went with the wait
    } finally {
      process.env.MIGCOMPAT_QEMU_JOBS = '2';
    }
  });

  it('let the oldest tickets (as many as there are slots) try, and skip tickets of dead processes', async () => {
    const first = foreignTicket(process.ppid, 2_000);
    const second = foreignTicket(process.ppid, 1_000);
    const dead = foreignTicket(deadPid(), 3_000);
    // Both slots are free, but two live waiters are ahead: a newcomer queues behind them.
    const mine = slots.acquireQemuSlot(10_000);
    expect(await settled(mine, 100)).toBe(false);
    expect(readdirSync(root)).not.toContain(dead.slice(root.length + 1));
    rmSync(first);
    // One live ticket ahead with two slots: among the two oldest, so it may take one.
    (await mine)();
    rmSync(second);
    expect(readdirSync(root)).toEqual([]);
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
