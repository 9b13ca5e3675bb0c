/**
 * PCI configuration-space layout and QEMU's cap_present bits.
 *
 * Register offsets and bits are those of include/standard-headers/linux/pci_regs.h
 * (which QEMU 7.2 includes); sizes and QEMU_PCI_CAP_* bits come from
 * include/hw/pci/pci.h. Values are written as in those headers so a reader can
 * grep for the name.
 */

/** PCI_CONFIG_HEADER_SIZE: capabilities live above the 64-byte header. */
export const PCI_CONFIG_HEADER_SIZE = 0x40;
/** PCI_CONFIG_SPACE_SIZE: conventional config space. */
export const PCI_CONFIG_SPACE_SIZE = 0x100;
/** PCIE_CONFIG_SPACE_SIZE: PCI Express extended config space (4 KiB). */
export const PCIE_CONFIG_SPACE_SIZE = 0x1000;
/** PCI_NUM_PINS: INTA..INTD. */
export const PCI_NUM_PINS = 4;
/** PCI_NUM_REGIONS: six BARs plus the ROM slot. */
export const PCI_NUM_REGIONS = 7;
export const PCI_ROM_SLOT = 6;

// Standard header (type 0)
export const PCI_VENDOR_ID = 0x00;
export const PCI_DEVICE_ID = 0x02;
export const PCI_COMMAND = 0x04;
export const PCI_STATUS = 0x06;
export const PCI_REVISION_ID = 0x08;
export const PCI_CLASS_PROG = 0x09;
export const PCI_CLASS_DEVICE = 0x0a;
export const PCI_CACHE_LINE_SIZE = 0x0c;
export const PCI_LATENCY_TIMER = 0x0d;
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_BASE_ADDRESS_0 = 0x10;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_SUBSYSTEM_ID = 0x2e;
export const PCI_ROM_ADDRESS = 0x30;
export const PCI_CAPABILITY_LIST = 0x34;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;
/** Type 1 (bridge) header: the ROM BAR moves to 0x38. */
export const PCI_ROM_ADDRESS1 = 0x38;

export const PCI_HEADER_TYPE_NORMAL = 0;
export const PCI_HEADER_TYPE_BRIDGE = 1;
export const PCI_HEADER_TYPE_MULTI_FUNCTION = 0x80;

// PCI_COMMAND bits
export const PCI_COMMAND_IO = 0x1;
export const PCI_COMMAND_MEMORY = 0x2;
export const PCI_COMMAND_MASTER = 0x4;
export const PCI_COMMAND_SERR = 0x100;
export const PCI_COMMAND_INTX_DISABLE = 0x400;

// PCI_STATUS bits
export const PCI_STATUS_INTERRUPT = 0x08;
export const PCI_STATUS_CAP_LIST = 0x10;
export const PCI_STATUS_PARITY = 0x100;
export const PCI_STATUS_SIG_TARGET_ABORT = 0x800;
export const PCI_STATUS_REC_TARGET_ABORT = 0x1000;
export const PCI_STATUS_REC_MASTER_ABORT = 0x2000;
export const PCI_STATUS_SIG_SYSTEM_ERROR = 0x4000;
export const PCI_STATUS_DETECTED_PARITY = 0x8000;

// BAR bits
export const PCI_BASE_ADDRESS_SPACE_IO = 0x01;
export const PCI_BASE_ADDRESS_SPACE_MEMORY = 0x00;
export const PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x04;
export const PCI_BASE_ADDRESS_MEM_PREFETCH = 0x08;
export const PCI_ROM_ADDRESS_ENABLE = 0x01;

// Capability list
export const PCI_CAP_LIST_ID = 0;
export const PCI_CAP_LIST_NEXT = 1;
export const PCI_CAP_ID_PM = 0x01;
export const PCI_CAP_ID_MSI = 0x05;
export const PCI_CAP_ID_VNDR = 0x09;
export const PCI_CAP_ID_EXP = 0x10;
export const PCI_CAP_ID_MSIX = 0x11;

