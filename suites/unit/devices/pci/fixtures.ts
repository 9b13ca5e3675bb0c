import {
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_BASE_ADDRESS_SPACE_MEMORY,
  PCI_ROM_SLOT,
  createPciDevice,
  registerBar,
  type PciDevice,
} from '../../../../src/devices/pci/index.js';

/** Bytes from a hex string with optional spaces. */
export function hexBytes(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * The first 64 config bytes of e1000 at 0000:00:01.0 as real QEMU 7.2 saved
 * them (/tmp/cap/q35-all.bin: `python3 /tmp/cap/cap.py pc-q35-7.2 q35-all.bin
 * -device e1000 ...`, paused guest that never ran firmware). Bytes 0x40-0xff
 * were all zero. Read at the "0000:00:01.0/e1000" section: after instance and
 * version ids, int32 version_id 2, then these bytes.
 */
export const REAL_E1000_HEADER = hexBytes(
  '86 80 0e 10 00 00 00 00 03 00 00 02 00 00 00 00' +
    '00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00' +
    '00 00 00 00 00 00 00 00 00 00 00 00 f4 1a 00 11' +
    '00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00',
);

export function realE1000Config(): Uint8Array {
  const c = new Uint8Array(256);
  c.set(REAL_E1000_HEADER);
  return c;
}

/**
 * An e1000 as QEMU 7.2 builds it, for the PCI core only: Intel 8086:100e
 * rev 3, class 0x0200, INTA, BAR0 128 KiB MMIO, BAR1 64 bytes I/O, ROM BAR
 * (hw/net/e1000.c: pci_register_bar(.., 0, MEMORY, mmio), (.., 1, IO, io);
 * the option ROM from romfile). Sizes are the real ones: PNPMMIO_SIZE 0x20000,
 * IOPORT_SIZE 0x40; the ROM size (256 KiB) only affects wmask.
 */
export function e1000Like(): PciDevice {
  const dev = createPciDevice({ name: 'e1000', vendorId: 0x8086, deviceId: 0x100e, revision: 3, classId: 0x0200, interruptPin: 1, devfn: 1 << 3 });
  registerBar(dev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, 0x20000);
  registerBar(dev, 1, PCI_BASE_ADDRESS_SPACE_IO, 0x40);
  registerBar(dev, PCI_ROM_SLOT, 0, 0x40000);
  return dev;
}
