import { PCI_BASE_ADDRESS_0, PCI_COMMAND, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS1 } from './constants.js';
import { updateMappings } from './bars.js';
import { pciIrqDisabled, pciSetIrq, pciUpdateIrqDisabled, type IntxRoute } from './intx.js';
import { msiWriteConfig } from './msi.js';
import { msixWriteConfig } from './msix.js';
import { pciConfigSize, type PciDevice } from './pci-device.js';

/**
 * Guest config-space accesses (pci_default_read_config /
 * pci_default_write_config). Accesses are 1, 2 or 4 bytes, little-endian.
 */

function checkAccess(dev: PciDevice, addr: number, len: number): void {
  if (![1, 2, 4].includes(len) || addr < 0 || addr + len > pciConfigSize(dev)) {
    // QEMU asserts; the host bridge never forwards such an access.
    throw new RangeError(`config access 0x${addr.toString(16)}+${len} outside ${pciConfigSize(dev)} bytes`);
  }
}

export function configRead(dev: PciDevice, addr: number, len: number): number {
  checkAccess(dev, addr, len);
  let v = 0;
  for (let i = len - 1; i >= 0; i--) v = v * 256 + (dev.config[addr + i] ?? 0);
  return v >>> 0;
}

function overlaps(addr: number, len: number, start: number, size: number): boolean {
  return addr < start + size && start < addr + len;
}

/**
 * Each byte takes the written bits where wmask allows, keeps the rest, then
 * clears the bits written as 1 where w1cmask allows (RW1C). Touching a BAR,
 * the ROM BAR or the command register remaps; MSI and MSI-X see the write.
 * With a `route`, a command write that flips INTX_DISABLE withdraws or
 * re-asserts the device's pins on the bus. Not modelled: bridge windows,
 * the bus-master address space, SR-IOV.
 */
export function configWrite(dev: PciDevice, addr: number, value: number, len: number, route?: IntxRoute): void {
  checkAccess(dev, addr, len);
  const wasIrqDisabled = pciIrqDisabled(dev);
  let val = value >>> 0;
  for (let i = 0; i < len; i++, val = Math.floor(val / 256)) {
    const at = addr + i;
    const w = dev.wmask[at] ?? 0;
    const w1c = dev.w1cmask[at] ?? 0;
    const byte = val & 0xff;
    let cur = ((dev.config[at] ?? 0) & ~w) | (byte & w);
    cur &= ~(byte & w1c);
    dev.config[at] = cur;
  }
  if (
    overlaps(addr, len, PCI_BASE_ADDRESS_0, 24) ||
    overlaps(addr, len, PCI_ROM_ADDRESS, 4) ||
    overlaps(addr, len, PCI_ROM_ADDRESS1, 4) ||
    overlaps(addr, len, PCI_COMMAND, 1)
  ) {
    updateMappings(dev);
  }
  // range_covers_byte(addr, l, PCI_COMMAND): INTX_DISABLE may have flipped.
  if (route && overlaps(addr, len, PCI_COMMAND, 1)) pciUpdateIrqDisabled(dev, wasIrqDisabled, route);
  msiWriteConfig(dev, addr, len);
  msixWriteConfig(dev, addr, len);
}

/** pci_irq_handler() without bus routing: set pin `pin` (0..3) to `level` (see intx.ts for routing). */
export function setIrqLevel(dev: PciDevice, pin: number, level: 0 | 1): void {
  pciSetIrq(dev, pin, level);
}
