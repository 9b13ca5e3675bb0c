import { loadIntoQemu, type MachineSpec } from '../targets/index.js';
import type { FuzzLoad, FuzzTarget } from './target.js';

/**
 * Real QEMU as a fuzz target: each input goes to a fresh
 * `qemu-system-x86_64 -incoming defer` over a unix socket (harness/targets
 * loadIntoQemu: QMP verdict, exit status, kill on timeout). A hang is the
 * timeout; a crash is a signal or an exit that is not a clean refusal. Two
 * loads at once: the QEMU slot limiter caps processes machine-wide.
 */
export const DEFAULT_FUZZ_QEMU_TIMEOUT_MS = 10_000;

export class QemuFuzzTarget implements FuzzTarget {
  readonly id: string;
  readonly machine: string;
  readonly inProcess = false;
  readonly concurrency = 2;

  constructor(
    readonly qemuPath: string,
    readonly spec: MachineSpec,
    readonly timeoutMs = DEFAULT_FUZZ_QEMU_TIMEOUT_MS,
  ) {
    this.id = `qemu:${qemuPath}`;
    this.machine = spec.machine;
  }

  async load(bytes: Uint8Array): Promise<FuzzLoad> {
    const out = await loadIntoQemu(this.qemuPath, this.spec, bytes, { timeoutMs: this.timeoutMs });
    return { verdict: out.verdict, durationMs: out.durationMs, log: out.log };
  }
}
