import { describe, expect, it } from 'vitest';
import {
  arrayInRelease,
  compatPropertiesFor,
  HW_COMPAT,
  machineFirmwareLayout,
  machineStreamOptions,
  PC_COMPAT,
  resolveProperty,
  UnknownMachineError,
} from '../../../src/machines/index.js';

describe('compatPropertiesFor: order as QEMU builds it', () => {
  it('the newest machine type of a release carries nothing', () => {
    expect(compatPropertiesFor('pc-i440fx-7.2', '7.2')).toEqual([]);
    expect(compatPropertiesFor('pc-q35-10.0', '10.0')).toEqual([]);
  });

  it('pc_i440fx_7_1_machine_options adds hw_compat_7_1 then pc_compat_7_1 (empty)', () => {
    const list = compatPropertiesFor('pc-i440fx-7.1', '7.2');
    // hw/core/machine.c hw_compat_7_1, in source order.
    expect(list.map((e) => `${e.driver}.${e.property}=${e.value}`)).toEqual([
      'virtio-device.queue_reset=false',
      'virtio-rng-pci.vectors=0',
      'virtio-rng-pci-transitional.vectors=0',
      'virtio-rng-pci-non-transitional.vectors=0',
    ]);
  });

  it('newest array first, hw before pc within a version: pc-q35-7.2 in 8.0', () => {
    const arrays = compatPropertiesFor('pc-q35-7.2', '8.0').map((e) => e.array);
    expect([...new Set(arrays)]).toEqual(['hw_compat_7_2', 'pc_compat_7_2']);
  });

  it('pc-i440fx-2.4 in 7.2 walks hw/pc 7.1 down to 2.4 and no further', () => {
    const arrays = [...new Set(compatPropertiesFor('pc-i440fx-2.4', '7.2').map((e) => e.array))];
    expect(arrays[0]).toBe('hw_compat_7_1');
    expect(arrays.at(-2)).toBe('hw_compat_2_4');
    expect(arrays.at(-1)).toBe('pc_compat_2_4');
    expect(arrays).not.toContain('hw_compat_2_3');
    expect(arrays).not.toContain('hw_compat_7_2');
    // Arrays with no entries add nothing (hw_compat_2_2, pc_compat_7_1 ...).
    expect(arrays).not.toContain('pc_compat_7_1');
  });

  it('unversioned boards carry no compat properties', () => {
    expect(compatPropertiesFor('isapc', '7.2')).toEqual([]);
    expect(compatPropertiesFor('microvm', '7.2')).toEqual([]);
  });

  it('refuses a machine type the release does not offer', () => {
    expect(() => compatPropertiesFor('pc-i440fx-1.4', '8.2')).toThrow(UnknownMachineError);
    expect(() => compatPropertiesFor('pc-i440fx-8.0', '7.2')).toThrow(UnknownMachineError);
  });
});

