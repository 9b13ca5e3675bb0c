/**
 * What the `--build` paths of save, load and migrate share: QEMU words to
 * boot options, and the simulator's own errors mapped to the CLI's exit
 * codes (a machine the build cannot create is a usage error, exit 2).
 */
import { isBootError, MigrationBlockedError, type BootOptions } from '../../../src/vm.js';
import { UsageError } from '../usage-error.js';
import type { MachineOptions } from '../machine-options.js';

export function simBootOptions(opts: Pick<MachineOptions, 'device' | 'ram' | 'seed' | 'smp'>): BootOptions {
  const out: BootOptions = { devices: opts.device, ram: opts.ram, ...(opts.smp ? { smp: opts.smp } : {}) };
  if (opts.seed !== undefined) {
    const seed = Number(opts.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer 0..4294967295, got '${opts.seed}'`);
    out.seed = seed;
  }
  return out;
}

/** Runs `fn`, turning BootError into a UsageError (exit 2). */
export function withBootErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isBootError(e)) throw new UsageError(e.message);
    throw e;
  }
}

/** `refused: <code>: <message>` for a migration blocker (QEMU refuses to start the migration). */
export function blockedLine(e: unknown): string | undefined {
  return e instanceof MigrationBlockedError ? `refused: migration.blocked: ${e.message}` : undefined;
}
