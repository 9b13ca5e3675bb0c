import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcpiBlob } from '../../../../src/devices/acpi/acpi-blob.js';
import { decodeLinkerTable, encodeLinkerTable } from '../../../../src/devices/acpi/linker-codec.js';
import { BiosLinker } from '../../../../src/devices/acpi/linker-builder.js';
import type { LinkerCommand } from '../../../../src/devices/acpi/linker-commands.js';
import { defaultLoaderLayout, runLinkerLoader } from '../../../../src/devices/acpi/linker-executor.js';
import { validateLinkerCommands } from '../../../../src/devices/acpi/linker-validate.js';
import { FwCfg } from '../../../../src/devices/fw-cfg/fw-cfg.js';
import { createSparseGuestMemory } from '../../../../src/devices/fw-cfg/guest-memory.js';
import { VmGenId } from '../../../../src/devices/vmgenid/vmgenid.js';
import { LoadError } from '../../../../src/wire/load-error.js';
import { catchLoad } from './catch-load.js';
import { loadRealCapture } from './real-capture.js';

const SIZES: Record<string, number> = { 'etc/acpi/tables': 0x100, 'etc/acpi/rsdp': 20, 'etc/vmgenid_guid': 0x1000, 'etc/vmgenid_addr': 8 };
const ALLOC: LinkerCommand[] = [
  { kind: 'allocate', file: 'etc/acpi/tables', align: 64, zone: 1 },
  { kind: 'allocate', file: 'etc/vmgenid_guid', align: 4096, zone: 1 },
];

function validate(...cmds: LinkerCommand[]): void {
  validateLinkerCommands(decodeLinkerTable(encodeLinkerTable([...ALLOC, ...cmds])), (n) => SIZES[n]);
}

describe('linker validation: bounds', () => {
  it('ADD_POINTER ending exactly at the end of the file is accepted, one byte further refused', () => {
    expect(() => validate({ kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x100 - 4, size: 4 })).not.toThrow();
    const e = catchLoad(() => validate({ kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x100 - 3, size: 4 }));
    expect(e.code).toBe('linker.pointer-out-of-bounds');
    expect(e.path).toBe('etc/table-loader[2]/offset');
    expect(e.offset).toBe(2 * 128 + 116);
  });

  it('an offset near 2^32 cannot wrap past the check', () => {
    expect(catchLoad(() => validate({ kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0xfffffffe, size: 4 })).code).toBe('linker.pointer-out-of-bounds');
  });

  it('WRITE_POINTER: at the end accepted, one past refused; the source offset must lie inside the source', () => {
    const wp = (dstOffset: number, srcOffset: number): LinkerCommand => ({ kind: 'write-pointer', destFile: 'etc/vmgenid_addr', srcFile: 'etc/vmgenid_guid', dstOffset, srcOffset, size: 8 });
    expect(() => validate(wp(0, 40))).not.toThrow();
    expect(catchLoad(() => validate(wp(1, 40))).code).toBe('linker.pointer-out-of-bounds');
    expect(() => validate(wp(0, 0xfff))).not.toThrow();
    expect(catchLoad(() => validate(wp(0, 0x1000))).code).toBe('linker.src-offset-out-of-bounds');
  });

  it('ADD_CHECKSUM: byte and range inside the file', () => {
    const ck = (offset: number, start: number, length: number): LinkerCommand => ({ kind: 'add-checksum', file: 'etc/acpi/tables', offset, start, length });
    expect(() => validate(ck(9, 0, 0x100))).not.toThrow();
    expect(catchLoad(() => validate(ck(0x100, 0, 0x100))).code).toBe('linker.checksum-out-of-bounds');
    expect(catchLoad(() => validate(ck(9, 1, 0x100))).code).toBe('linker.checksum-out-of-bounds');
  });

  it('pointer sizes other than 1, 2, 4, 8 are refused', () => {
    expect(catchLoad(() => validate({ kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0, size: 3 })).code).toBe('linker.pointer-size');
  });
});

