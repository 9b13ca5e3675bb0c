import { describe, expect, it } from 'vitest';
import {
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_PM,
  createPciDevice,
  msiInit,
  pcieAddCapability,
  pcieAerInit,
  walkCapabilities,
  walkExtCapabilities,
} from '../../../../src/devices/pci/index.js';
import { hexBytes } from './fixtures.js';

/**
 * e1000e at 0000:00:01.0 as real QEMU 7.2 saved it: captured with
 * `python3 /tmp/cap/cap.py pc-q35-7.2 e1000e.bin -device e1000e` (paused,
 * never booted), config read from the "0000:00:01.0/e1000e" device section
 * (4096 bytes after int32 version_id 2). Shown: 0x00..0x3f, 0xa0..0xff (the
 * conventional capabilities) and 0x100..0x14f (AER, then the serial number
 * capability carrying MAC 52:54:00:12:34:56); every other byte was zero.
 */
const REAL_E1000E_HEADER = hexBytes(
  '86 80 d3 10 00 00 10 00 00 00 00 02 00 00 00 00' +
    '00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00' +
    '00 00 00 00 00 00 00 00 00 00 00 00 86 80 00 00' +
    '00 00 00 00 c8 00 00 00 00 00 00 00 00 01 00 00',
);
const REAL_E1000E_CAPS_A0 = hexBytes(
  '11 00 04 00 03 00 00 00 03 20 00 00 00 00 00 00' + // 0xa0 MSI-X, 5 vectors, BAR3
    '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00' +
    '00 00 00 00 00 00 00 00 01 d0 22 00 00 00 00 00' + // 0xc8 PM
    '05 e0 80 00 00 00 00 00 00 00 00 00 00 00 00 00' + // 0xd0 MSI, 64-bit, 1 vector
    '10 a0 91 00 00 80 00 00 00 00 00 00 11 04 00 00' + // 0xe0 PCI Express
    '00 00 11 00 00 00 00 00 00 00 00 00 00 00 00 00',
);
const REAL_E1000E_EXT = hexBytes(
  '01 00 02 14 00 00 00 00 00 00 00 00 30 20 46 00' + // 0x100 AER v2, next 0x140
    '00 00 00 00 00 e0 00 00 a0 00 00 00 00 00 00 00' +
    '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00' +
    '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00' +
    '03 00 01 00 56 34 12 ff ff 00 54 52 00 00 00 00', // 0x140 DSN v1
);

function realConfig(): Uint8Array {
  const c = new Uint8Array(4096);
  c.set(REAL_E1000E_HEADER, 0);
  c.set(REAL_E1000E_CAPS_A0, 0xa0);
  c.set(REAL_E1000E_EXT, 0x100);
  return c;
}

describe('real QEMU 7.2 e1000e config space', () => {
  it('walks the conventional list: PM -> MSI -> PCIe -> MSI-X', () => {
    expect(walkCapabilities(realConfig()).map((c) => [c.id, c.offset])).toEqual([
      [PCI_CAP_ID_PM, 0xc8],
      [PCI_CAP_ID_MSI, 0xd0],
      [PCI_CAP_ID_EXP, 0xe0],
      [PCI_CAP_ID_MSIX, 0xa0],
    ]);
  });

  it('walks the extended list: AER v2 at 0x100 -> serial number v1 at 0x140', () => {
    expect(walkExtCapabilities(realConfig())).toEqual([
      { id: 1, version: 2, offset: 0x100 },
      { id: 3, version: 1, offset: 0x140 },
    ]);
  });

  it('matches our AER model byte for byte: 7.2 has no PCI_ERR_UNCOR_MASK default', () => {
    const dev = createPciDevice({ name: 'e1000e', vendorId: 0x8086, deviceId: 0x10d3, classId: 0x0200, express: true });
    pcieAerInit(dev, 0x100, { uncorMask: 'absent' });
    pcieAddCapability(dev, 0x0003, 1, 0x140, 12);
    // 0x100..0x13f: header (next linked to 0x140 when DSN was added), zero
    // UNCOR_MASK at 0x108, severity 0x00462030, COR_MASK 0xe000, CAP 0xa0.
    // (0x140..0x147 overlaps the serial number capability's body in QEMU.)
    expect([...dev.config.subarray(0x100, 0x140)]).toEqual([...REAL_E1000E_EXT.subarray(0, 0x40)]);
    expect([...dev.config.subarray(0x140, 0x144)]).toEqual([0x03, 0x00, 0x01, 0x00]);
  });

  it('matches our MSI model: msi_init(dev, 0xd0, 1 vector, 64-bit, no masking)', () => {
    const dev = createPciDevice({ name: 'e1000e', vendorId: 0x8086, deviceId: 0x10d3, classId: 0x0200, express: true });
    msiInit(dev, 0xd0, 1, true, false);
    // id 5, next 0 (first capability), flags 0x0080: the real bytes are 05 e0 80 00
    // with next = 0xe0 because the PCIe capability was added after it.
    expect([dev.config[0xd0], dev.config[0xd2], dev.config[0xd3]]).toEqual([0x05, 0x80, 0x00]);
  });
});
