import { DestinationPool, type MachineSpec } from '../targets/index.js';
import type { FuzzLoad, FuzzTarget } from './target.js';

/**
 * Real QEMU as a fuzz target: each input goes to a fresh
 * `qemu-system-x86_64 -incoming defer` over a unix socket (harness/targets
 * loadInto: QMP verdict, exit status, kill on timeout). A hang is the
 * timeout; a crash is a signal or an exit that is not a clean refusal. Two
 * loads at once: the QEMU slot limiter caps loads machine-wide, and a
 * destination pool starts the next QEMUs while the current ones load.
 */
export const DEFAULT_FUZZ_QEMU_TIMEOUT_MS = 10_000;

export class QemuFuzzTarget implements FuzzTarget {
  readonly id: string;
  readonly machine: string;
  readonly inProcess = false;
  readonly concurrency = 2;
  private readonly pool: DestinationPool;

  constructor(
    readonly qemuPath: string,
    readonly spec: MachineSpec,
    readonly timeoutMs = DEFAULT_FUZZ_QEMU_TIMEOUT_MS,
  ) {
    this.id = `qemu:${qemuPath}`;
    this.machine = spec.machine;
    this.pool = new DestinationPool({ qemuPath, spec, size: this.concurrency });
  }

  async load(bytes: Uint8Array): Promise<FuzzLoad> {
    const out = await this.pool.load(bytes, { timeoutMs: this.timeoutMs });
    return { verdict: out.verdict, durationMs: out.durationMs, log: out.log };
  }

  /** Where its forked destinations start (qemu-zygote.c): QEMU's late fork point or main(); undefined when exec'd. */
  get forkPoint(): 'late' | 'main' | undefined {
    return this.pool.forkPoint;
  }

  /** Kills the destinations started ahead (idle ones go by themselves after a second). */
  close(): Promise<void> {
    return this.pool.close();
  }
}
