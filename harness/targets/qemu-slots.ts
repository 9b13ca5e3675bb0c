import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A machine-wide cap on concurrently running QEMUs.
 *
 * A QEMU load costs ~20 ms of CPU but the machine has two cores shared by
 * test files running in separate workers, so the cap has to hold across
 * processes, not just inside one: a slot is a directory created with an atomic
 * mkdir, holding the owner's pid so a slot left by a dead process is reclaimed.
 */

const SLOT_ROOT = join(tmpdir(), 'migcompat-qemu-slots');
const held = new Set<string>();
let exitHook = false;

export function qemuSlotCount(): number {
  const n = Number(process.env.MIGCOMPAT_QEMU_JOBS ?? '2');
  return Number.isInteger(n) && n > 0 ? n : 2;
}

/** Waits for a free slot; returns its release function. */
export async function acquireQemuSlot(timeoutMs = 120_000): Promise<() => void> {
  installExitHook();
  mkdirSync(SLOT_ROOT, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (let i = 0; i < qemuSlotCount(); i++) {
      const dir = join(SLOT_ROOT, `slot-${i}`);
      if (tryTake(dir)) return () => release(dir);
    }
    if (Date.now() > deadline) throw new Error(`no QEMU slot free within ${timeoutMs} ms (${SLOT_ROOT})`);
    await new Promise((r) => setTimeout(r, 15)); // ref'd: waiting for a slot is real work
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

function tryTake(dir: string): boolean {
  try {
    mkdirSync(dir);
  } catch {
    if (isStale(dir)) rmSync(dir, { recursive: true, force: true });
    return false;
  }
  writeFileSync(join(dir, 'owner'), String(process.pid));
  held.add(dir);
  return true;
}

/** A slot is stale when its owner is dead, or it has had no owner file for a while. */
function isStale(dir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dir, 'owner'), 'utf8'));
    if (pid === process.pid) return !held.has(dir);
    process.kill(pid, 0);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return true;
    if (code === 'ENOENT') {
      try {
        return Date.now() - statSync(dir).mtimeMs > 5_000;
      } catch {
        return false;
      }
    }
    return false; // EPERM: alive, owned by someone else
  }
}

function release(dir: string): void {
  if (!held.delete(dir)) return;
  rmSync(dir, { recursive: true, force: true });
}

function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const dir of held) rmSync(dir, { recursive: true, force: true });
  });
}
