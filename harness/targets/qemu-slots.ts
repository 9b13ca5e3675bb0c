import { mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
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
 *
 * Waiting is first come, first served across processes: a waiter queues a
 * ticket (a symlink `q-<ms>-<seq>-<pid>` naming its pid) and only the oldest
 * `qemuSlotCount()` tickets may take a slot. Without it a process with
 * several waiters (a `describe.concurrent` file) handed every slot it
 * released to its own waiters at once, and another process, seeing slots
 * only by polling, waited until that whole file was done (a minute under
 * load: 60 s test timeouts). Taking a free slot with nobody queued costs one
 * directory read more than the two syscalls.
 */

/** Where the slots live: machine-wide unless MIGCOMPAT_QEMU_SLOT_DIR says otherwise (tests). */
function slotRoot(): string {
  return process.env.MIGCOMPAT_QEMU_SLOT_DIR ?? join(tmpdir(), 'migcompat-qemu-slots');
}
const held = new Set<string>();
/** Tickets of this process's waiters (removed on exit like held slots). */
const queued = new Set<string>();
let ticketSeq = 0;
const TICKET_PREFIX = 'q-';
/** Acquirers in this process waiting for a slot: a release here wakes them at once (others' releases are seen by polling). */
const wakers = new Set<() => void>();
let exitHook = false;
let rootMade = false;

export function qemuSlotCount(): number {
  const n = Number(process.env.MIGCOMPAT_QEMU_JOBS ?? '2');
  return Number.isInteger(n) && n > 0 ? n : 2;
}

/** How long acquireQemuSlot waits by default before giving up. */
export const DEFAULT_QEMU_SLOT_WAIT_MS = 120_000;

/** Waits for a free slot, first come first served across processes; returns its release function. */
export async function acquireQemuSlot(timeoutMs = DEFAULT_QEMU_SLOT_WAIT_MS): Promise<() => void> {
  installExitHook();
  const root = slotRoot();
  const deadline = Date.now() + timeoutMs;
  let ticket: string | undefined;
  try {
    for (;;) {
      if (!rootMade) {
        mkdirSync(root, { recursive: true });
        rootMade = true;
      }
      if (mayTake(root, ticket)) {
        for (let i = 0; i < qemuSlotCount(); i++) {
          const slot = join(root, `slot-${i}`);
          if (tryTake(slot)) return () => release(slot);
        }
      }
      ticket ??= enqueue(root);
      if (Date.now() > deadline) throw new Error(`no QEMU slot free within ${timeoutMs} ms (${root})`);
      await nextChance();
    }
  } finally {
    if (ticket !== undefined) dequeue(ticket);
  }
}

/** Until a release in this process or the next poll (others' releases are seen by polling). */
function nextChance(): Promise<void> {
  return new Promise<void>((r) => {
    const wake = (): void => {
      wakers.delete(wake);
      clearTimeout(timer);
      r();
    };
    const timer = setTimeout(wake, 15); // ref'd: waiting for a slot is real work
    wakers.add(wake);
  });
}

/**
 * Whether a waiter may try the slots now: without a ticket only when nobody
 * is queued, with one when it is among the oldest `qemuSlotCount()` live
 * tickets. Tickets of dead processes are removed on the way.
 */
function mayTake(root: string, ticket: string | undefined): boolean {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(TICKET_PREFIX)).sort();
  } catch {
    return true; // no root: nobody queued (tryTake makes it again)
  }
  const mine = ticket === undefined ? undefined : ticket.slice(root.length + 1);
  let ahead = 0;
  for (const name of names) {
    if (name === mine) return true;
    if (isStale(join(root, name))) {
      rmSync(join(root, name), { force: true });
      continue;
    }
    if (mine === undefined || ++ahead >= qemuSlotCount()) return false;
  }
  return true; // fewer live tickets ahead than slots (or ours was removed by someone else: try rather than wait forever)
}

/** Queues a ticket: milliseconds, then a per-process sequence, so names sort in arrival order. */
function enqueue(root: string): string {
  const name = `${TICKET_PREFIX}${String(Date.now()).padStart(15, '0')}-${String(ticketSeq++).padStart(9, '0')}-${process.pid}`;
  const ticket = join(root, name);
  try {
    symlinkSync(String(process.pid), ticket);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') rootMade = false;
    return ticket; // not queued: mayTake lets a missing ticket try, as before queueing existed
  }
  queued.add(ticket);
  return ticket;
}

function dequeue(ticket: string): void {
  if (!queued.delete(ticket)) return;
  rmSync(ticket, { force: true });
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

/** A slot (or ticket) is stale when its owner is dead, or (an owner-file directory) it has had no owner for a while. */
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
  if (owner === process.pid) return !held.has(slot) && !queued.has(slot);
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
    for (const path of [...held, ...queued]) rmSync(path, { force: true });
  });
}
