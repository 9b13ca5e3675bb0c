import { describe, expect, it } from 'vitest';
import { runLoad } from '../../../harness/fuzz/in-process-load.js';

/**
 * The in-process hang backstop counts CPU time, not wall time: a load that
 * waits for a core (a loaded machine) is not a hung loader, a load that
 * spins is. Both loaders below take ~80 ms of wall time against a 20 ms
 * limit; only the spinning one uses the CPU.
 */
function spinFor(ms: number): void {
  const cpu0 = process.cpuUsage();
  for (;;) {
    const c = process.cpuUsage(cpu0);
    if ((c.user + c.system) / 1000 >= ms) return;
  }
}

function sleepFor(ms: number): void {
  // A synchronous wait that uses no CPU, as a descheduled load would.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('in-process hang backstop', () => {
  it('calls a load that used more CPU than the limit a hang', () => {
    const run = runLoad(() => (spinFor(80), { accepted: true }), 20, false);
    expect(run.verdict.kind).toBe('hang');
    expect(run.verdict.kind === 'hang' && run.verdict.message).toMatch(/ms of CPU/);
  });

  it('keeps the verdict of a load that was slow only in wall time', () => {
    const run = runLoad(() => (sleepFor(80), { accepted: true }), 20, false);
    expect(run.durationMs).toBeGreaterThanOrEqual(20);
    expect(run.verdict).toEqual({ kind: 'accepted' });
  });
});
