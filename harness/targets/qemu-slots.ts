import { mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A machine-wide cap on concurrently running QEMUs.
 *
 * A QEMU load costs ~20 ms of CPU but the machine has two cores shared by
 * test files running in separate workers, so the cap has to hold across
 * processes, not just inside one: a slot is a symlink whose target is the
 * owner's pid, created atomically (symlink(2) fails if it exists) and removed
 * with one unlink, so taking and releasing a slot costs two syscalls per load
 * (a directory with an owner file cost ~4 ms of blocking I/O on ext4); a slot
 * left by a dead process is reclaimed. Slots written as directories with an
 * `owner` file (earlier versions) are still honoured.
 */

/** Where the slots live: machine-wide unless MIGCOMPAT_QEMU_SLOT_DIR says otherwise (tests). */
function slotRoot(): string {
  return process.env.MIGCOMPAT_QEMU_SLOT_DIR ?? join(tmpdir(), 'migcompat-qemu-slots');
}
const held = new Set<string>();
/** Acquirers in this process waiting for a slot: a release here wakes them at once (others' releases are seen by polling). */
const wakers = new Set<() => void>();
let exitHook = false;
let rootMade = false;

export function qemuSlotCount(): number {
  const n = Number(process.env.MIGCOMPAT_QEMU_JOBS ?? '2');
  return Number.isInteger(n) && n > 0 ? n : 2;
}

/** Waits for a free slot; returns its release function. */
export async function acquireQemuSlot(timeoutMs = 120_000): Promise<() => void> {
  installExitHook();
  const root = slotRoot();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!rootMade) {
      mkdirSync(root, { recursive: true });
      rootMade = true;
    }
    for (let i = 0; i < qemuSlotCount(); i++) {
      const slot = join(root, `slot-${i}`);
      if (tryTake(slot)) return () => release(slot);
    }
    if (Date.now() > deadline) throw new Error(`no QEMU slot free within ${timeoutMs} ms (${root})`);
    await new Promise<void>((r) => {
      const wake = (): void => {
        wakers.delete(wake);
        clearTimeout(timer);
        r();
      };
      const timer = setTimeout(wake, 15); // ref'd: waiting for a slot is real work
      wakers.add(wake);
    });
  }
}

/** Runs `fn` holding a slot. */
export async function withQemuSlot<T>(fn: () => Promise<T>): Promise<T> {
  const release = await acquireQemuSlot();
  try {
    return await fn();
  } finally {
    release();
  }
}

function tryTake(slot: string): boolean {
  try {
    symlinkSync(String(process.pid), slot);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') rootMade = false; // the slot root was removed: make it again
    else if (isStale(slot)) rmSync(slot, { recursive: true, force: true });
    return false;
  }
  held.add(slot);
  return true;
}

/** A slot is stale when its owner is dead, or (an owner-file directory) it has had no owner for a while. */
function isStale(slot: string): boolean {
  const owner = slotOwner(slot);
  if (owner === 'unknown') return false;
  if (owner === 'none') {
    try {
      return Date.now() - statSync(slot).mtimeMs > 5_000;
    } catch {
      return false;
    }
  }
  if (owner === process.pid) return !held.has(slot);
  try {
    process.kill(owner, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, owned by someone else
  }
}

/** The pid a slot names: a symlink's target, or an earlier version's `owner` file; `none` for a directory without one yet. */
function slotOwner(slot: string): number | 'none' | 'unknown' {
  let text: string;
  try {
    text = readlinkSync(slot);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL') return 'unknown'; // gone meanwhile: retry
    try {
      text = readFileSync(`${slot}/owner`, 'utf8');
    } catch (e2) {
      return (e2 as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : 'unknown';
    }
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : 'unknown';
}

function release(slot: string): void {
  if (!held.delete(slot)) return;
  try {
    unlinkSync(slot);
  } catch {
    // already reclaimed by someone who judged it stale
  }
  for (const wake of [...wakers]) wake();
}

function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const slot of held) rmSync(slot, { force: true });
  });
}
