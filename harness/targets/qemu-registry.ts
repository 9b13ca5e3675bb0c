/**
 * Every QEMU process this Node process started, so none outlives us.
 *
 * Three layers, because any one can miss: QEMU is started under
 * `setpriv --pdeathsig KILL` where available (the kernel kills it if we die,
 * even by SIGKILL); this registry kills what is left on `exit`, SIGINT and
 * SIGTERM; and suites call `killAllQemu()` in their teardown.
 */

interface Tracked {
  pid: number;
}

const live = new Map<number, Tracked>();
let hooksInstalled = false;

export function trackQemu(pid: number): void {
  installHooks();
  live.set(pid, { pid });
}

export function untrackQemu(pid: number): void {
  live.delete(pid);
}

/** Pids of QEMU processes started by this process that have not been reaped. */
export function liveQemuPids(): number[] {
  return [...live.keys()];
}

/** SIGKILLs every tracked QEMU, synchronously (safe in an `exit` handler). */
export function killAllQemu(): number {
  let killed = 0;
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone: ESRCH
    }
    live.delete(pid);
  }
  return killed;
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllQemu);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllQemu();
      // If nobody else handles the signal, restore the default action and
      // re-raise it so the process still dies the way it was asked to.
      if (process.listenerCount(sig) === 1) {
        process.off(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}
