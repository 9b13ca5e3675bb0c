/**
 * Optional devices and RAM blocks against real QEMU 7.2: the with-devices
 * captures' vmdesc (committed for one machine type per naming/compat era) and
 * the `info ramblock` table plus MEM_SIZE order of every capture.
 */
import { describe, expect, it } from 'vitest';
import { PlatformConfigError, platformMachines, platformSections, ramBlocks } from '../../../../src/devices/platform/index.js';
import { CAPTURE_DEVICES, ramblockFixtures, realVmdesc } from './fixtures.js';

const fx = ramblockFixtures();
const withDevices = platformMachines().filter((m) => fx.devsOrder[m] !== undefined);
/** Machine types whose fw_cfg has no DMA refuse vmgenid, so their captures lack it. */
const devicesFor = (m: string): string[] =>
  fx.ramblock[`devs ${m}`] !== undefined && hasVmgenid(m) ? CAPTURE_DEVICES : CAPTURE_DEVICES.filter((d) => d !== 'vmgenid');
function hasVmgenid(m: string): boolean {
  try {
    platformSections(m, ['vmgenid']);
    return true;
  } catch {
    return false;
  }
}

/** The real table in the real stream's MEM_SIZE order. */
function realBlocks(kind: 'plain' | 'devs', m: string) {
  const table = fx.ramblock[`${kind} ${m}`]!;
  const order = (kind === 'plain' ? fx.plainOrder : fx.devsOrder)[m]!;
  return order.map((id) => {
    const row = table.find((r) => r.idstr === id)!;
    return { idstr: id, used_length: row.used, max_length: row.max };
  });
}

describe('RAM blocks of the default streams', () => {
  it.each(platformMachines())('%s: same idstr, used_length and max_length, in stream order', (m) => {
    expect(ramBlocks(m)).toEqual(realBlocks('plain', m));
  });
});

describe('RAM blocks with the optional devices', () => {
  it.each(withDevices)('%s', (m) => {
    expect(ramBlocks(m, devicesFor(m))).toEqual(realBlocks('devs', m));
  });
});

describe('sections with the optional devices', () => {
  const fixtures = ['pc-i440fx-1.4', 'pc-i440fx-1.6', 'pc-i440fx-2.0', 'pc-i440fx-2.4', 'pc-i440fx-2.5', 'pc-i440fx-7.2', 'pc-q35-2.4', 'pc-q35-7.2'];
  it.each(fixtures)('%s: same sections, versions and subsections as the real stream', (m) => {
    const real = realVmdesc(`devs-${m}`).devices;
    const ours = platformSections(m, devicesFor(m));
    expect(ours.map((s) => [s.idstr, s.instance_id, s.version_id, s.subsections])).toEqual(
      real.map((d) => [d.name, d.instance_id, d.version, (d.subsections ?? []).map((x) => x.vmsd_name)]),
    );
  });

  it('puts the first added PCI device in the first free slot: 02 on i440FX, 01 on Q35', () => {
    // i440FX: 00.0 host bridge, 01.0 PIIX3 (01.1 IDE, 01.3 PM); Q35: 00.0 MCH, 1f.x ICH9.
    expect(platformSections('pc-i440fx-7.2', ['e1000']).map((s) => s.idstr)).toContain('0000:00:02.0/e1000');
    expect(platformSections('pc-q35-7.2', ['e1000']).map((s) => s.idstr)).toContain('0000:00:01.0/e1000');
    expect(ramBlocks('pc-q35-7.2', ['e1000']).map((b) => b.idstr)).toContain('0000:00:01.0/e1000.rom');
  });

  it('drops the option ROM block for e1000,romfile=', () => {
    expect(ramBlocks('pc-q35-7.2', ['e1000,romfile=']).map((b) => b.idstr)).not.toContain('0000:00:01.0/e1000.rom');
  });

  it('vmgenid takes no PCI slot', () => {
    const ids = platformSections('pc-q35-7.2', ['vmgenid', 'e1000']).map((s) => s.idstr);
    expect(ids).toContain('vmgenid');
    expect(ids).toContain('0000:00:01.0/e1000');
  });

  it('refuses vmgenid where fw_cfg has no DMA, in QEMU words', () => {
    expect(() => platformSections('pc-i440fx-2.4', ['vmgenid'])).toThrow(
      'vmgenid requires DMA write support in fw_cfg, which this machine type does not provide',
    );
  });

  it('refuses PCI devices on boards without a PCI bus, in QEMU words', () => {
    expect(() => platformSections('isapc', ['e1000'])).toThrow("No 'PCI' bus found for device 'e1000'");
    expect(() => ramBlocks('microvm', ['virtio-net-pci'])).toThrow(PlatformConfigError);
  });

  it('sizes pc.ram from -m and keeps the max_length order', () => {
    const blocks = ramBlocks('pc-q35-7.2', [], 64 * 1024 * 1024);
    expect(blocks[0]).toEqual({ idstr: 'pc.ram', used_length: 0x4000000, max_length: 0x4000000 });
    expect(blocks.map((b) => b.idstr)).toEqual(realBlocks('plain', 'pc-q35-7.2').map((b) => b.idstr));
  });

  it('names the ivshmem-plain shared block after its memdev', () => {
    const blocks = ramBlocks('pc-q35-7.2', ['ivshmem-plain,memdev=shm0'], undefined, { shm0: 1 << 20 });
    expect(blocks).toContainEqual({ idstr: '0000:00:01.0/shm0', used_length: 1 << 20, max_length: 1 << 20 });
  });
});

