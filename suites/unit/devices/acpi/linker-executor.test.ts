import { describe, expect, it } from 'vitest';
import { acpiTableChecksumOk, byteSum } from '../../../../src/devices/acpi/acpi-checksum.js';
import { decodeLinkerTable, encodeLinkerTable } from '../../../../src/devices/acpi/linker-codec.js';
import type { LinkerCommand } from '../../../../src/devices/acpi/linker-commands.js';
import { defaultLoaderLayout, runLinkerLoader } from '../../../../src/devices/acpi/linker-executor.js';
import { FwCfg } from '../../../../src/devices/fw-cfg/fw-cfg.js';
import { createSparseGuestMemory } from '../../../../src/devices/fw-cfg/guest-memory.js';
import { VmGenId } from '../../../../src/devices/vmgenid/vmgenid.js';
import { catchLoad } from './catch-load.js';
import { loadRealCapture } from './real-capture.js';

const GUID = '324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87';
const RAM = 0x2000000; // -m 32M

/** fw_cfg as the real pc-q35-7.2 + vmgenid machine exposed it, from the capture's own blobs. */
function realMachine() {
  const real = loadRealCapture();
  const fw = new FwCfg({ dmaEnabled: true, acpiMrRestore: true });
  const dev = VmGenId.realize(GUID, { fwCfgDmaEnabled: true, existing: 0 });
  fw.addFile('etc/acpi/tables', real.tables.slice());
  fw.addFile('etc/table-loader', real.loader.slice());
  fw.addFile('etc/acpi/rsdp', real.rsdp.slice());
  dev.addFwCfg(fw, dev.guidFile());
  return { real, fw, dev, mem: createSparseGuestMemory(RAM) };
}

describe('linker/loader executor: what SeaBIOS did in a real QEMU 7.2 run', () => {
  it('places the blobs where SeaBIOS placed them', () => {
    const { real, fw, mem } = realMachine();
    const res = runLinkerLoader(real.loader, fw, mem, defaultLoaderLayout(RAM));
    // Real run: FACP's FACS pointer = 0x1fdf000 (tables base), RSDP found at 0xf59e0,
    // vmgenid_addr = 0x1fff028 = GUID page 0x1fff000 + 40.
    expect(res.allocations.get('etc/vmgenid_guid')).toEqual({ addr: 0x1fff000, size: 0x1000 });
    expect(res.allocations.get('etc/acpi/tables')).toEqual({ addr: 0x1fdf000, size: 0x20000 });
    expect(res.allocations.get('etc/acpi/rsdp')).toEqual({ addr: 0xf59e0, size: 20 });
  });

  it('leaves the tables and RSDP byte for byte as real guest RAM had them (pointers patched, checksums fixed)', () => {
    const { real, fw, mem } = realMachine();
    runLinkerLoader(real.loader, fw, mem, defaultLoaderLayout(RAM));
    expect(Buffer.from(mem.read(0x1fdf000, 0x20000)).equals(Buffer.from(real.tablesPatched))).toBe(true);
    expect(Buffer.from(mem.read(0xf59e0, 20)).equals(Buffer.from(real.rsdpPatched))).toBe(true);
  });

  it('every table sums to 0 mod 256 after patching (each was non-zero before: QEMU leaves checksums to firmware)', () => {
    const { real, fw, mem } = realMachine();
    runLinkerLoader(real.loader, fw, mem, defaultLoaderLayout(RAM));
    const checksums = decodeLinkerTable(real.loader).flatMap((c) => (c.cmd.kind === 'add-checksum' ? [c.cmd] : []));
    expect(checksums.length).toBe(9);
    const base = { 'etc/acpi/tables': 0x1fdf000, 'etc/acpi/rsdp': 0xf59e0 } as Record<string, number>;
    for (const c of checksums) {
      const table = mem.read(base[c.file]! + c.start, c.length);
      expect(byteSum(table)).toBe(0);
    }
    // The SSDT at 0x21a0 (202 bytes) summed to 191 unpatched (independent Python check).
    expect(byteSum(real.tables, 0x21a0, 0xca)).toBe(191);
    expect(acpiTableChecksumOk(mem.read(0x1fdf000 + 0x21a0, 0xca))).toBe(true);
  });

  it('WRITE_POINTER puts the GUID address into etc/vmgenid_addr, and the page holds the GUID at 40', () => {
    const { real, fw, dev, mem } = realMachine();
    const res = runLinkerLoader(real.loader, fw, mem, defaultLoaderLayout(RAM));
    expect(res.writes).toEqual([{ file: 'etc/vmgenid_addr', offset: 0, value: 0x1fff028n, size: 8 }]);
    // The real stream's vmgenid section is exactly these 8 bytes.
    expect(Array.from(dev.addrLe)).toEqual(Array.from(real.vmgenidSection));
    expect(dev.address()).toBe(0x1fff028);
    expect(Buffer.from(mem.read(0x1fff000, 56)).equals(Buffer.from(real.guidBlobPrefix))).toBe(true);
  });

  it('validates the whole table before writing anything', () => {
    const { fw, mem } = realMachine();
    const cmds: LinkerCommand[] = [
      { kind: 'allocate', file: 'etc/acpi/tables', align: 64, zone: 1 },
      { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x20000 - 3, size: 4 },
    ];
    const e = catchLoad(() => runLinkerLoader(encodeLinkerTable(cmds), fw, mem, defaultLoaderLayout(RAM)));
    expect(e.code).toBe('linker.pointer-out-of-bounds');
    expect(mem.pages.size).toBe(0);
  });

  it('refuses WRITE_POINTER when fw_cfg has no DMA (firmware cannot write back)', () => {
    const { real, mem } = realMachine();
    const fw = new FwCfg({ dmaEnabled: false, acpiMrRestore: false });
    const dev = VmGenId.realize(GUID, { fwCfgDmaEnabled: true, existing: 0 });
    fw.addFile('etc/acpi/tables', real.tables.slice());
    fw.addFile('etc/acpi/rsdp', real.rsdp.slice());
    dev.addFwCfg(fw, dev.guidFile());
    expect(catchLoad(() => runLinkerLoader(real.loader, fw, mem, defaultLoaderLayout(RAM))).code).toBe('fwcfg.no-dma');
  });

  it('refuses a pointer whose address does not fit its size', () => {
    const { fw, mem } = realMachine();
    const cmds: LinkerCommand[] = [
      { kind: 'allocate', file: 'etc/acpi/tables', align: 64, zone: 1 },
      { kind: 'add-pointer', destFile: 'etc/acpi/tables', srcFile: 'etc/acpi/tables', offset: 0x100, size: 2 },
    ];
    expect(catchLoad(() => runLinkerLoader(encodeLinkerTable(cmds), fw, mem, defaultLoaderLayout(RAM))).code).toBe('linker.pointer-overflow');
  });
});
