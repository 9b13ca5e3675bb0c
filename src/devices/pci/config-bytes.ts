/**
 * Little-endian accessors for config-space-like byte arrays (QEMU's
 * pci_get_word / pci_set_long ...). PCI registers are little-endian whatever
 * the stream's byte order; the migration stream only carries the raw bytes.
 */

export function getByte(b: Uint8Array, at: number): number {
  return b[at] ?? 0;
}

export function getWord(b: Uint8Array, at: number): number {
  return getByte(b, at) | (getByte(b, at + 1) << 8);
}

export function getLong(b: Uint8Array, at: number): number {
  return (getWord(b, at) | (getWord(b, at + 2) << 16)) >>> 0;
}

export function getQuad(b: Uint8Array, at: number): bigint {
  return BigInt(getLong(b, at)) | (BigInt(getLong(b, at + 4)) << 32n);
}

export function setWord(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
}

export function setLong(b: Uint8Array, at: number, v: number): void {
  setWord(b, at, v & 0xffff);
  setWord(b, at + 2, (v >>> 16) & 0xffff);
}

export function setQuad(b: Uint8Array, at: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  setLong(b, at, Number(u & 0xffffffffn));
  setLong(b, at + 4, Number(u >> 32n));
}

/** pci_word_test_and_set_mask: OR `mask` into the word at `at`. */
export function orWord(b: Uint8Array, at: number, mask: number): void {
  setWord(b, at, getWord(b, at) | mask);
}

export function orLong(b: Uint8Array, at: number, mask: number): void {
  setLong(b, at, (getLong(b, at) | mask) >>> 0);
}

/** Two-digit lower-case hex without prefix, as printf("%x") prints a byte. */
export function hex(v: number | bigint): string {
  return v.toString(16);
}
