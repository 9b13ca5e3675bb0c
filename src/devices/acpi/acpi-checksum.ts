/** The 8-bit sum of a byte range; an ACPI table is valid when the sum over it is 0 mod 256. */
export function byteSum(bytes: Uint8Array, start = 0, length = bytes.length - start): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum = (sum + bytes[i]!) & 0xff;
  return sum;
}

/** True when the ACPI table (header length at offset 4) sums to zero. */
export function acpiTableChecksumOk(table: Uint8Array): boolean {
  const len = new DataView(table.buffer, table.byteOffset, table.byteLength).getUint32(4, true);
  return len <= table.length && byteSum(table, 0, len) === 0;
}
