import { describe, expect, it } from 'vitest';
import {
  acpiBuildPolicy,
  acpiTableSizes,
  acpiTablesBlobLength,
  apicIdLimit,
  linkerEntryCount,
  loaderBlobLength,
  type AcpiConfig,
} from '../../../../src/devices/acpi/blobs.js';
import { acpiRomBlocks } from '../../../../src/devices/acpi/blob-lengths.js';
import { optionRomBlock } from '../../../../src/devices/acpi/option-rom.js';
import { vmstateAcpiBuild } from '../../../../src/devices/acpi/acpi-build-vmstate.js';
import { loadVMState } from '../../../../src/vmstate/walker-load.js';
import { WireReader } from '../../../../src/wire/reader.js';
import { loadRealCapture } from './real-capture.js';

const v = (s: string) => {
  const [major, minor] = s.split('.').map(Number);
  return { major: major!, minor: minor! };
};
const blocks = (cfg: AcpiConfig, board?: Parameters<typeof acpiRomBlocks>[1]) =>
  acpiRomBlocks(cfg, board).map((b) => [b.idstr, b.usedLength, b.maxLength]);

describe('ACPI table sizes (real QEMU 7.2 -S captures, walked table by table)', () => {
  it.each([
    // config, expected tables_blob->len (sum of the tables' header lengths in the capture)
    ['pc-q35-7.2', { board: 'q35' }, 8646],
    ['pc-q35-7.2 -smp 4', { board: 'q35', cpus: 4 }, 8925],
    ['pc-q35-7.2 + pci-bridge', { board: 'q35', pciBridges: 1 }, 8680],
    ['pc-q35-7.2 + e1000', { board: 'q35', pciDevices: 1 }, 8663],
    ['pc-q35-7.2 + e1000, virtio-net, vmgenid, pvpanic, virtio-rng', { board: 'q35', pciDevices: 4, vmgenid: true }, 8920],
    ['pc-i440fx-7.2', { board: 'pc' }, 3794],
    ['pc-i440fx-7.2 -smp 4', { board: 'pc', cpus: 4 }, 4073],
    ['pc-i440fx-7.2 + pci-bridge', { board: 'pc', pciBridges: 1 }, 3828],
    ['pc-i440fx-7.2 + e1000', { board: 'pc', pciDevices: 1 }, 3811],
    ['pc-i440fx-2.0', { board: 'pc', machineVersion: v('2.0') }, 3125],
    ['pc-i440fx-2.3', { board: 'pc', machineVersion: v('2.3') }, 3125],
    ['pc-i440fx-2.0 + 3 pci-bridges', { board: 'pc', machineVersion: v('2.0'), pciBridges: 3 }, 3227],
    ['pc-q35-2.4', { board: 'q35', machineVersion: v('2.4') }, 7479],
    ['microvm', { board: 'microvm' }, 686],
  ] as [string, AcpiConfig, number][])('%s: %d bytes', (_name, cfg, total) => {
    expect(acpiTableSizes(cfg).total).toBe(total);
  });

  it('q35 after firmware (DSDT 8180, MCFG) with vmgenid: 0x2342 bytes, as in the running capture', () => {
    expect(acpiTableSizes({ board: 'q35', vmgenid: true, afterFirmware: true }).total).toBe(0x2342);
  });

  it('the per-CPU DSDT growth is an estimate: -smp 4,maxcpus=8 measured 9302, the model is 5 bytes short', () => {
    expect(acpiTableSizes({ board: 'q35', cpus: 4, maxCpus: 8 }).total).toBe(9302 - 5);
  });
});

