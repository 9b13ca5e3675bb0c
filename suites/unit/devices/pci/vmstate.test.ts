import { describe, expect, it } from 'vitest';
import {
  PCI_COMMAND,
  PCI_COMMAND_MEMORY,
  PCI_STATUS,
  PCI_STATUS_INTERRUPT,
  applyPciDeviceState,
  configWrite,
  createPciDevice,
  loadPciDevice,
  pciDeviceState,
  pciDeviceVmsd,
  savePciDevice,
  setIrqLevel,
} from '../../../../src/devices/pci/index.js';
import { WireReader, WireWriter, isLoadError, type LoadError } from '../../../../src/wire/index.js';
import { e1000Like, realE1000Config } from './fixtures.js';
import { catchLoadError } from '../../../helpers/catch-load-error.js';

function stream(version: number, config: Uint8Array, irq: number[] = [0, 0, 0, 0]): Uint8Array {
  const w = new WireWriter();
  w.i32(version);
  w.bytes(config);
  for (const v of irq) w.u32(v);
  return w.finish();
}


describe('vmstate_pci_device (QEMU 7.2)', () => {
  it("accepts real QEMU 7.2's e1000 PCIDevice record into an identically built device", () => {
    const dev = e1000Like();
    const r = new WireReader(stream(2, realE1000Config()));
    loadPciDevice(dev, r);
    expect(r.atEnd()).toBe(true);
    expect(dev.config).toEqual(realE1000Config());
  });

  it('round-trips: save then load is accepted and changes nothing', () => {
    const src = e1000Like();
    configWrite(src, 0x10, 0xfebc0000, 4);
    configWrite(src, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    const w = new WireWriter();
    savePciDevice(src, w);
    // 4 (version_id) + 256 (config) + 16 (irq_state) bytes.
    expect(w.finish()).toHaveLength(276);
    const dst = e1000Like();
    loadPciDevice(dst, new WireReader(w.finish()));
    expect(dst.config).toEqual(src.config);
    // pci_update_mappings ran on the destination: BAR0 is mapped there too.
    expect(dst.regions[0]!.addr).toBe(0xfebc0000n);
  });

  it("refuses a changed read-only identity byte with get_pci_config_device's wording", () => {
    const config = realE1000Config();
    config[2] = 0x0f; // device id 0x100e -> 0x100f: low byte 0x0e -> 0x0f
    const dev = e1000Like();
    const before = dev.config.slice();
    const e = catchLoadError(() => loadPciDevice(dev, new WireReader(stream(2, config))));
    expect(e.code).toBe('pci.bad-config-data');
    // error_report("%s: Bad config data: i=0x%x read: %x device: %x cmask: %x wmask: %x w1cmask:%x", __func__, ...)
    expect(e.message).toBe('get_pci_config_device: Bad config data: i=0x2 read: f device: e cmask: ff wmask: 0 w1cmask:0');
    // The config buffer starts after the 4-byte version_id: 4 + 2.
    expect(e.offset).toBe(6);
    expect(e.path).toBe('PCIDevice/config');
    expect(dev.config).toEqual(before); // nothing committed
  });

  it('checks the read-only size bits of a BAR: a different BAR size is refused', () => {
    // BAR0 is 128 KiB: wmask 0xfffe0000, so byte 0x12 has wmask 0xfe and its
    // bit 0 (address bit 16) is read-only but checked (cmask 0xff). A source
    // whose BAR0 is only 64 KiB could have bit 16 set: 0x12 = 0x01.
    const config = realE1000Config();
    config[0x12] = 0x01;
    const e = catchLoadError(() => loadPciDevice(e1000Like(), new WireReader(stream(2, config))));
    expect(e.message).toBe('get_pci_config_device: Bad config data: i=0x12 read: 1 device: 0 cmask: ff wmask: fe w1cmask:0');
  });

  it('accepts guest-writable bytes that differ and commits them', () => {
    const config = realE1000Config();
    config[0x3c] = 0x0b; // interrupt line: wmask 0xff
    config[0x80] = 0x5a; // device-specific space: wmask 0xff, cmask 0
    config[0x06] = 0x08; // PCI_STATUS_INTERRUPT: not in cmask (only CAP_LIST 0x10 is)
    const dev = e1000Like();
    loadPciDevice(dev, new WireReader(stream(2, config)));
    expect([dev.config[0x3c], dev.config[0x80]]).toEqual([0x0b, 0x5a]);
    // pci_update_irq_status after load: irq_state is 0, so the bit is cleared again.
    expect(dev.config[PCI_STATUS]! & PCI_STATUS_INTERRUPT).toBe(0);
  });

  it('refuses a CAP_LIST status bit the destination does not have', () => {
    const config = realE1000Config();
    config[PCI_STATUS] = 0x10;
    const e = catchLoadError(() => loadPciDevice(e1000Like(), new WireReader(stream(2, config))));
    expect(e.message).toBe('get_pci_config_device: Bad config data: i=0x6 read: 10 device: 0 cmask: 10 wmask: 0 w1cmask:0');
  });

  // Messages checked against real QEMU 7.2: a captured e1000e stream with
  // version_id patched to 3 printed "Invalid value 3 expecting positive value
  // <= 2" / "Failed to load PCIDevice:version_id"; with irq_state[0] = 2 it
  // printed "irq state 2: must be 0 or 1." (plain fprintf, no program prefix);
  // with BAR0 byte 0x12 = 01 the i=0x12 line below (e1000e's BAR0 is also 128 KiB).
  it.each([
    [3, 'Invalid value 3 expecting positive value <= 2'],
    [-1, 'Invalid value -1 expecting positive value <= 2'],
  ])('refuses version_id %i (int32 le)', (v, msg) => {
    const e = catchLoadError(() => loadPciDevice(e1000Like(), new WireReader(stream(v, realE1000Config()))));
    expect(e.code).toBe('pci.version-invalid');
    expect(e.message).toBe(msg);
    expect(e.offset).toBe(0);
  });

  it('accepts version_id 1 and 0 (positive and <= 2)', () => {
    loadPciDevice(e1000Like(), new WireReader(stream(1, realE1000Config())));
    loadPciDevice(e1000Like(), new WireReader(stream(0, realE1000Config())));
  });

  it.each([
    [[0, 2, 0, 0], 'irq state 2: must be 0 or 1.', 4 + 256 + 4],
    [[0, 0, 0, 0xffffffff], 'irq state -1: must be 0 or 1.', 4 + 256 + 12],
  ])('refuses irq_state words other than 0/1 (%j) and commits nothing', (irq, msg, offset) => {
    const config = realE1000Config();
    config[0x3c] = 0x0b; // a writable change that passed the config check
    const dev = e1000Like();
    const e = catchLoadError(() => loadPciDevice(dev, new WireReader(stream(2, config, irq))));
    expect(e.code).toBe('pci.irq-state-invalid');
    expect(e.message).toBe(msg);
    expect(e.offset).toBe(offset);
    expect(dev.config[0x3c]).toBe(0); // transactional, unlike QEMU which had memcpy'd config
  });

  it('loads irq_state and sets the interrupt status bit from it', () => {
    const dev = e1000Like();
    loadPciDevice(dev, new WireReader(stream(2, realE1000Config(), [1, 0, 0, 0])));
    expect(dev.irqState).toBe(1);
    expect(dev.config[PCI_STATUS]! & PCI_STATUS_INTERRUPT).toBe(PCI_STATUS_INTERRUPT);
  });

  it('fails as truncated, never over-reads, on a short record', () => {
    const bytes = stream(2, realE1000Config()).subarray(0, 100);
    expect(catchLoadError(() => loadPciDevice(e1000Like(), new WireReader(bytes))).code).toBe('wire.truncated');
  });
});

describe('the description for the generic walker', () => {
  it('matches -dump-vmstate of QEMU 7.2 (pc-q35-7.2.dump.json "PCIDevice")', () => {
    // Dump: name PCIDevice, version_id 2, minimum_version_id 1; fields
    // version_id (size 4), config (256, field_exists), config (4096,
    // field_exists), irq_state (version_id 2, size 16).
    const d = pciDeviceVmsd(e1000Like());
    expect([d.name, d.version_id, d.minimum_version_id]).toEqual(['PCIDevice', 2, 1]);
    expect(d.fields.map((f) => [f.name, f.version_id ?? 0, 'size' in f ? f.size : 4, f.field_exists !== undefined])).toEqual([
      ['version_id', 0, 4, false],
      ['config', 0, 256, true],
      ['config', 0, 4096, true],
      ['irq_state', 2, 16, false],
    ]);
  });

  it('selects the 256- or 4096-byte config by Express-ness', () => {
    const conv = pciDeviceVmsd(e1000Like());
    const exp = pciDeviceVmsd(createPciDevice({ name: 'e1000e', vendorId: 0x8086, deviceId: 0x10d3, classId: 0x0200, express: true }));
    const exists = (d: typeof conv) => d.fields.filter((f) => f.name === 'config' && f.field_exists!({}, 2)).map((f) => ('size' in f ? f.size : 0));
    expect(exists(conv)).toEqual([256]);
    expect(exists(exp)).toEqual([4096]);
  });

  it('post_load only checks (returns a located pci.* refusal); applyPciDeviceState commits', () => {
    const src = e1000Like();
    setIrqLevel(src, 0, 1);
    const state = pciDeviceState(src, true);
    // pci_device_save clears PCI_STATUS_INTERRUPT in what it writes.
    expect((state['config'] as Uint8Array)[PCI_STATUS]! & PCI_STATUS_INTERRUPT).toBe(0);
    const dst = e1000Like();
    const vmsd = pciDeviceVmsd(dst);
    vmsd.post_load!(state, 2);
    expect(dst.irqState).toBe(0); // not applied yet
    applyPciDeviceState(dst, state);
    expect(dst.irqState).toBe(1);
    expect(dst.config[PCI_STATUS]! & PCI_STATUS_INTERRUPT).toBe(PCI_STATUS_INTERRUPT);

    const bad = pciDeviceState(src);
    (bad['config'] as Uint8Array)[0] = 0;
    const refusal = vmsd.post_load!(bad, 2);
    // Located for the walker: config[0] is 4 bytes into the struct (after the be32 version_id).
    expect(refusal).toMatchObject({ code: 'pci.bad-config-data', field: 'config', offset: 4 });
    expect(refusal && refusal.message).toMatch(/^get_pci_config_device: Bad config data: i=0x0 read: 0 device: 86 /);
  });
});
