import type { CheckCode } from './checks.js';

/**
 * Why a stream was refused. Modelled on msgpack-javascript's DecodeError:
 * a value with a stable code and a position, never a bare string.
 *
 * `message` uses QEMU's own wording where QEMU has one, so a user can grep
 * QEMU's source or its stderr for the same text.
 */
export class LoadError extends Error {
  override readonly name = 'LoadError';
  readonly code: CheckCode;
  /** Byte offset in the stream where the refused item starts. */
  readonly offset: number;
  /** Section / field / subsection path, e.g. `ram/pc.ram` or `0000:00:1f.0/ICH9LPC/par`. */
  readonly path: string;

  constructor(code: CheckCode, message: string, offset: number, path = '') {
    super(message);
    this.code = code;
    this.offset = offset;
    this.path = path;
  }

  /** A copy located at a deeper path; used when a walker rethrows with context. */
  withPath(path: string): LoadError {
    return new LoadError(this.code, this.message, this.offset, path);
  }

  toJSON(): { code: CheckCode; message: string; offset: number; path: string } {
    return { code: this.code, message: this.message, offset: this.offset, path: this.path };
  }

  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

export function isLoadError(e: unknown): e is LoadError {
  return e instanceof LoadError;
}
