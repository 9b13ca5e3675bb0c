import { UsageError } from '../usage-error.js';

/**
 * Simulated builds (the emulator core) are not in this release yet; say so
 * plainly instead of pretending.
 */
export function simulatedBuildUnavailable(command: string): never {
  throw new UsageError(`${command} --build: simulated builds are not available yet (emulator core pending); use --qemu PATH`);
}
