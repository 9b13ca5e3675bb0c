import { describe, expect, it } from 'vitest';
import { decodeLinkerTable, encodeLinkerTable } from '../../../../src/devices/acpi/linker-codec.js';
import type { LinkerCommand } from '../../../../src/devices/acpi/linker-commands.js';
import { catchLoad } from './catch-load.js';
import { loadRealCapture } from './real-capture.js';

/**
 * The table real QEMU 7.2 built for pc-q35-7.2 -nodefaults -m 32M with
 * vmgenid, read entry by entry with an independent Python decoder from the
 * /rom@etc/table-loader RAM block of the capture. ALLOCATEs come first in
 * reverse call order (QEMU prepends them): acpi_build allocates tables,
 * then vmgenid_guid, then rsdp.
 */
const REAL: LinkerCommand[] = [
  { kind: 'allocate', file: 'etc/acpi/rsdp', align: 0x10, zone: 2 },
  { kind: 'allocate', file: 'etc/vmgenid_guid', align: 0x1000, zone: 1 },
  { kind: 'allocate', file: 'etc/acpi/tables', align: 0x40, zone: 1 },
  { kind: 'add-checksum', file: 'etc/acpi/tables', offset: 0x49, start: 0x40, length: 0x1ff4 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x2058, size: 4 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x205c, size: 4 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x20c0, size: 8 },
  { kind: 'add-checksum', file: 'etc/acpi/tables', offset: 0x203d, start: 0x2034, length: 0xf4 },
  { kind: 'add-checksum', file: 'etc/acpi/tables', offset: 0x2131, start: 0x2128, length: 0x78 },
  { kind: 'write-pointer', destFile: 'etc/vmgenid_addr', srcFile: 'etc/vmgenid_guid', dstOffset: 0x0, srcOffset: 0x28, size: 8 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/vmgenid_guid', offset: 0x21ca, size: 4 },
  { kind: 'add-checksum', file: 'etc/acpi/tables', offset: 0x21a9, start: 0x21a0, length: 0xca },
  { kind: 'add-checksum', file: 'etc/acpi/tables', offset: 0x2273, start: 0x226a, length: 0x38 },
  { kind: 'add-checksum', file: 'etc/acpi/tables', offset: 0x22ab, start: 0x22a2, length: 0x3c },
  { kind: 'add-checksum', file: 'etc/acpi/tables', offset: 0x22e7, start: 0x22de, length: 0x28 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x232a, size: 4 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x232e, size: 4 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x2332, size: 4 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x2336, size: 4 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x233a, size: 4 },
  { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x233e, size: 4 },
  { kind: 'add-checksum', file: 'etc/acpi/tables', offset: 0x230f, start: 0x2306, length: 0x3c },
  { kind: 'add-pointer', destFile: 'etc/acpi/rsdp', srcFile: 'etc/acpi/tables', offset: 0x10, size: 4 },
  { kind: 'add-checksum', file: 'etc/acpi/rsdp', offset: 0x8, start: 0x0, length: 0x14 },
];

describe('linker table codec against real QEMU 7.2 bytes', () => {
  const real = loadRealCapture();

  it('decodes the real etc/table-loader block command by command', () => {
    const got = decodeLinkerTable(real.loader).map((c) => c.cmd);
    expect(got).toEqual(REAL);
  });

  it('locates each command at its 128-byte entry', () => {
    const got = decodeLinkerTable(real.loader, 0x5000);
    expect(got.map((c) => c.offset)).toEqual(REAL.map((_, i) => 0x5000 + i * 128));
  });

  it('encodes the same commands to the same 4096 bytes (24 entries = 3072 bytes, padded to 0x1000)', () => {
    expect(Buffer.from(encodeLinkerTable(REAL, 0x1000)).equals(Buffer.from(real.loader))).toBe(true);
  });

  it('refuses a table that is not whole entries', () => {
    const e = catchLoad(() => decodeLinkerTable(real.loader.subarray(0, 200)));
    expect(e.code).toBe('linker.table-misaligned');
    expect(e.offset).toBe(128);
  });

  it('refuses a file name that fills its 56 bytes without a NUL', () => {
    const t = real.loader.slice(0, 128);
    t.fill(0x41, 4, 60);
    const e = catchLoad(() => decodeLinkerTable(t));
    expect(e.code).toBe('linker.name-unterminated');
    expect(e.path).toBe('etc/table-loader[0]/file');
  });

  it('keeps unknown command codes (firmware skips them) and drops zero padding', () => {
    const t = new Uint8Array(256);
    t[0] = 0x7f;
    expect(decodeLinkerTable(t).map((c) => c.cmd)).toEqual([{ kind: 'unknown', command: 0x7f }]);
  });
});
