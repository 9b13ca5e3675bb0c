import { describe, expect, it } from 'vitest';
import { AcpiBlob } from '../../../../src/devices/acpi/acpi-blob.js';
import { BiosLinker } from '../../../../src/devices/acpi/linker-builder.js';
import { defaultLoaderLayout, runLinkerLoader } from '../../../../src/devices/acpi/linker-executor.js';
import { FwCfg } from '../../../../src/devices/fw-cfg/fw-cfg.js';
import { createSparseGuestMemory } from '../../../../src/devices/fw-cfg/guest-memory.js';
import { fwCfgOptionsForMachine } from '../../../../src/devices/fw-cfg/machine-defaults.js';
import { formatGuid, guidToLittleEndian, parseGuid } from '../../../../src/devices/vmgenid/guid.js';
import { VmGenId } from '../../../../src/devices/vmgenid/vmgenid.js';
import { vmgenidCommit, vmgenidToState, vmstateVmgenid } from '../../../../src/devices/vmgenid/vmstate.js';
import { catchLoad } from '../acpi/catch-load.js';
import { loadRealCapture } from '../acpi/real-capture.js';

const GUID_A = '324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87';
const GUID_B = 'a6a1e3b0-7d2c-4b1e-9f00-112233445566';
const RAM = 0x2000000;