describe('linker validation: files and allocation', () => {
  it.each([
    [[{ kind: 'allocate', file: 'etc/nope', align: 16, zone: 1 }], 'linker.unknown-file'],
    [[{ kind: 'allocate', file: 'etc/acpi/tables', align: 16, zone: 1 }], 'linker.duplicate-allocate'],
    [[{ kind: 'allocate', file: 'etc/acpi/rsdp', align: 24, zone: 2 }], 'linker.bad-alignment'],
    [[{ kind: 'allocate', file: 'etc/acpi/rsdp', align: 16, zone: 3 }], 'linker.bad-zone'],
    [[{ kind: 'add-checksum', file: 'etc/acpi/rsdp', offset: 8, start: 0, length: 20 }], 'linker.not-allocated'],
    [[{ kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/nope', offset: 0, size: 4 }], 'linker.unknown-file'],
    [[{ kind: 'write-pointer', destFile: 'etc/nope', srcFile: 'etc/vmgenid_guid', dstOffset: 0, srcOffset: 0, size: 8 }], 'linker.unknown-file'],
  ] as [LinkerCommand[], string][])('%j -> %s', (cmds, code) => {
    expect(catchLoad(() => validate(...cmds)).code).toBe(code);
  });

  it('alignment 0 means the minimum (QEMU allows it: !(0 & -1))', () => {
    expect(() => validate({ kind: 'allocate', file: 'etc/acpi/rsdp', align: 0, zone: 2 })).not.toThrow();
  });
});

describe('linker builder: QEMU asserts as checks', () => {
  const setup = () => {
    const linker = new BiosLinker();
    const blob = new AcpiBlob(new Uint8Array(0x40));
    linker.alloc('t', blob, 64, false);
    return { linker, blob };
  };

  it('add_pointer at exactly the end is accepted and stores the source offset; one past is refused', () => {
    const { linker, blob } = setup();
    linker.addPointer('t', 0x3c, 4, 't', 0x10);
    expect(blob.getLE(0x3c, 4)).toBe(0x10n);
    expect(catchLoad(() => linker.addPointer('t', 0x3d, 4, 't', 0)).code).toBe('linker.pointer-out-of-bounds');
    expect(catchLoad(() => linker.addPointer('t', 0, 4, 't', 0x40)).code).toBe('linker.src-offset-out-of-bounds');
  });

  it('add_checksum needs the checksum byte inside the range and zeroes it', () => {
    const { linker, blob } = setup();
    blob.setLE(9, 0xaa, 1);
    linker.addChecksum('t', 0, 0x24, 9);
    expect(blob.getLE(9, 1)).toBe(0n);
    expect(catchLoad(() => linker.addChecksum('t', 0x10, 0x10, 9)).code).toBe('linker.checksum-out-of-bounds');
    expect(catchLoad(() => linker.addChecksum('t', 0, 0x41, 9)).code).toBe('linker.checksum-out-of-bounds');
  });

  it('alloc: power-of-two alignment, once per file; other commands need an allocated file', () => {
    const { linker, blob } = setup();
    expect(catchLoad(() => linker.alloc('t', blob, 64, false)).code).toBe('linker.duplicate-allocate');
    expect(catchLoad(() => linker.alloc('u', blob, 48, false)).code).toBe('linker.bad-alignment');
    expect(catchLoad(() => linker.addChecksum('u', 0, 1, 0)).code).toBe('linker.not-allocated');
  });
});

describe('hostile tables never escape as anything but a LoadError', () => {
  it('single-entry mutations of the real table: accepted or refused with a code, never a crash or a stray write', () => {
    const real = loadRealCapture();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 * 128 - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const table = real.loader.slice();
        table[at] = byte;
        const fw = new FwCfg({ dmaEnabled: true, acpiMrRestore: true });
        const dev = VmGenId.realize('324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87', { fwCfgDmaEnabled: true, existing: 0 });
        fw.addFile('etc/acpi/tables', real.tables);
        fw.addFile('etc/acpi/rsdp', real.rsdp);
        dev.addFwCfg(fw, dev.guidFile());
        const mem = createSparseGuestMemory(0x2000000);
        try {
          runLinkerLoader(table, fw, mem, defaultLoaderLayout(0x2000000));
        } catch (e) {
          expect(e).toBeInstanceOf(LoadError);
        }
      }),
      { numRuns: 150, seed: 4 },
    );
  });
});