describe('machine aliases', () => {
  it('pc and q35 are the 7.2 machine types, as -machine help says', () => {
    expect(platformSections('pc').map((s) => s.idstr)).toEqual(platformSections('pc-i440fx-7.2').map((s) => s.idstr));
    expect(ramBlocks('q35')).toEqual(ramBlocks('pc-q35-7.2'));
  });
});

describe('PCI addr=', () => {
  // Real QEMU 7.2, pc-q35-7.2 with -device e1000,addr=05 -device virtio-net-pci
  // -device pvpanic-pci,addr=0x2.0: sections 0000:00:05.0/e1000,
  // 0000:00:01.0/virtio-net, 0000:00:02.0/pvpanic-pci in that order; RAM blocks
  // ... pc.bios, 0000:00:05.0/e1000.rom, 0000:00:01.0/virtio-net-pci.rom, pc.rom ...
  const devices = ['e1000,addr=05', 'virtio-net-pci', 'pvpanic-pci,addr=0x2.0'];

  it('explicit slots are taken, the others get the lowest free slot, in command-line order', () => {
    const pci = platformSections('pc-q35-7.2', devices).map((s) => s.idstr).filter((id) => /^0000:00:0[0-9]\.0\/(e1000|virtio|pvpanic)/.test(id));
    expect(pci).toEqual(['0000:00:05.0/e1000', '0000:00:01.0/virtio-net', '0000:00:02.0/pvpanic-pci']);
    expect(ramBlocks('pc-q35-7.2', devices).map((b) => b.idstr)).toEqual([
      'pc.ram', '/rom@etc/acpi/tables', 'pc.bios', '0000:00:05.0/e1000.rom', '0000:00:01.0/virtio-net-pci.rom', 'pc.rom', '/rom@etc/table-loader', '/rom@etc/acpi/rsdp',
    ]);
  });

  it('refuses a slot the board or an earlier device holds', () => {
    expect(() => platformSections('pc-q35-7.2', ['e1000,addr=1f'])).toThrow(PlatformConfigError);
    expect(() => platformSections('pc-i440fx-7.2', ['e1000,addr=01'])).toThrow('slot 1 function 0 not available');
    expect(() => platformSections('pc-q35-7.2', ['e1000', 'virtio-net-pci,addr=1'])).toThrow(PlatformConfigError);
  });
});

describe('RAM size in -m syntax', () => {
  it('a bare number is MiB, suffixes K/M/G', () => {
    expect(ramBlocks('pc-q35-7.2', [], '64')[0]!.used_length).toBe(64 << 20);
    expect(ramBlocks('pc-q35-7.2', [], '1G')[0]!.max_length).toBe(1 << 30);
    expect(ramBlocks('microvm', [], '32M')[0]).toEqual({ idstr: 'microvm.ram', used_length: 32 << 20, max_length: 32 << 20 });
  });
});