describe('vmgenid guid property', () => {
  it('parses QEMU syntax and keeps the string order (QemuUUID is big-endian)', () => {
    expect(Buffer.from(parseGuid(GUID_A)).toString('hex')).toBe('324e6eafd1d14bf6bf41b9bb6c91fb87');
    expect(formatGuid(parseGuid(GUID_A.toUpperCase()))).toBe(GUID_A);
  });

  it('converts to the guest layout by swapping the first three fields (qemu_uuid_bswap)', () => {
    // What real QEMU 7.2 + SeaBIOS left at the vmgenid address in guest RAM.
    expect(Buffer.from(guidToLittleEndian(parseGuid(GUID_A))).toString('hex')).toBe('af6e4e32d1d1f64bbf41b9bb6c91fb87');
  });

  it('"auto" yields a version 4 UUID from the given random source', () => {
    const g = parseGuid('auto', () => new Uint8Array(16).fill(0xff));
    expect(formatGuid(g)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });

  it('refuses anything else with qdev wording (checked on the real 7.2 binary)', () => {
    const e = catchLoad(() => parseGuid('xyz'));
    expect(e.code).toBe('vmgenid.bad-guid');
    expect(e.message).toBe("Property 'vmgenid.guid' doesn't take value 'xyz'");
  });
});

describe('vmgenid realize', () => {
  // Real 7.2: refused on pc-i440fx-2.0 and 2.4, accepted on 2.5, 2.6, q35-2.6 and isapc.
  it.each([
    ['pc-i440fx-2.0', false],
    ['pc-i440fx-2.4', false],
    ['pc-q35-2.4', false],
    ['pc-i440fx-2.5', true],
    ['pc-q35-2.6', true],
    ['pc-q35-7.2', true],
    ['isapc', true],
  ])('%s: accepted=%s', (machine, ok) => {
    const ctx = { fwCfgDmaEnabled: fwCfgOptionsForMachine(machine).dmaEnabled, existing: 0 };
    if (ok) {
      expect(VmGenId.realize(GUID_A, ctx).guidText).toBe(GUID_A);
    } else {
      const e = catchLoad(() => VmGenId.realize(GUID_A, ctx));
      expect(e.code).toBe('vmgenid.no-dma');
      expect(e.message).toBe('vmgenid requires DMA write support in fw_cfg, which this machine type does not provide');
    }
  });

  it('allows one device only', () => {
    const e = catchLoad(() => VmGenId.realize(GUID_A, { fwCfgDmaEnabled: true, existing: 1 }));
    expect(e.message).toBe('at most one vmgenid device is permitted');
  });
});

describe('vmgenid ACPI', () => {
  it('builds the SSDT and linker commands real QEMU 7.2 built (at the same offset of etc/acpi/tables)', () => {
    const real = loadRealCapture();
    const tables = new AcpiBlob(real.tables.slice(0, 0x21a0)); // everything before the SSDT
    const linker = new BiosLinker();
    linker.alloc('etc/acpi/tables', tables, 64, false);
    const dev = VmGenId.realize(GUID_A, { fwCfgDmaEnabled: true, existing: 0 });
    const guidBlob = dev.buildAcpi(tables, linker);
    expect(tables.length).toBe(0x21a0 + 0xca);
    expect(Buffer.from(tables.bytes().subarray(0x21a0)).toString('hex')).toBe(Buffer.from(real.tables.subarray(0x21a0, 0x21a0 + 0xca)).toString('hex'));
    expect(linker.commands()).toEqual([
      { kind: 'allocate', file: 'etc/vmgenid_guid', align: 0x1000, zone: 1 },
      { kind: 'allocate', file: 'etc/acpi/tables', align: 0x40, zone: 1 },
      { kind: 'write-pointer', destFile: 'etc/vmgenid_addr', srcFile: 'etc/vmgenid_guid', dstOffset: 0, srcOffset: 0x28, size: 8 },
      { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/vmgenid_guid', offset: 0x21ca, size: 4 },
      { kind: 'add-checksum', file: 'etc/acpi/tables', offset: 0x21a9, start: 0x21a0, length: 0xca },
    ]);
    expect(guidBlob.length).toBe(4096);
    expect(Buffer.from(guidBlob.bytes().subarray(0, 56)).equals(Buffer.from(real.guidBlobPrefix))).toBe(true);
  });
});

/** Boot a machine's firmware path: fw_cfg files, linker/loader run into guest RAM. */
function boot(guid: string) {
  const fw = new FwCfg({ dmaEnabled: true, acpiMrRestore: true });
  const dev = VmGenId.realize(guid, { fwCfgDmaEnabled: true, existing: 0 });
  const tables = new AcpiBlob();
  const linker = new BiosLinker();
  linker.alloc('etc/acpi/tables', tables, 64, false);
  tables.setLength(64); // a FACS-sized gap, as acpi_build starts with the FACS
  const guidBlob = dev.buildAcpi(tables, linker);
  tables.setLength(0x20000);
  fw.addFile('etc/acpi/tables', tables.copy());
  fw.addFile('etc/table-loader', linker.encode());
  dev.addFwCfg(fw, guidBlob);
  const mem = createSparseGuestMemory(RAM);
  runLinkerLoader(fw.file('etc/table-loader')!.data, fw, mem, defaultLoaderLayout(RAM));
  return { fw, dev, mem };
}

const guestGuid = (mem: ReturnType<typeof createSparseGuestMemory>, addr: number) => Buffer.from(mem.read(addr, 16)).toString('hex');

describe('vmgenid across a migration', () => {
  it('the destination writes its own GUID at the source-reported address; the guest sees the new GUID', () => {
    const src = boot(GUID_A);
    const addr = src.dev.address();
    expect(addr).toBe(0x1fff000 + 40);
    expect(guestGuid(src.mem, addr)).toBe('af6e4e32d1d1f64bbf41b9bb6c91fb87');

    // Destination: same machine started with another guid; firmware does not run on an incoming VM.
    const dst = VmGenId.realize(GUID_B, { fwCfgDmaEnabled: true, existing: 0 });
    expect(dst.address()).toBe(0);
    const dstMem = createSparseGuestMemory(RAM);
    dstMem.write(0x1fff000, src.mem.read(0x1fff000, 4096)); // RAM migrated as is

    const state = vmgenidToState(src.dev);
    expect(state).toEqual({ vmgenid_addr_le: [0x28, 0xf0, 0xff, 0x01, 0, 0, 0, 0] });
    expect(vmgenidCommit(dst, state, dstMem)).toBe(true);
    expect(dst.address()).toBe(addr);
    // a6a1e3b0-7d2c-4b1e-... with time_low, time_mid, time_hi swapped. Checked on real 7.2: a
    // pc-q35-7.2 destination started with this guid, fed the real running-source stream
    // (fixture q35-vmgenid-7.2), showed `xp /16xb 0x1fff028` = b0 e3 a1 a6 2c 7d 1e 4b 9f 00 11 22 33 44 55 66.
    expect(guestGuid(dstMem, addr)).toBe('b0e3a1a62c7d1e4b9f00112233445566');
  });

  it('a zero address (firmware never ran on the source) writes nothing', () => {
    const dst = VmGenId.realize(GUID_B, { fwCfgDmaEnabled: true, existing: 0 });
    const mem = createSparseGuestMemory(RAM);
    expect(vmgenidCommit(dst, { vmgenid_addr_le: [0, 0, 0, 0, 0, 0, 0, 0] }, mem)).toBe(false);
    expect(mem.pages.size).toBe(0);
  });

  it('reset clears the address so firmware must report it again', () => {
    const { dev } = boot(GUID_A);
    dev.reset();
    expect(dev.address()).toBe(0);
  });

  it('the vmstate is vmgenid v1 with an 8-byte uint8 array, as the real vmdesc shows', () => {
    expect(vmstateVmgenid.name).toBe('vmgenid');
    expect(vmstateVmgenid.version_id).toBe(1);
    expect(vmstateVmgenid.fields).toEqual([{ name: 'vmgenid_addr_le', kind: 'array', of: { kind: 'int', type: 'uint8' }, length: 8 }]);
  });
});
