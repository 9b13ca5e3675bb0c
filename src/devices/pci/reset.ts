import {
  PCI_CACHE_LINE_SIZE,
  PCI_COMMAND,
  PCI_INTERRUPT_LINE,
  PCI_NUM_REGIONS,
  PCI_STATUS,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
} from './constants.js';
import { getWord, setLong, setQuad, setWord } from './config-bytes.js';
import { barOffset, updateMappings } from './bars.js';
import { pciDeassertIntx, type IntxRoute } from './intx.js';
import { msiReset } from './msi.js';
import { msixReset } from './msix.js';
import type { PciDevice } from './pci-device.js';

/**
 * pci_do_device_reset() (system reset / FLR): drop INTx, clear every
 * guest-writable or RW1C bit of command and status, zero cache line size and
 * interrupt line, put each BAR back to its bare type (unmapped), reset MSI
 * and MSI-X.
 */
export function pciDeviceReset(dev: PciDevice, route?: IntxRoute): void {
  pciDeassertIntx(dev, route);
  for (const reg of [PCI_COMMAND, PCI_STATUS]) {
    const clear = getWord(dev.wmask, reg) | getWord(dev.w1cmask, reg);
    setWord(dev.config, reg, getWord(dev.config, reg) & ~clear);
  }
  dev.config[PCI_CACHE_LINE_SIZE] = 0;
  dev.config[PCI_INTERRUPT_LINE] = 0;
  for (let r = 0; r < PCI_NUM_REGIONS; r++) {
    const region = dev.regions[r];
    if (!region) continue;
    const at = barOffset(dev, r);
    if (!(region.type & PCI_BASE_ADDRESS_SPACE_IO) && region.type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
      setQuad(dev.config, at, BigInt(region.type));
    } else {
      setLong(dev.config, at, region.type);
    }
  }
  updateMappings(dev);
  msiReset(dev);
  msixReset(dev);
}
