/**
 * A growable big-endian writer. Capacity doubles, so writing a stream is
 * linear; `finish()` returns a view of exactly the bytes written.
 */
export class WireWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** The buffer past `pos` may hold stale memory (presized). */
  private unzeroed = false;
  pos = 0;

  constructor(initialCapacity = 4096) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  /**
   * A writer whose first buffer is not zeroed, for a caller that knows
   * (about) the size it will write: a saved stream is ~640 KB, and zeroing
   * it was a memset of every byte about to be overwritten. finish() zeroes
   * whatever was left unwritten, so no stale memory is reachable from the
   * bytes' buffer; a writer that outgrows it continues in a zeroed one.
   */
  static presized(size: number): WireWriter {
    const w = new WireWriter(0);
    const b = Buffer.allocUnsafeSlow(size);
    w.buf = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    w.view = new DataView(w.buf.buffer, w.buf.byteOffset, w.buf.byteLength);
    w.unzeroed = true;
    return w;
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = Math.max(this.buf.length, 1) * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.unzeroed = false;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.view.setUint16(this.pos, v & 0xffff);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
    return this;
  }

  u64(v: bigint | number): this {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, BigInt(v)));
    this.pos += 8;
    return this;
  }

  i8(v: number): this {
    return this.u8(v & 0xff);
  }

  i16(v: number): this {
    return this.u16(v & 0xffff);
  }

  i32(v: number): this {
    return this.u32(v >>> 0);
  }

  i64(v: bigint | number): this {
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt.asIntN(64, BigInt(v)));
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  fill(value: number, n: number): this {
    this.ensure(n);
    this.buf.fill(value, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** One-byte length then latin1 bytes; QEMU idstrs are at most 255 bytes. */
  shortString(s: string): this {
    if (s.length > 255) throw new RangeError(`idstr longer than 255 bytes: ${s.slice(0, 40)}...`);
    this.ensure(1 + s.length);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = s.length;
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i) & 0xff;
    this.pos = pos;
    return this;
  }

  finish(): Uint8Array {
    if (this.unzeroed) {
      this.buf.fill(0, this.pos);
      this.unzeroed = false;
    }
    return this.buf.subarray(0, this.pos);
  }
}
