import { describe, expect, it } from 'vitest';
import {
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_VNDR,
  addCapability,
  configWrite,
  createPciDevice,
  getLong,
  getWord,
  msixInitExclusiveBar,
  msixIsMasked,
  msixLoad,
  msixNotify,
  msixPbaRead,
  msixSave,
  msixTableWrite,
  msixVectorUse,
  msixVmsd,
  walkCapabilities,
  type MsiMessage,
  type PciDevice,
} from '../../../../src/devices/pci/index.js';
import { isLoadError } from '../../../../src/wire/index.js';
import { hexBytes } from './fixtures.js';

/**
 * virtio-net-pci at 0000:00:02.0 as real QEMU 7.2 saved it (/tmp/cap/q35-all.bin,
 * pc-q35-7.2, on the root bus so conventional 256-byte config): config bytes
 * 0x40..0xaf, then the msix_save bytes that follow pci_device_save in the
 * virtio-net section (4 vectors: 64 table bytes, every entry masked, and
 * one PBA byte).
 */
const REAL_VIRTIO_CAPS = hexBytes(
  '09 00 10 01 04 00 00 00 00 00 00 00 00 10 00 00' + // 0x40 common cfg (VNDR, next 0)
    '09 40 10 03 04 00 00 00 00 10 00 00 00 10 00 00' + // 0x50 isr
    '09 50 10 04 04 00 00 00 00 20 00 00 00 10 00 00' + // 0x60 device cfg
    '09 60 14 02 04 00 00 00 00 30 00 00 00 10 00 00' + // 0x70 notify (20 bytes)
    '04 00 00 00 09 70 14 05 00 00 00 00 00 00 00 00' + // 0x84 pci cfg (20 bytes)
    '00 00 00 00 00 00 00 00 11 84 03 00 01 00 00 00' + // 0x98 MSI-X
    '01 08 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
);
const REAL_MSIX_STATE = (() => {
  const b = new Uint8Array(65);
  for (let v = 0; v < 4; v++) b[v * 16 + 12] = 1; // vector control: masked
  return b;
})();

function virtioNetLike(): PciDevice {
  const dev = createPciDevice({ name: 'virtio-net-pci', vendorId: 0x1af4, deviceId: 0x1000, classId: 0x0200, interruptPin: 1 });
  // virtio_pci_modern_mem_region caps in plug order, offset 0 = first free space.
  for (const len of [16, 16, 16, 20, 20]) addCapability(dev, PCI_CAP_ID_VNDR, 0, len);
  msixInitExclusiveBar(dev, 4, 1);
  return dev;
}

describe('MSI-X layout against real QEMU 7.2 (virtio-net-pci)', () => {
  it('walks the real capability list', () => {
    const config = new Uint8Array(256);
    config[0x06] = 0x10;
    config[0x34] = 0x98;
    config.set(REAL_VIRTIO_CAPS, 0x40);
    expect(walkCapabilities(config).map((c) => [c.id, c.offset])).toEqual([
      [PCI_CAP_ID_MSIX, 0x98],
      [PCI_CAP_ID_VNDR, 0x84],
      [PCI_CAP_ID_VNDR, 0x70],
      [PCI_CAP_ID_VNDR, 0x60],
      [PCI_CAP_ID_VNDR, 0x50],
      [PCI_CAP_ID_VNDR, 0x40],
    ]);
  });

  it('places capabilities where QEMU did: 20-byte caps claim 20 bytes, MSI-X lands at 0x98', () => {
    const dev = virtioNetLike();
    for (const at of [0x40, 0x50, 0x60, 0x70, 0x84, 0x98]) {
      expect([dev.config[at], dev.config[at + 1]]).toEqual([REAL_VIRTIO_CAPS[at - 0x40], REAL_VIRTIO_CAPS[at - 0x40 + 1]]);
    }
    // MSI-X body: flags = entries - 1 = 3; table at BAR1 offset 0 (0x00000001);
    // PBA at BAR1 offset 4096 / 2 = 0x800 (0x00000801).
    expect([...dev.config.subarray(0x98, 0xa4)]).toEqual([...REAL_VIRTIO_CAPS.subarray(0x58, 0x64)]);
    expect(dev.regions[1]!.size).toBe(4096n);
  });

  it('saves exactly what msix_save wrote: 4 * 16 table bytes, all masked, then (4 + 7) / 8 = 1 PBA byte', () => {
    expect(msixSave(virtioNetLike())).toEqual(REAL_MSIX_STATE);
    // vmstate_msix as data: one opaque "msix state" field of that size.
    expect(msixVmsd(virtioNetLike()).fields[0]).toMatchObject({ name: 'msix', kind: 'opaque', info: 'msix state', size: 65 });
  });

  it('lets the guest write only ENABLE and MASKALL in the control byte', () => {
    const dev = virtioNetLike();
    expect(dev.wmask[0x98 + 3]).toBe(0xc0);
    configWrite(dev, 0x98 + 2, 0xffff, 2);
    // Table size bits are read-only: 0x0003 | ENABLE 0x8000 | MASKALL 0x4000.
    expect(getWord(dev.config, 0x98 + 2)).toBe(0xc003);
  });
});

