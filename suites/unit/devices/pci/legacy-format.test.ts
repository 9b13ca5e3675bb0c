import { describe, expect, it } from 'vitest';
import {
  PCI_CAP_ID_MSIX,
  QEMU_PCI_CAP_MSI,
  QEMU_PCI_CAP_MSIX,
  addCapability,
  createPciDevice,
  loadLegacyPciDevice,
  reserveCapability,
  saveLegacyPciDevice,
  type PciDevice,
} from '../../../../src/devices/pci/index.js';
import { WireReader, WireWriter, isLoadError, type LoadError } from '../../../../src/wire/index.js';
import { catchLoadError } from '../../../helpers/catch-load-error.js';

/** A 2009-style device: no property bits in cap_present, MSI-X supported. */
function device2009(capPresent = 0): PciDevice {
  return createPciDevice({
    name: 'virtio-net',
    vendorId: 0x1af4,
    deviceId: 0x1000,
    classId: 0x0200,
    capPresent,
    capSupported: QEMU_PCI_CAP_MSIX,
  });
}

function save(dev: PciDevice, o: Parameters<typeof saveLegacyPciDevice>[2] = {}): Uint8Array {
  const w = new WireWriter();
  saveLegacyPciDevice(dev, w, o);
  return w.finish();
}


describe('historic pci_device_save / pci_device_load (seed 003)', () => {
  it('writes v2 (version, config, irq_state) when cap_present is 0, v3 otherwise', () => {
    const v2 = save(device2009());
    // 4 + 256 + 4 * 4 = 276 bytes, starting with be32 2.
    expect(v2).toHaveLength(276);
    expect([...v2.subarray(0, 4)]).toEqual([0, 0, 0, 2]);
    const v3 = save(device2009(QEMU_PCI_CAP_MSIX));
    // v3 adds the be32 cap_present *before* the config: 280 bytes.
    expect(v3).toHaveLength(280);
    expect([...v3.subarray(0, 8)]).toEqual([0, 0, 0, 3, 0, 0, 0, 2]);
    // The config follows cap_present: vendor 0x1af4 little-endian at byte 8.
    expect([v3[8], v3[9]]).toEqual([0xf4, 0x1a]);
    expect(save(device2009(), { version: 1 })).toHaveLength(260);
  });

  it('round-trips v1, v2 and v3', () => {
    for (const [cap, version] of [
      [0, 1],
      [0, 2],
      [QEMU_PCI_CAP_MSIX, 3],
    ] as const) {
      const src = device2009(cap);
      src.config[0x3c] = 0x0b;
      const dst = device2009();
      loadLegacyPciDevice(dst, new WireReader(save(src, { version })));
      expect(dst.config[0x3c]).toBe(0x0b);
      expect(dst.capPresent).toBe(cap);
    }
  });

  it('refuses cap_present & ~cap_supported with -EINVAL and commits nothing', () => {
    const src = device2009(QEMU_PCI_CAP_MSIX | QEMU_PCI_CAP_MSI);
    src.config[0x3c] = 0x0b;
    const dst = device2009();
    addCapability(dst, PCI_CAP_ID_MSIX, 0, 12);
    const snapshot = { config: dst.config.slice(), wmask: dst.wmask.slice(), used: dst.used.slice(), cap: dst.capPresent };
    const e = catchLoadError(() => loadLegacyPciDevice(dst, new WireReader(save(src))));
    expect(e.code).toBe('pci.cap-present-unsupported');
    // cap_present 0x3, supported 0x2: the extra bit is QEMU_PCI_CAP_MSI (0x1).
    expect(e.message).toBe('pci_device_load: cap_present 0x3 has bits 0x1 outside cap_supported 0x2 (-EINVAL)');
    expect(e.offset).toBe(4); // right after the version
    expect(e.path).toBe('virtio-net/cap_present');
    expect({ config: dst.config, wmask: dst.wmask, used: dst.used, cap: dst.capPresent }).toEqual(snapshot);
  });

  it('refuses version_id above 3', () => {
    const bytes = save(device2009());
    bytes[3] = 4;
    const e = catchLoadError(() => loadLegacyPciDevice(device2009(), new WireReader(bytes)));
    expect(e.code).toBe('pci.legacy-version-unsupported');
    expect(e.offset).toBe(0);
  });

  it('clears used and makes 0x40..0xff writable after a load, for the device to re-reserve', () => {
    const dst = device2009();
    const at = addCapability(dst, PCI_CAP_ID_MSIX, 0, 12);
    expect(dst.wmask[at]).toBe(0);
    loadLegacyPciDevice(dst, new WireReader(save(device2009(QEMU_PCI_CAP_MSIX))));
    // "Clear wmask and used bits for capabilities. Must be restored
    // separately, since capabilities can be placed anywhere in config space."
    expect(dst.used.every((b) => b === 0)).toBe(true);
    expect([...dst.wmask.subarray(0x40, 0x100)].every((b) => b === 0xff)).toBe(true);
    // The header keeps its masks (vendor id stays read-only).
    expect(dst.wmask[0]).toBe(0);
    reserveCapability(dst, at, 12);
    expect([...dst.used.subarray(at, at + 12)].every((b) => b === 0xff)).toBe(true);
  });

  it('shows why cap_present moved before the config: an old cap-last stream misparses', () => {
    // The previous revision wrote cap_present *after* irq_state. Read by the
    // merged (cap-first) loader, the first config bytes f4 1a 00 10 become
    // cap_present = be32 0xf41a0010, far outside cap_supported 0x2.
    const old = save(device2009(QEMU_PCI_CAP_MSIX), { layout: 'cap-last' });
    const e = catchLoadError(() => loadLegacyPciDevice(device2009(), new WireReader(old)));
    expect(e.code).toBe('pci.cap-present-unsupported');
    expect(e.message).toMatch(/^pci_device_load: cap_present 0xf41a0010 /);
    // Read with the layout it was written in, it is accepted.
    const dev = device2009();
    loadLegacyPciDevice(dev, new WireReader(old), { layout: 'cap-last' });
    expect(dev.capPresent).toBe(QEMU_PCI_CAP_MSIX);
  });

  it('with cap-last, the refusal comes only after config and irq_state were read', () => {
    // That revision's load had already copied the config into the device
    // when it returned -EINVAL: 4 + 256 + 16 = 276 bytes consumed before the
    // check. Ours still commits nothing.
    const src = device2009(QEMU_PCI_CAP_MSI);
    src.config[0x3c] = 0x0b;
    const dst = device2009();
    const e = catchLoadError(() => loadLegacyPciDevice(dst, new WireReader(save(src, { layout: 'cap-last' })), { layout: 'cap-last' }));
    expect(e.offset).toBe(276);
    expect(dst.config[0x3c]).toBe(0);
  });
});
