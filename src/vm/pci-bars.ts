/**
 * BARs the device models register at realize (so both a source and a
 * destination have them), for the -device drivers whose sizes are known
 * from QEMU 7.2 source:
 * - e1000 (hw/net/e1000.c pci_e1000_realize): BAR0 memory PNPMMIO_SIZE
 *   0x20000, BAR1 I/O IOPORT_SIZE 0x40;
 * - an option ROM (hw/pci/pci.c pci_add_option_rom): the ROM BAR, sized
 *   like its RAM block.
 * Other drivers keep the BAR bytes real QEMU wrote and get no window from
 * firmware (noted in FirmwareInfo).
 */
import { PCI_BASE_ADDRESS_SPACE_IO, PCI_BASE_ADDRESS_SPACE_MEMORY, PCI_ROM_SLOT, registerBar, type PciDevice } from '../devices/pci/index.js';

const KNOWN: Record<string, { reg: number; type: number; size: number }[]> = {
  e1000: [
    { reg: 0, type: PCI_BASE_ADDRESS_SPACE_MEMORY, size: 0x20000 },
    { reg: 1, type: PCI_BASE_ADDRESS_SPACE_IO, size: 0x40 },
  ],
};

/** Registers the driver's BARs; returns false when the driver's BARs are not modelled. */
export function registerKnownBars(dev: PciDevice, driver: string, romSize: number | undefined): boolean {
  const bars = KNOWN[driver];
  for (const b of bars ?? []) registerBar(dev, b.reg, b.type, b.size);
  if (romSize !== undefined && bars) registerBar(dev, PCI_ROM_SLOT, PCI_BASE_ADDRESS_SPACE_MEMORY, romSize);
  return bars !== undefined;
}
