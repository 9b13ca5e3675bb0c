import { describe, expect, it } from 'vitest';
import { barOffset, createPciBridge, getWord, pciDeviceStructField, firstBadConfigByte } from '../../../../src/devices/pci/index.js';

describe('PCI-to-PCI bridge header (pci_init_mask_bridge)', () => {
  const bridge = () => createPciBridge({ name: 'pci-bridge', vendorId: 0x1b36, deviceId: 0x0001, classId: 0x0604 });

  it('has a type 1 header, no subsystem ids, and the ROM BAR at 0x38', () => {
    const b = bridge();
    expect(b.config[0x0e]).toBe(1);
    expect(getWord(b.config, 0x2c)).toBe(0);
    expect(barOffset(b, 6)).toBe(0x38);
  });

  it('sets the window masks and 64-bit prefetchable type', () => {
    const b = bridge();
    expect([...b.wmask.subarray(0x18, 0x1c)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect([b.wmask[0x1c], b.wmask[0x1d]]).toEqual([0xf0, 0xf0]);
    expect(getWord(b.wmask, 0x20)).toBe(0xfff0);
    expect(getWord(b.config, 0x24)).toBe(0x0001); // PCI_PREF_RANGE_TYPE_64
    // Bridge control: every bit listed except DISCARD_STATUS (0x400), which is RW1C: 0xfff & ~0x400 = 0xbff.
    expect(getWord(b.wmask, 0x3e)).toBe(0x0bff);
    expect(getWord(b.w1cmask, 0x3e)).toBe(0x0400);
  });

  it('checks the prefetchable window type on load: a 32-bit window source is refused', () => {
    const incoming = bridge().config.slice();
    incoming[0x24] = 0x00; // type 0 (32-bit) where the destination says 64-bit
    expect(firstBadConfigByte(bridge(), incoming)).toBe(0x24);
  });

  it('wraps the PCIDevice description as VMSTATE_PCI_DEVICE does', () => {
    const f = pciDeviceStructField(bridge(), 'parent_obj');
    expect(f.kind === 'struct' && f.vmsd.name).toBe('PCIDevice');
  });
});
