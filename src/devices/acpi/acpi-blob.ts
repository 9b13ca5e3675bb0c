/**
 * A growable little-endian byte array: QEMU builds ACPI tables, the linker
 * command table and the vmgenid GUID file in GArrays that grow while linker
 * commands that point into them are recorded. The linker checks offsets
 * against the blob's length at that moment, as QEMU's asserts do.
 */
export class AcpiBlob {
  private buf: Uint8Array;
  length = 0;

  constructor(initial?: Uint8Array) {
    this.buf = new Uint8Array(Math.max(64, initial?.length ?? 0));
    if (initial) {
      this.buf.set(initial);
      this.length = initial.length;
    }
  }

  private reserve(n: number): void {
    if (n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** g_array_set_size: grow with zeros or truncate. */
  setLength(n: number): void {
    this.reserve(n);
    if (n < this.length) this.buf.fill(0, n, this.length);
    this.length = n;
  }

  append(bytes: Uint8Array | number[]): number {
    const at = this.length;
    this.setLength(at + bytes.length);
    this.buf.set(bytes, at);
    return at;
  }

  /** build_append_int_noprefix: `size` bytes of `value`, little-endian. */
  appendLE(value: number | bigint, size: number): number {
    const at = this.length;
    this.setLength(at + size);
    this.setLE(at, value, size);
    return at;
  }

  setLE(offset: number, value: number | bigint, size: number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < size; i++) {
      this.buf[offset + i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }

  getLE(offset: number, size: number): bigint {
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.buf[offset + i] ?? 0);
    return v;
  }

  /** A view of the current contents (invalidated by growth). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the current contents. */
  copy(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** ROUND_UP(len, align) as acpi_align_size pads a blob. */
export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}
