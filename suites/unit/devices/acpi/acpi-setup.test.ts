import { describe, expect, it } from 'vitest';
import { acpiTableChecksumOk } from '../../../../src/devices/acpi/acpi-checksum.js';
import { AcpiBuildState, buildAcpiSetup, installAcpiFwCfg, updateAcpiFwCfg } from '../../../../src/devices/acpi/acpi-setup.js';
import { defaultLoaderLayout, runLinkerLoader } from '../../../../src/devices/acpi/linker-executor.js';
import { FwCfg } from '../../../../src/devices/fw-cfg/fw-cfg.js';
import { createSparseGuestMemory } from '../../../../src/devices/fw-cfg/guest-memory.js';
import { fwCfgOptionsForMachine } from '../../../../src/devices/fw-cfg/machine-defaults.js';
import { VmGenId } from '../../../../src/devices/vmgenid/vmgenid.js';
import { loadRealCapture } from './real-capture.js';

const RAM = 0x2000000;
const GUID = '324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87';

describe('acpi_build model', () => {
  it('produces the real etc/table-loader of a running pc-q35-7.2 + vmgenid byte for byte', () => {
    const dev = VmGenId.realize(GUID, { fwCfgDmaEnabled: true, existing: 0 });
    const setup = buildAcpiSetup({ board: 'q35', vmgenid: true, afterFirmware: true }, dev);
    expect(Buffer.from(setup.loader).equals(Buffer.from(loadRealCapture().loader))).toBe(true);
    expect(setup.tables.length).toBe(0x20000);
    expect(setup.rsdp.length).toBe(20);
  });

  it('boots through the firmware model: every table checksums, the RSDP points at the RSDT, vmgenid gets its address', () => {
    const fw = new FwCfg(fwCfgOptionsForMachine('pc-q35-7.2'));
    const dev = VmGenId.realize(GUID, { fwCfgDmaEnabled: fw.dmaEnabled, existing: 0 });
    const setup = buildAcpiSetup({ board: 'q35', cpus: 2, pciDevices: 2, vmgenid: true }, dev);
    installAcpiFwCfg(fw, setup);
    dev.addFwCfg(fw, setup.deviceBlob!);
    const mem = createSparseGuestMemory(RAM);
    const res = runLinkerLoader(setup.loader, fw, mem, defaultLoaderLayout(RAM));
    const tablesAt = res.allocations.get('etc/acpi/tables')!.addr;
    const rsdp = mem.read(res.allocations.get('etc/acpi/rsdp')!.addr, 20);
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const rsdtAddr = view(rsdp).getUint32(16, true);
    const rsdt = mem.read(rsdtAddr, view(mem.read(rsdtAddr, 8)).getUint32(4, true));
    expect(acpiTableChecksumOk(rsdt)).toBe(true);
    const sigs: string[] = [];
    for (let i = 36; i < rsdt.length; i += 4) {
      const at = view(rsdt).getUint32(i, true);
      const t = mem.read(at, view(mem.read(at, 8)).getUint32(4, true));
      sigs.push(Buffer.from(t.subarray(0, 4)).toString('latin1'));
      expect(acpiTableChecksumOk(t)).toBe(true);
      expect(at).toBeGreaterThanOrEqual(tablesAt);
    }
    expect(sigs).toEqual(['FACP', 'APIC', 'SSDT', 'HPET', 'WAET']);
    expect(dev.address()).toBe(res.allocations.get('etc/vmgenid_guid')!.addr + 40);
  });

  it('pc-i440fx-2.0 keeps the 36-byte RSDP and the legacy 0x2000 tables', () => {
    const setup = buildAcpiSetup({ board: 'pc', machineVersion: { major: 2, minor: 0 } });
    expect(setup.rsdp.length).toBe(36);
    expect(setup.tables.length).toBe(0x2000);
  });

  it('the first guest read rebuilds once (patched 0 -> 1, as the -S and running captures show); reset re-arms it', () => {
    const fw = new FwCfg(fwCfgOptionsForMachine('pc-q35-7.2'));
    let rebuilds = 0;
    const state = new AcpiBuildState(() => {
      rebuilds++;
      updateAcpiFwCfg(fw, buildAcpiSetup({ board: 'q35', afterFirmware: true }));
    });
    installAcpiFwCfg(fw, buildAcpiSetup({ board: 'q35' }), state);
    expect(state.patched).toBe(0);
    fw.select(fw.selectKeyOf('etc/table-loader')!);
    fw.select(fw.selectKeyOf('etc/acpi/tables')!);
    expect([state.patched, rebuilds]).toEqual([1, 1]);
    // the rebuilt loader has MCFG's checksum and RSDT entry: 17 + 2 commands, still one page
    expect(fw.file('etc/table-loader')!.data.length).toBe(0x1000);
    expect(fw.regs.tableMrSize).toBe(0x20000n);
    state.reset();
    expect(state.patched).toBe(0);
  });
});
