/**
 * The parts of a virtio-pci function's PCI model that realize gives it and
 * a config-space copy does not show: its BARs (hw/virtio/virtio-pci.c
 * virtio_pci_device_plugged) and the writable fields of the
 * VIRTIO_PCI_CAP_PCI_CFG capability. With them, get_pci_config_device
 * ignores what firmware or the guest may change, as real 7.2 does.
 */
import {
  PCI_BASE_ADDRESS_MEM_PREFETCH,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_BASE_ADDRESS_SPACE_MEMORY,
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_VNDR,
  PCI_MSIX_FLAGS,
  PCI_MSIX_FLAGS_QSIZE,
  PCI_MSIX_PBA,
  PCI_MSIX_TABLE,
  PCI_ROM_SLOT,
  getLong,
  getWord,
  registerBar,
  walkCapabilities,
  type PciDevice,
} from '../pci/index.js';
import { pow2ceil } from '../acpi/option-rom.js';

/** include/standard-headers/linux/virtio_pci.h cfg_type values. */
const VIRTIO_PCI_CAP_PCI_CFG = 5;
/** struct virtio_pci_cap: cfg_type at +3, bar at +4, offset at +8, length at +12; the PCI_CFG cap's data at +16. */
const CAP_CFG_TYPE = 3;
const CAP_BAR = 4;
const CAP_OFFSET = 8;
const CAP_LENGTH = 12;
const CAP_PCI_CFG_DATA = 16;

/** VIRTIO_PCI_CONFIG_OFF: the legacy header is 24 bytes with MSI-X (two vector registers), 20 without. */
function legacyHeaderSize(msix: boolean): number {
  return msix ? 24 : 20;
}

/**
 * Registers the function's BARs as virtio-pci realize does, sized from what
 * the recorded config space says: the legacy I/O BAR (when BAR 0 is an I/O
 * BAR) pow2ceil(legacy header + config_len); the MSI-X BAR from
 * msix_init_exclusive_bar (4 KiB unless table and PBA need more); the modern
 * 64-bit prefetchable BAR covering every vendor capability's region; the
 * option ROM when the function has one. Then the PCI_CFG capability's bar,
 * offset, length and data fields become guest-writable (virtio_pci_modern_regions_init
 * sets their wmask to all ones). The config bytes are kept as recorded.
 */
export function realizeVirtioPciModel(dev: PciDevice, opts: { deviceConfigLen: number; romSize?: number }): void {
  const recorded = dev.config.slice();
  const caps = walkCapabilities(dev.config);
  const msix = caps.find((c) => c.id === PCI_CAP_ID_MSIX);
  if ((getLong(recorded, 0x10) & PCI_BASE_ADDRESS_SPACE_IO) !== 0) {
    registerBar(dev, 0, PCI_BASE_ADDRESS_SPACE_IO, pow2ceil(legacyHeaderSize(msix !== undefined) + opts.deviceConfigLen));
  }
  if (msix) {
    const table = getLong(recorded, msix.offset + PCI_MSIX_TABLE);
    const pba = getLong(recorded, msix.offset + PCI_MSIX_PBA);
    const entries = (getWord(recorded, msix.offset + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE) + 1;
    const end = (pba & ~7) + Math.ceil(entries / 64) * 8;
    registerBar(dev, table & 7, PCI_BASE_ADDRESS_SPACE_MEMORY, end > 4096 ? pow2ceil(end) : 4096);
  }
  const modern = new Map<number, number>();
  for (const c of caps) {
    if (c.id !== PCI_CAP_ID_VNDR) continue;
    const at = c.offset;
    if (recorded[at + CAP_CFG_TYPE] === VIRTIO_PCI_CAP_PCI_CFG) {
      dev.wmask[at + CAP_BAR] = 0xff;
      dev.wmask.fill(0xff, at + CAP_OFFSET, at + CAP_PCI_CFG_DATA + 4);
      continue;
    }
    const bar = recorded[at + CAP_BAR] ?? 0;
    const end = getLong(recorded, at + CAP_OFFSET) + getLong(recorded, at + CAP_LENGTH);
    modern.set(bar, Math.max(modern.get(bar) ?? 0, end));
  }
  for (const [bar, end] of modern) {
    registerBar(dev, bar, PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_PREFETCH | PCI_BASE_ADDRESS_MEM_TYPE_64, pow2ceil(end));
  }
  if (opts.romSize !== undefined) registerBar(dev, PCI_ROM_SLOT, PCI_BASE_ADDRESS_SPACE_MEMORY, opts.romSize);
  dev.config.set(recorded);
}
