import {
  PCI_BRIDGE_CONTROL,
  PCI_BRIDGE_CTL_DISCARD,
  PCI_BRIDGE_CTL_DISCARD_SERR,
  PCI_BRIDGE_CTL_DISCARD_STATUS,
  PCI_BRIDGE_CTL_FAST_BACK,
  PCI_BRIDGE_CTL_ISA,
  PCI_BRIDGE_CTL_MASTER_ABORT,
  PCI_BRIDGE_CTL_PARITY,
  PCI_BRIDGE_CTL_SEC_DISCARD,
  PCI_BRIDGE_CTL_SERR,
  PCI_BRIDGE_CTL_BUS_RESET,
  PCI_BRIDGE_CTL_VGA,
  PCI_BRIDGE_CTL_VGA_16BIT,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_BRIDGE,
  PCI_IO_BASE,
  PCI_IO_LIMIT,
  PCI_IO_RANGE_MASK_BYTE,
  PCI_IO_RANGE_TYPE_16,
  PCI_IO_RANGE_TYPE_MASK,
  PCI_MEMORY_BASE,
  PCI_MEMORY_LIMIT,
  PCI_MEMORY_RANGE_MASK_WORD,
  PCI_PREF_BASE_UPPER32,
  PCI_PREF_MEMORY_BASE,
  PCI_PREF_MEMORY_LIMIT,
  PCI_PREF_RANGE_MASK_WORD,
  PCI_PREF_RANGE_TYPE_64,
  PCI_PREF_RANGE_TYPE_MASK,
  PCI_PRIMARY_BUS,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
} from './constants.js';
import { orWord, setWord } from './config-bytes.js';
import { createPciDevice, type PciDevice, type PciDeviceOptions } from './pci-device.js';

/**
 * A PCI-to-PCI bridge function (type 1 header): do_pci_register_device with
 * is_bridge, i.e. no subsystem ids and pci_init_mask_bridge(). Window
 * decoding and secondary-bus routing are not modelled; only what migration
 * compares (config, masks).
 */
export function createPciBridge(opts: Omit<PciDeviceOptions, 'subsystemVendorId' | 'subsystemId'>): PciDevice {
  const dev = createPciDevice(opts);
  // Bridges carry no subsystem ids in the type 1 header (those bytes are the I/O / ROM windows).
  setWord(dev.config, PCI_SUBSYSTEM_VENDOR_ID, 0);
  setWord(dev.config, PCI_SUBSYSTEM_ID, 0);
  dev.config[PCI_HEADER_TYPE] = ((dev.config[PCI_HEADER_TYPE] ?? 0) & 0x80) | PCI_HEADER_TYPE_BRIDGE;
  initMaskBridge(dev);
  return dev;
}

/** pci_init_mask_bridge(). */
function initMaskBridge(d: PciDevice): void {
  // Primary, secondary, subordinate bus numbers and the secondary latency timer.
  d.wmask.fill(0xff, PCI_PRIMARY_BUS, PCI_PRIMARY_BUS + 4);
  d.wmask[PCI_IO_BASE] = PCI_IO_RANGE_MASK_BYTE;
  d.wmask[PCI_IO_LIMIT] = PCI_IO_RANGE_MASK_BYTE;
  setWord(d.wmask, PCI_MEMORY_BASE, PCI_MEMORY_RANGE_MASK_WORD);
  setWord(d.wmask, PCI_MEMORY_LIMIT, PCI_MEMORY_RANGE_MASK_WORD);
  setWord(d.wmask, PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_MASK_WORD);
  setWord(d.wmask, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_MASK_WORD);
  // PCI_PREF_BASE_UPPER32 and PCI_PREF_LIMIT_UPPER32.
  d.wmask.fill(0xff, PCI_PREF_BASE_UPPER32, PCI_PREF_BASE_UPPER32 + 8);
  // Supported window types: 16-bit I/O, 64-bit prefetchable memory.
  d.config[PCI_IO_BASE] = (d.config[PCI_IO_BASE] ?? 0) | PCI_IO_RANGE_TYPE_16;
  d.config[PCI_IO_LIMIT] = (d.config[PCI_IO_LIMIT] ?? 0) | PCI_IO_RANGE_TYPE_16;
  orWord(d.config, PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_TYPE_64);
  orWord(d.config, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
  setWord(
    d.wmask,
    PCI_BRIDGE_CONTROL,
    PCI_BRIDGE_CTL_PARITY |
      PCI_BRIDGE_CTL_SERR |
      PCI_BRIDGE_CTL_ISA |
      PCI_BRIDGE_CTL_VGA |
      PCI_BRIDGE_CTL_VGA_16BIT |
      PCI_BRIDGE_CTL_MASTER_ABORT |
      PCI_BRIDGE_CTL_BUS_RESET |
      PCI_BRIDGE_CTL_FAST_BACK |
      PCI_BRIDGE_CTL_DISCARD |
      PCI_BRIDGE_CTL_SEC_DISCARD |
      PCI_BRIDGE_CTL_DISCARD_SERR,
  );
  setWord(d.w1cmask, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_DISCARD_STATUS);
  // The window type bits are checked on load.
  d.cmask[PCI_IO_BASE] = (d.cmask[PCI_IO_BASE] ?? 0) | PCI_IO_RANGE_TYPE_MASK;
  d.cmask[PCI_IO_LIMIT] = (d.cmask[PCI_IO_LIMIT] ?? 0) | PCI_IO_RANGE_TYPE_MASK;
  orWord(d.cmask, PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_TYPE_MASK);
  orWord(d.cmask, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_MASK);
}