describe('resolveProperty: the last matching entry wins', () => {
  it('pci-bridge.shpc: hw_compat_2_9 says off, hw_compat_2_8 says on', () => {
    expect(resolveProperty('pc-i440fx-2.8', '7.2', 'pci-bridge', 'shpc', 'DEFAULT')).toBe('on');
    expect(resolveProperty('pc-i440fx-2.9', '7.2', 'pci-bridge', 'shpc', 'DEFAULT')).toBe('off');
    expect(resolveProperty('pc-i440fx-2.10', '7.2', 'pci-bridge', 'shpc', 'DEFAULT')).toBe('DEFAULT');
  });

  it('virtio-balloon-device qemu-4-0-config-size: true for 4.0 and 4.0.1, false again for 3.1', () => {
    expect(resolveProperty('pc-q35-4.0', '7.2', 'virtio-balloon-device', 'qemu-4-0-config-size', 'false')).toBe('true');
    expect(resolveProperty('pc-q35-4.0.1', '7.2', 'virtio-balloon-device', 'qemu-4-0-config-size', 'false')).toBe('true');
    expect(resolveProperty('pc-q35-3.1', '7.2', 'virtio-balloon-device', 'qemu-4-0-config-size', 'false')).toBe('false');
  });

  it('ICH9-LPC x-keep-pci-slot-hpc: pc_compat_6_1 false, pc_compat_6_0 true', () => {
    expect(resolveProperty('pc-q35-6.1', '7.2', 'ICH9-LPC', 'x-keep-pci-slot-hpc', 'D')).toBe('false');
    expect(resolveProperty('pc-q35-6.0', '7.2', 'ICH9-LPC', 'x-keep-pci-slot-hpc', 'D')).toBe('true');
  });

  it('i440FX-pcihost short_root_bus: pc_compat_1_6 "1", pc_compat_1_5 "0"', () => {
    expect(resolveProperty('pc-i440fx-1.7', '7.2', 'i440FX-pcihost', 'short_root_bus', 'D')).toBe('D');
    expect(resolveProperty('pc-i440fx-1.6', '7.2', 'i440FX-pcihost', 'short_root_bus', 'D')).toBe('1');
    expect(resolveProperty('pc-i440fx-1.5', '7.2', 'i440FX-pcihost', 'short_root_bus', 'D')).toBe('0');
  });

  it('entries for a QOM parent reach the device through typeChain', () => {
    const e1000 = { typeChain: ['pci-device', 'device'] };
    expect(resolveProperty('pc-q35-2.8', '7.2', 'e1000', 'x-pcie-extcap-init', 'on', e1000)).toBe('off');
    expect(resolveProperty('pc-q35-2.8', '7.2', 'e1000', 'x-pcie-extcap-init', 'on')).toBe('on');
    const vnet = { typeChain: ['virtio-net-pci-base', 'virtio-pci', 'pci-device', 'device'] };
    expect(resolveProperty('pc-q35-5.2', '7.2', 'virtio-net-pci', 'vectors', 'unset', vnet)).toBe('3');
    expect(resolveProperty('pc-q35-6.0', '7.2', 'virtio-net-pci', 'vectors', 'unset', vnet)).toBe('unset');
  });

  it('x-pcie-err-unc-mask: absent from hw_compat_7_2 in 8.0, present from 8.0.1 (commit 5ed3dabe57dd)', () => {
    const pci = { typeChain: ['pci-device'] };
    expect(resolveProperty('pc-q35-7.2', '8.0', 'pcie-root-port', 'x-pcie-err-unc-mask', 'on', pci)).toBe('on');
    expect(resolveProperty('pc-q35-7.2', '8.0.1', 'pcie-root-port', 'x-pcie-err-unc-mask', 'on', pci)).toBe('off');
    expect(resolveProperty('pc-q35-7.2', '8.1', 'pcie-root-port', 'x-pcie-err-unc-mask', 'on', pci)).toBe('off');
    expect(resolveProperty('pc-q35-8.0', '8.1', 'pcie-root-port', 'x-pcie-err-unc-mask', 'on', pci)).toBe('on');
  });

  it('a compat array exists only in releases newer than its version', () => {
    const hw72 = HW_COMPAT.find((a) => a.name === 'hw_compat_7_2');
    expect(hw72 && arrayInRelease(hw72, '7.2')).toBeUndefined();
    expect(hw72 && arrayInRelease(hw72, '8.0')?.length).toBe(3);
    expect(hw72 && arrayInRelease(hw72, '8.0.1')?.length).toBe(4);
  });

  it('array names and versions agree, and no array is listed twice', () => {
    for (const a of [...HW_COMPAT, ...PC_COMPAT]) {
      expect(a.name).toBe(`${a.kind}_compat_${a.version.replace(/\./g, '_')}`);
    }
    const names = [...HW_COMPAT, ...PC_COMPAT].map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('machine options (checked against real 7.2 streams in /tmp/cap)', () => {
  it('hw_compat_2_3 turns off configuration section, footers and global state for <= 2.3', () => {
    expect(machineStreamOptions('pc-i440fx-2.3', '7.2')).toEqual({
      sendConfiguration: false, sendSectionFooter: false, storeGlobalState: false, suppressVmdesc: false,
    });
    expect(machineStreamOptions('pc-i440fx-2.4', '7.2')).toEqual({
      sendConfiguration: true, sendSectionFooter: true, storeGlobalState: true, suppressVmdesc: false,
    });
    expect(machineStreamOptions('pc-q35-2.4', '7.2').sendConfiguration).toBe(true);
    expect(machineStreamOptions('isapc', '7.2').sendConfiguration).toBe(true);
  });

  it('only pc-i440fx-2.0 .. 2.2 suppress the vmdesc (1.4 .. 1.7 and 2.3 write it)', () => {
    const suppressed = ['1.4', '1.5', '1.6', '1.7', '2.0', '2.1', '2.2', '2.3']
      .filter((v) => machineStreamOptions(`pc-i440fx-${v}`, '7.2').suppressVmdesc);
    expect(suppressed).toEqual(['2.0', '2.1', '2.2']);
  });

  it('firmware layout: bios size, ACPI tables and RSDP block by machine type (info ramblock on 7.2)', () => {
    const pc = { mainRamBlock: 'pc.ram', pcRom: true };
    expect(machineFirmwareLayout('pc-i440fx-1.6')).toEqual({ ...pc, biosSize: 0x20000, acpiTables: 'none', rsdpInRam: false });
    expect(machineFirmwareLayout('pc-i440fx-1.7')).toEqual({ ...pc, biosSize: 0x20000, acpiTables: 'legacy-size', rsdpInRam: false });
    expect(machineFirmwareLayout('pc-i440fx-2.0')).toEqual({ ...pc, biosSize: 0x40000, acpiTables: 'legacy-size', rsdpInRam: false });
    expect(machineFirmwareLayout('pc-i440fx-2.2')).toEqual({ ...pc, biosSize: 0x40000, acpiTables: 'aligned-0x20000', rsdpInRam: false });
    expect(machineFirmwareLayout('pc-i440fx-2.3')).toEqual({ ...pc, biosSize: 0x40000, acpiTables: 'aligned-0x20000', rsdpInRam: true });
    expect(machineFirmwareLayout('pc-q35-7.2')).toEqual({ ...pc, biosSize: 0x40000, acpiTables: 'aligned-0x20000', rsdpInRam: true });
    expect(machineFirmwareLayout('isapc')).toEqual({ ...pc, biosSize: 0x20000, acpiTables: 'none', rsdpInRam: false });
    expect(machineFirmwareLayout('microvm')).toEqual({ mainRamBlock: 'microvm.ram', pcRom: false, biosSize: 0x10000, acpiTables: 'unpadded', rsdpInRam: true });
  });
});

describe('compatResolver and fast paths', () => {
  it('a resolver answers exactly like resolveProperty', async () => {
    const { compatResolver } = await import('../../../src/machines/index.js');
    const cases: [string, string, string, string[]][] = [
      ['pci-bridge', 'shpc', 'pc-i440fx-2.8', []],
      ['e1000', 'x-pcie-extcap-init', 'pc-q35-2.8', ['pci-device']],
      ['virtio-net-pci', 'vectors', 'pc-q35-5.2', ['virtio-net-pci-base', 'virtio-pci', 'pci-device']],
      ['migration', 'send-configuration', 'pc-i440fx-2.3', []],
    ];
    for (const [driver, property, machine, typeChain] of cases) {
      const r = compatResolver(machine, '7.2');
      expect(r(driver, property, 'D', { typeChain })).toBe(resolveProperty(machine, '7.2', driver, property, 'D', { typeChain }));
    }
  });

  it('isMachineOffered agrees with machinesOffered for every release and name', async () => {
    const { isMachineOffered, machinesOffered } = await import('../../../src/machines/index.js');
    const all = new Set(['1.7', '2.4', '7.2', '8.0.1', '10.0'].flatMap((r) => machinesOffered(r).map((m) => m.name)));
    for (const r of ['1.7', '2.4', '7.2', '8.0.1', '10.0']) {
      const offered = new Set(machinesOffered(r).map((m) => m.name));
      for (const name of all) expect(isMachineOffered(name, r), `${name} in ${r}`).toBe(offered.has(name));
    }
    expect(isMachineOffered('pc-i440fx-99.0', '10.0')).toBe(false);
  });

  it('compareVersions is numeric per part and rejects non-versions', async () => {
    const { compareVersions } = await import('../../../src/machines/index.js');
    expect(compareVersions('2.12', '2.9')).toBeGreaterThan(0);
    expect(compareVersions('4.0.1', '4.0')).toBeGreaterThan(0);
    expect(compareVersions('2.4', '2.4.0')).toBe(0);
    expect(compareVersions('10.0', '9.2')).toBeGreaterThan(0);
    expect(() => compareVersions('2.x', '2.4')).toThrow();
  });
});
