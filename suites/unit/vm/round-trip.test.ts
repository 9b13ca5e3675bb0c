/**
 * Same build on both sides: a booted machine (firmware, workload, three RAM
 * passes) saved and loaded into a fresh destination of the same build and
 * configuration is accepted and holds the same guest-visible state. This is
 * the baseline every cross-build cell is compared with.
 */
import { describe, expect, it } from 'vitest';
import { parseStream } from '../../../src/migration/index.js';
import { boot, guestStateEqual, incoming, loadInto, snapshotDifferences } from '../../../src/vm.js';

const CASES: [build: string, machine: string, devices: string[]][] = [
  ['7.2', 'pc-q35-7.2', []],
  ['7.2', 'pc-i440fx-7.2', ['e1000', 'virtio-net-pci']],
  ['7.2', 'pc-q35-7.2', ['e1000', 'virtio-net-pci', 'vmgenid,guid=324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87', 'pvpanic-pci', 'virtio-rng-pci']],
  ['7.2', 'pc-i440fx-2.0', ['e1000']],
  ['7.2', 'isapc', []],
  ['7.2', 'microvm', []],
  ['2.0', 'pc-i440fx-1.7', []],
  ['2.4', 'pc-q35-2.4', ['e1000']],
  ['10.0', 'pc-q35-10.0', ['e1000']],
];

describe.each(CASES)('build %s, %s, devices %j', (build, machine, devices) => {
  it('round-trips with equal guest-visible state', () => {
    const src = boot(build, machine, { devices, seed: 11 });
    const bytes = src.save();
    const r = loadInto(build, machine, { devices }, bytes);
    expect(r.error?.toString()).toBeUndefined();
    expect(r.accepted).toBe(true);
    expect(snapshotDifferences(src.snapshot(), r.vm.snapshot())).toEqual([]);
    expect(guestStateEqual(src, r.vm)).toBe(true);
  });
});

describe('what a save contains', () => {
  it('sends every page in the first pass and only dirtied pages after it', () => {
    const src = boot('7.2', 'pc-q35-7.2', { seed: 2 });
    const model = parseStream(src.save());
    const ram = model.items.filter((i) => i.kind === 'section' && i.idstr === 'ram');
    // START (MEM_SIZE), then 3 passes: PART, PART, END (save() default passes: 3).
    expect(ram.map((i) => (i.kind === 'section' ? i.type : ''))).toEqual(['start', 'part', 'part', 'end']);
    const pages = (i: (typeof ram)[number]): number =>
      i.kind === 'section' && i.body.kind === 'ram' ? i.body.records.reduce((n, r) => n + (r.type === 'zero' ? (r.run ?? 1) : r.type === 'page' ? 1 : 0), 0) : 0;
    // 32 MiB pc.ram + the recorded ROM blocks, in pages: (0x2000000 + 0x20000 + 0x40000 + 0x20000 + 0x1000 + 0x1000) / 0x1000.
    expect(pages(ram[1]!)).toBe((0x2000000 + 0x20000 + 0x40000 + 0x20000 + 0x1000 + 0x1000) / 0x1000);
    // Each later pass: at most the 32 pages a workload round dirties (some may repeat).
    expect(pages(ram[2]!)).toBeGreaterThan(0);
    expect(pages(ram[2]!)).toBeLessThanOrEqual(32);
  });

  it('is deterministic: the same seed gives the same bytes', () => {
    const a = boot('7.2', 'pc-q35-7.2', { devices: ['e1000'], seed: 5 }).save();
    const b = boot('7.2', 'pc-q35-7.2', { devices: ['e1000'], seed: 5 }).save();
    const c = boot('7.2', 'pc-q35-7.2', { devices: ['e1000'], seed: 6 }).save();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('firmware ran: vmgenid GUID at the address the linker/loader wrote back, as on real QEMU', () => {
    const vm = boot('7.2', 'pc-q35-7.2', { devices: ['vmgenid,guid=324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87'] });
    // Real 7.2 with -m 32M: etc/vmgenid_guid allocated at 0x1fff000 (src/devices/acpi/linker-executor.ts),
    // the GUID at offset 40 of that file (VMGENID_GUID_OFFSET, hw/acpi/vmgenid.c).
    expect(vm.firmware.allocations['etc/vmgenid_guid']).toBe(0x1fff000);
    expect(vm.firmware.vmgenidAddr).toBe(0x1fff000 + 40);
  });

  it('an incoming destination never ran: no firmware, no workload', () => {
    const vm = incoming('7.2', 'pc-q35-7.2');
    expect(vm.runState).toBe('prelaunch');
    expect(vm.firmware.ran).toBe(false);
    expect(vm.ram.blocks.every((b) => b.pages.size === 0)).toBe(true);
  });
});

describe('NIC MAC addresses', () => {
  // net/net.c qemu_macaddr_default_if_unset: 52:54:00:12:34:56 + n for the n-th NIC without mac=.
  const eeprom = (devices: string[]): number[] => {
    const s = incoming('7.2', 'pc-q35-7.2', { devices }).sections.find((x) => x.vmsd.name === 'e1000')!;
    return (s.state['eeprom_data'] as number[]).slice(0, 3);
  };
  it('follow creation order', () => {
    expect(eeprom(['e1000'])).toEqual([0x5452, 0x1200, 0x5634]);
    expect(eeprom(['virtio-net-pci', 'e1000'])).toEqual([0x5452, 0x1200, 0x5734]);
  });
  it('mac= sets the EEPROM words', () => {
    expect(eeprom(['e1000,mac=02:00:00:00:ab:cd'])).toEqual([0x0002, 0x0000, 0xcdab]);
  });
});

describe('PCI placement', () => {
  const ids = (devices: string[]): string[] => incoming('7.2', 'pc-q35-7.2', { devices }).sections.filter((s) => s.device !== undefined).map((s) => s.idstr);
  it('auto-placed functions take the first free slots; addr= places one explicitly', () => {
    // Real pc-q35-7.2 captures: the first -device PCI function lands at 0000:00:01.0 (corpus manifest, +e1000).
    expect(ids(['e1000', 'virtio-net-pci'])).toEqual(['0000:00:01.0/e1000', '0000:00:02.0/virtio-net']);
    expect(ids(['e1000,addr=5', 'virtio-net-pci'])).toEqual(['0000:00:05.0/e1000', '0000:00:01.0/virtio-net']);
  });
  it('a slot the board uses is refused', () => {
    expect(() => incoming('7.2', 'pc-q35-7.2', { devices: ['e1000,addr=1f'] })).toThrow(/slot 31 function 0 not available/);
  });
});
