/**
 * Why a simulated machine could not be created: an unknown build, a machine
 * type the build does not offer, a device it does not have or refuses in
 * this configuration. Not a LoadError: nothing was loaded; the CLI maps it
 * to exit 2 (a usage or environment problem), as QEMU refusing to start is.
 */
export type BootErrorCode =
  | 'unknown-build'
  | 'unknown-machine'
  | 'unknown-device'
  | 'device-unavailable'
  | 'device-refused'
  | 'bad-option';

export class BootError extends Error {
  override readonly name = 'BootError';
  constructor(
    readonly code: BootErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isBootError(e: unknown): e is BootError {
  return e instanceof BootError;
}