// Extended capabilities (PCI Express, above 0x100)
export const PCI_EXT_CAP_ID_ERR = 0x0001;
export const PCI_EXT_CAP_VER_SHIFT = 16;
export const PCI_EXT_CAP_NEXT_SHIFT = 20;

/**
 * Bits of PCIDevice.cap_present (include/hw/pci/pci.h in QEMU 7.2; bit 11 was
 * added in 8.0.1 by the x-pcie-err-unc-mask fix, see aer.ts).
 */
export const QEMU_PCI_CAP_MSI = 0x1;
export const QEMU_PCI_CAP_MSIX = 0x2;
export const QEMU_PCI_CAP_EXPRESS = 0x4;
export const QEMU_PCI_CAP_MULTIFUNCTION = 1 << 3;
export const QEMU_PCI_CAP_SERR = 1 << 4;
export const QEMU_PCI_CAP_SHPC = 1 << 5;
export const QEMU_PCI_CAP_SLOTID = 1 << 6;
export const QEMU_PCIE_SLTCAP_PCP = 1 << 7;
export const QEMU_PCIE_LNKSTA_DLLLA = 1 << 8;
export const QEMU_PCIE_EXTCAP_INIT = 1 << 9;
export const QEMU_PCIE_CAP_CXL = 1 << 10;
export const QEMU_PCIE_ERR_UNC_MASK = 1 << 11;

/** PCI_SUBVENDOR_ID_REDHAT_QUMRANET / PCI_SUBDEVICE_ID_QEMU: QEMU's default subsystem ids. */
export const PCI_SUBVENDOR_ID_REDHAT_QUMRANET = 0x1af4;
export const PCI_SUBDEVICE_ID_QEMU = 0x1100;

// Type 1 (PCI-to-PCI bridge) header
export const PCI_PRIMARY_BUS = 0x18;
export const PCI_SECONDARY_BUS = 0x19;
export const PCI_SUBORDINATE_BUS = 0x1a;
export const PCI_SEC_LATENCY_TIMER = 0x1b;
export const PCI_IO_BASE = 0x1c;
export const PCI_IO_LIMIT = 0x1d;
export const PCI_SEC_STATUS = 0x1e;
export const PCI_MEMORY_BASE = 0x20;
export const PCI_MEMORY_LIMIT = 0x22;
export const PCI_PREF_MEMORY_BASE = 0x24;
export const PCI_PREF_MEMORY_LIMIT = 0x26;
export const PCI_PREF_BASE_UPPER32 = 0x28;
export const PCI_PREF_LIMIT_UPPER32 = 0x2c;
export const PCI_BRIDGE_CONTROL = 0x3e;
/** ~0x0f masked to a byte / word, as pci_init_mask_bridge uses them. */
export const PCI_IO_RANGE_MASK_BYTE = 0xf0;
export const PCI_MEMORY_RANGE_MASK_WORD = 0xfff0;
export const PCI_PREF_RANGE_MASK_WORD = 0xfff0;
export const PCI_IO_RANGE_TYPE_MASK = 0x0f;
export const PCI_IO_RANGE_TYPE_16 = 0x00;
export const PCI_PREF_RANGE_TYPE_MASK = 0x0f;
export const PCI_PREF_RANGE_TYPE_64 = 0x01;
export const PCI_BRIDGE_CTL_PARITY = 0x01;
export const PCI_BRIDGE_CTL_SERR = 0x02;
export const PCI_BRIDGE_CTL_ISA = 0x04;
export const PCI_BRIDGE_CTL_VGA = 0x08;
export const PCI_BRIDGE_CTL_VGA_16BIT = 0x10;
export const PCI_BRIDGE_CTL_MASTER_ABORT = 0x20;
export const PCI_BRIDGE_CTL_BUS_RESET = 0x40;
export const PCI_BRIDGE_CTL_FAST_BACK = 0x80;
export const PCI_BRIDGE_CTL_DISCARD = 0x100;
export const PCI_BRIDGE_CTL_SEC_DISCARD = 0x200;
export const PCI_BRIDGE_CTL_DISCARD_STATUS = 0x400;
export const PCI_BRIDGE_CTL_DISCARD_SERR = 0x800;
