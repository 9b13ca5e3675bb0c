import { LoadError } from './load-error.js';
import type { StepBudget } from './step-budget.js';

/**
 * A bounds-checked big-endian reader over a byte array.
 *
 * It never reads past the end and never allocates from a length field: every
 * length is checked against what remains before a view is taken, so a claim
 * of 2^40 bytes fails as `wire.truncated` without touching memory. Byte
 * buffers come back as views (subarray), not copies, which is what keeps page
 * payloads cheap to parse.
 */
export class WireReader {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  pos: number;
  /** Path of the item being read; copied into any error. */
  path = '';
  /** The load's work budget (step-budget.ts); undefined: unbounded. */
  budget: StepBudget | undefined = undefined;

  constructor(buf: Uint8Array, pos = 0) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
  }

  get length(): number {
    return this.buf.length;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Fails unless `n` more bytes exist. `n` may be a bigint from the wire. */
  need(n: number | bigint, what = 'data'): void {
    if (typeof n === 'bigint' ? n > BigInt(this.remaining) : n > this.remaining || n < 0) {
      throw new LoadError(
        'wire.truncated',
        `Stream truncated: ${what} needs ${n} bytes at offset ${this.pos}, ${this.remaining} remain`,
        this.pos,
        this.path,
      );
    }
  }

  u8(): number {
    this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2, 'u16');
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4, 'u32');
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8, 'u64');
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  i8(): number {
    this.need(1, 'i8');
    return this.view.getInt8(this.pos++);
  }

  i16(): number {
    this.need(2, 'i16');
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4, 'i32');
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  i64(): bigint {
    this.need(8, 'i64');
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number | bigint, what = 'buffer'): Uint8Array {
    this.need(n, what);
    const len = Number(n);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(n: number | bigint, what = 'skip'): void {
    this.need(n, what);
    this.pos += Number(n);
  }

  /** A one-byte length followed by that many bytes, as latin1 text (QEMU idstrs). */
  shortString(what = 'string'): string {
    const len = this.u8();
    return latin1(this.bytes(len, what));
  }

  peekU8(): number | undefined {
    return this.pos < this.buf.length ? this.buf[this.pos] : undefined;
  }
}

/**
 * A name as C code sees it: up to its first NUL. QEMU reads counted names
 * into a NUL-terminated buffer (`id[len] = 0`) and then uses them with
 * strcmp and %s, so any bytes after an embedded NUL are sent but never used.
 */
export function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

export function latin1(bytes: Uint8Array): string {
  // One flat string per chunk (not a string per byte, which an idstr read on every RAM record paid).
  if (bytes.length <= LATIN1_CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let i = 0; i < bytes.length; i += LATIN1_CHUNK) s += String.fromCharCode.apply(null, bytes.subarray(i, i + LATIN1_CHUNK) as unknown as number[]);
  return s;
}

/** Bytes passed to String.fromCharCode at once (well below engines' argument limits). */
const LATIN1_CHUNK = 4096;
