/**
 * Every QEMU process this Node process started, so none outlives us.
 *
 * Three layers, because any one can miss: QEMU is started under
 * `setpriv --pdeathsig KILL` where available (the kernel kills it if we die,
 * even by SIGKILL); this registry kills what is left on `exit`, SIGINT and
 * SIGTERM; and suites call `killAllQemu()` in their teardown.
 */

import { readdirSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

interface Tracked {
  pid: number;
  /** The private temp dir with its sockets, removed with the process. */
  dir?: string;
}

/** Temp dirs are named `migcompat-qemu-<owner pid>-XXXXXX` so a later run can tell whose they were. */
export const TEMP_PREFIX = 'migcompat-qemu-';

const live = new Map<number, Tracked>();
let hooksInstalled = false;

export function trackQemu(pid: number, dir?: string): void {
  installHooks();
  live.set(pid, dir === undefined ? { pid } : { pid, dir });
}

export function untrackQemu(pid: number): void {
  live.delete(pid);
}

/** Pids of QEMU processes started by this process that have not been reaped. */
export function liveQemuPids(): number[] {
  return [...live.keys()];
}

/** SIGKILLs every tracked QEMU and removes its temp dir, synchronously (safe in an `exit` handler). */
export function killAllQemu(): number {
  let killed = 0;
  for (const { pid, dir } of live.values()) {
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone: ESRCH
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    live.delete(pid);
  }
  return killed;
}

/**
 * Removes temp dirs under `root` left by migcompat processes that no longer
 * exist (a process killed by SIGKILL cannot clean up after itself; its QEMU
 * died with it through the parent-death signal, its dir is swept here).
 */
export function sweepStaleTempDirs(root: string): number {
  let swept = 0;
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^migcompat-qemu-(\d+)-/.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    swept++;
  }
  return swept;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllQemu);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllQemu();
      // Step aside and re-raise: with no other handler the default action
      // now kills us (execa's signal-exit re-raises once it is alone); a
      // program that handles the signal itself still gets it and decides.
      process.off(sig, onSignal);
      // If the re-raised signal reaches a listener that lets the event loop
      // drain first, the process still ends as killed-by-signal would: 128+n.
      process.exitCode = 128 + constants.signals[sig];
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}