describe('padding rules: how the used lengths arise', () => {
  it('2.1+ machine types round tables up to ACPI_BUILD_TABLE_SIZE 0x20000: 8646 bytes -> 0x20000', () => {
    const cfg: AcpiConfig = { board: 'q35' };
    expect(acpiTablesBlobLength(acpiTableSizes(cfg), acpiBuildPolicy('q35'), 1)).toBe(0x20000);
    // One byte over 0x20000 takes the next step (what happens with ~1500 possible CPUs).
    const big = { ...acpiTableSizes(cfg), total: 0x20001 };
    expect(acpiTablesBlobLength(big, acpiBuildPolicy('q35'), 1)).toBe(0x40000);
  });

  it('pc-i440fx-2.0 sizes tables as QEMU 2.0 did: ROUND_UP(len - aml_len + 6652 + 97 * apic_id_limit, 0x1000)', () => {
    const policy = acpiBuildPolicy('pc', v('2.0'));
    expect(policy.legacyAcpiTableSize).toBe(6652);
    // -smp 1: fixed tables 3125 - (2677 + 116) = 332; 332 + 6652 + 97 = 7081 -> 0x2000 (real: 0x2000).
    const one = acpiTableSizes({ board: 'pc', machineVersion: v('2.0') });
    expect(one.total - one.amlLen).toBe(332);
    expect(acpiTablesBlobLength(one, policy, 1)).toBe(0x2000);
    // -smp 1,maxcpus=16: APIC 240, fixed 452; 452 + 6652 + 1552 = 8656 -> 0x3000 (real capture: 0x3000).
    const cfg16: AcpiConfig = { board: 'pc', machineVersion: v('2.0'), maxCpus: 16 };
    const sixteen = acpiTableSizes(cfg16);
    expect(sixteen.total - sixteen.amlLen).toBe(452);
    expect(acpiTablesBlobLength(sixteen, policy, apicIdLimit(cfg16))).toBe(0x3000);
    // Bridges grow the DSDT, which legacy sizing ignores: 3 bridges still 0x2000 (real).
    const br = acpiTableSizes({ board: 'pc', machineVersion: v('2.0'), pciBridges: 3 });
    expect(acpiTablesBlobLength(br, policy, 1)).toBe(0x2000);
  });

  it('pc-i440fx-1.7 uses 1.7\'s 6414; pc-i440fx-2.1 no legacy sizing', () => {
    expect(acpiBuildPolicy('pc', v('1.7')).legacyAcpiTableSize).toBe(6414);
    expect(acpiBuildPolicy('pc', v('2.1')).legacyAcpiTableSize).toBe(0);
  });

  it('the loader is 128 bytes a command rounded to 0x1000: 17 (q35), 16 (pc), 22 (q35 + vmgenid) -> 0x1000', () => {
    expect(linkerEntryCount({ board: 'q35' })).toBe(17);
    expect(linkerEntryCount({ board: 'pc' })).toBe(16);
    expect(linkerEntryCount({ board: 'q35', pciDevices: 4, vmgenid: true })).toBe(22);
    expect(linkerEntryCount({ board: 'q35', vmgenid: true, afterFirmware: true })).toBe(24); // the running capture
    expect(loaderBlobLength(32)).toBe(0x1000);
    expect(loaderBlobLength(33)).toBe(0x2000);
  });
});

describe('ACPI RAM blocks in QEMU 7.2 (`info ramblock` of the real captures)', () => {
  it.each([
    ['pc-q35-7.2', { board: 'q35' }, undefined, [
      ['/rom@etc/acpi/tables', 0x20000, 0x200000],
      ['/rom@etc/table-loader', 0x1000, 0x10000],
      ['/rom@etc/acpi/rsdp', 0x1000, 0x1000],
    ]],
    ['pc-i440fx-2.0 (no rsdp_in_ram, legacy size)', { board: 'pc', machineVersion: v('2.0') }, undefined, [
      ['/rom@etc/acpi/tables', 0x2000, 0x200000],
      ['/rom@etc/table-loader', 0x1000, 0x10000],
    ]],
    ['pc-i440fx-2.0 -smp 1,maxcpus=16', { board: 'pc', machineVersion: v('2.0'), maxCpus: 16 }, undefined, [
      ['/rom@etc/acpi/tables', 0x3000, 0x200000],
      ['/rom@etc/table-loader', 0x1000, 0x10000],
    ]],
    ['microvm (no padding)', { board: 'microvm' }, undefined, [
      ['/rom@etc/acpi/tables', 0x1000, 0x200000],
      ['/rom@etc/table-loader', 0x1000, 0x10000],
      ['/rom@etc/acpi/rsdp', 0x1000, 0x1000],
    ]],
    ['pc-i440fx-1.4 (no ACPI build)', { board: 'pc', machineVersion: v('1.4') }, undefined, []],
    ['isapc', { board: 'pc' }, 'isapc', []],
  ] as [string, AcpiConfig, 'isapc' | undefined, [string, number, number][]][])('%s', (_n, cfg, board, want) => {
    expect(blocks(cfg, board)).toEqual(want);
  });
});

describe('option ROM blocks', () => {
  it('e1000 gets efi-e1000.rom (249856 bytes) in a 0x40000 block, as in the real q35 capture', () => {
    expect(optionRomBlock({ pciPath: '0000:00:01.0', type: 'e1000' })).toMatchObject({ idstr: '0000:00:01.0/e1000.rom', usedLength: 0x40000, maxLength: 0x40000 });
    expect(optionRomBlock({ pciPath: '0000:00:02.0', type: 'virtio-net-pci' })?.usedLength).toBe(0x40000);
  });

  it('romfile= means no ROM block; romsize=512K gives 0x80000 (both checked on real 7.2)', () => {
    expect(optionRomBlock({ pciPath: '0000:00:01.0', type: 'e1000', romfile: '' })).toBeUndefined();
    expect(optionRomBlock({ pciPath: '0000:00:01.0', type: 'e1000', romsize: 0x80000 })?.usedLength).toBe(0x80000);
    expect(() => optionRomBlock({ pciPath: '0000:00:01.0', type: 'e1000', romsize: 0x20000 })).toThrow(/too large for ROM size/);
  });
});

describe('acpi_build vmstate', () => {
  it('is one u8 `patched`: 1 in the real stream taken after SeaBIOS ran', () => {
    const s = loadVMState(new WireReader(loadRealCapture().acpiBuildSection), vmstateAcpiBuild, 1, {});
    expect(s).toEqual({ patched: 1 });
  });
});