describe('MSI-X masking and pending bits', () => {
  function ready(): { dev: PciDevice; sent: MsiMessage[] } {
    const dev = virtioNetLike();
    const sent: MsiMessage[] = [];
    dev.msiSink = (m) => sent.push(m);
    configWrite(dev, 0x98 + 3, 0x80, 1); // MSI-X enable, function not masked
    for (const v of [0, 1]) msixVectorUse(dev, v);
    // Program vector 1: address 0xfee00000, data 0x4021, still masked.
    msixTableWrite(dev, 16 + 0, 0xfee00000);
    msixTableWrite(dev, 16 + 4, 0);
    msixTableWrite(dev, 16 + 8, 0x4021);
    return { dev, sent };
  }

  it('holds a masked vector pending and delivers it when the guest unmasks', () => {
    const { dev, sent } = ready();
    expect(msixIsMasked(dev, 1)).toBe(true);
    expect(msixNotify(dev, 1)).toBeUndefined();
    // PBA bit 1 of byte 0: a 32-bit PBA read returns 0x2.
    expect(msixPbaRead(dev, 0)).toBe(0x2);
    msixTableWrite(dev, 16 + 12, 0); // clear the vector's mask bit
    expect(sent).toEqual([{ address: 0xfee00000n, data: 0x4021 }]);
    expect(msixPbaRead(dev, 0)).toBe(0);
    expect(msixNotify(dev, 1)).toEqual({ address: 0xfee00000n, data: 0x4021 });
  });

  it('masks every vector with the function mask and replays on unmask', () => {
    const { dev, sent } = ready();
    msixTableWrite(dev, 16 + 12, 0);
    configWrite(dev, 0x98 + 3, 0xc0, 1); // ENABLE | MASKALL
    expect(msixIsMasked(dev, 1)).toBe(true);
    msixNotify(dev, 1);
    expect(sent).toEqual([]);
    configWrite(dev, 0x98 + 3, 0x80, 1);
    expect(sent).toHaveLength(1);
  });

  it('treats the function as masked while MSI-X is disabled', () => {
    const { dev } = ready();
    msixTableWrite(dev, 16 + 12, 0);
    configWrite(dev, 0x98 + 3, 0x00, 1);
    expect(msixIsMasked(dev, 1)).toBe(true);
  });

  it('ignores vectors the device did not declare used', () => {
    const { dev } = ready();
    msixTableWrite(dev, 3 * 16 + 12, 0);
    expect(msixNotify(dev, 3)).toBeUndefined();
    expect(msixPbaRead(dev, 0)).toBe(0);
  });

  it('msix_load replaces table and PBA and fires unmasked pending vectors', () => {
    const { dev: src } = ready();
    msixNotify(src, 1); // pending while masked
    msixTableWrite(src, 16 + 12, 0); // unmasking fires it on the source ...
    msixTableWrite(src, 16 + 12, 1);
    msixNotify(src, 1); // ... pending again
    const bytes = msixSave(src);
    expect(bytes[64]).toBe(0x2);
    bytes[16 + 12] = 0; // as if the guest unmasked just before the snapshot
    const { dev: dst, sent } = ready();
    msixLoad(dst, bytes);
    // Every vector is handled as "was masked": vector 1 is unmasked and pending, so it fires.
    expect(sent).toEqual([{ address: 0xfee00000n, data: 0x4021 }]);
    expect(msixPbaRead(dst, 0)).toBe(0);
    expect(getLong(dst.msix!.table, 16 + 8)).toBe(0x4021);
  });

  it('refuses a state of the wrong length instead of copying part of it', () => {
    const { dev } = ready();
    try {
      msixLoad(dev, new Uint8Array(64));
      throw new Error('accepted');
    } catch (e) {
      expect(isLoadError(e) && e.code).toBe('wire.truncated');
    }
  });
});
