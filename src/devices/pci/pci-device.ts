import {
  PCI_CACHE_LINE_SIZE,
  PCI_CAPABILITY_LIST,
  PCI_CLASS_DEVICE,
  PCI_CLASS_PROG,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_COMMAND_SERR,
  PCI_CONFIG_HEADER_SIZE,
  PCI_CONFIG_SPACE_SIZE,
  PCI_DEVICE_ID,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_MULTI_FUNCTION,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_NUM_REGIONS,
  PCI_REVISION_ID,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  PCI_STATUS_DETECTED_PARITY,
  PCI_STATUS_PARITY,
  PCI_STATUS_REC_MASTER_ABORT,
  PCI_STATUS_REC_TARGET_ABORT,
  PCI_STATUS_SIG_SYSTEM_ERROR,
  PCI_STATUS_SIG_TARGET_ABORT,
  PCI_SUBDEVICE_ID_QEMU,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
  PCI_VENDOR_ID,
  PCIE_CONFIG_SPACE_SIZE,
  QEMU_PCI_CAP_EXPRESS,
  QEMU_PCI_CAP_MULTIFUNCTION,
  QEMU_PCIE_EXTCAP_INIT,
  QEMU_PCIE_LNKSTA_DLLLA,
} from './constants.js';
import { setWord } from './config-bytes.js';
import type { MsixState } from './msix.js';
import type { MsiMessage } from './msi.js';

/** PCI_BAR_UNMAPPED: (pcibus_t)~0. */
export const PCI_BAR_UNMAPPED = 0xffff_ffff_ffff_ffffn;

/** One registered I/O region (QEMU's PCIIORegion without the MemoryRegion). */
export interface PciRegion {
  /** Power of two, in bytes. */
  size: bigint;
  /** PCI_BASE_ADDRESS_SPACE_IO / MEM_TYPE_64 / MEM_PREFETCH bits. */
  type: number;
  /** Current mapping, PCI_BAR_UNMAPPED when disabled or invalid. */
  addr: bigint;
}

/**
 * A PCI function: QEMU's PCIDevice state that migration touches.
 *
 * The five byte arrays are config-space sized (256, or 4096 for Express):
 * `config` is what the guest sees, `wmask` the guest-writable bits, `w1cmask`
 * the write-1-to-clear bits, `cmask` the bits the load-time check compares,
 * and `used` the bytes claimed by capabilities (the allocator's map).
 */
export interface PciDevice {
  /** QOM type name, used in messages ("e1000"). */
  name: string;
  /** pci_root_bus_path(): "0000:00" for the root bus of a PC. */
  rootBusPath: string;
  busNumber: number;
  devfn: number;
  config: Uint8Array;
  cmask: Uint8Array;
  wmask: Uint8Array;
  w1cmask: Uint8Array;
  used: Uint8Array;
  /** QEMU_PCI_CAP_* bits: features present, plus compat properties stored as bits. */
  capPresent: number;
  /**
   * The 2009 model (seed 003): bits a device may accept in an incoming
   * cap_present. Only the historic v3 format consults it.
   */
  capSupported: number;
  /** INTx levels, bit n = pin n (pci_irq_state). */
  irqState: number;
  /** PCIDevice.version_id: 2, the vmstate_pci_device version this build writes. */
  versionId: number;
  regions: (PciRegion | undefined)[];
  /** Whether the function is powered (pci_set_power); BARs unmap without power. */
  hasPower: boolean;
  /** Config offset of the MSI capability, 0 when absent. */
  msiCap: number;
  /** MSI-X state, present when msixInit ran. */
  msix?: MsixState;
  /** Offset of the AER extended capability, 0 when absent. */
  aerCap: number;
  /** Where MSI / MSI-X messages go (the interrupt controller); optional. */
  msiSink?: (msg: MsiMessage) => void;
}

export interface PciDeviceOptions {
  name: string;
  vendorId: number;
  deviceId: number;
  revision?: number;
  /** Class code as QEMU's pci_config_set_class: the 16-bit base class + subclass. */
  classId: number;
  progIf?: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  /** PCI Express function: 4 KiB config space. */
  express?: boolean;
  devfn?: number;
  busNumber?: number;
  rootBusPath?: string;
  /** 1 = INTA ... 4 = INTD, 0 = none. */
  interruptPin?: number;
  /** Property bits to preset in cap_present (multifunction, x-pcie-* compat bits). */
  capPresent?: number;
  capSupported?: number;
}

/**
 * Property bits a PCIDevice starts with in QEMU 7.2 (pci_props defaults):
 * command_serr_enable was dropped in 5.0 but x-pcie-lnksta-dllla and
 * x-pcie-extcap-init default to true. x-pcie-err-unc-mask exists only from
 * 8.0.1 on; callers modelling 8.0.1+ add QEMU_PCIE_ERR_UNC_MASK themselves.
 */
export const DEFAULT_CAP_PRESENT_7_2 = QEMU_PCIE_LNKSTA_DLLLA | QEMU_PCIE_EXTCAP_INIT;

export function pciIsExpress(dev: Pick<PciDevice, 'capPresent'>): boolean {
  return (dev.capPresent & QEMU_PCI_CAP_EXPRESS) !== 0;
}

/** pci_config_size(). */
export function pciConfigSize(dev: Pick<PciDevice, 'capPresent'>): number {
  return pciIsExpress(dev) ? PCIE_CONFIG_SPACE_SIZE : PCI_CONFIG_SPACE_SIZE;
}

/**
 * do_pci_register_device(): allocate the arrays, write ids and class, and
 * initialise cmask / wmask / w1cmask as QEMU 7.2 does.
 */
export function createPciDevice(opts: PciDeviceOptions): PciDevice {
  let capPresent = opts.capPresent ?? DEFAULT_CAP_PRESENT_7_2;
  if (opts.express) capPresent |= QEMU_PCI_CAP_EXPRESS;
  const size = capPresent & QEMU_PCI_CAP_EXPRESS ? PCIE_CONFIG_SPACE_SIZE : PCI_CONFIG_SPACE_SIZE;
  // The five config-sized arrays as views of one allocation (machines create these on every boot).
  const bytes = new Uint8Array(5 * size);
  const dev: PciDevice = {
    name: opts.name,
    rootBusPath: opts.rootBusPath ?? '0000:00',
    busNumber: opts.busNumber ?? 0,
    devfn: opts.devfn ?? 0,
    config: bytes.subarray(0, size),
    cmask: bytes.subarray(size, 2 * size),
    wmask: bytes.subarray(2 * size, 3 * size),
    w1cmask: bytes.subarray(3 * size, 4 * size),
    used: bytes.subarray(4 * size, 5 * size),
    capPresent,
    capSupported: opts.capSupported ?? 0,
    irqState: 0,
    versionId: 2,
    regions: new Array<PciRegion | undefined>(PCI_NUM_REGIONS).fill(undefined),
    hasPower: true,
    msiCap: 0,
    aerCap: 0,
  };
  writeIdentity(dev, opts);
  initCmask(dev);
  initWmask(dev);
  initW1cmask(dev);
  if (capPresent & QEMU_PCI_CAP_MULTIFUNCTION) {
    dev.config[PCI_HEADER_TYPE] = (dev.config[PCI_HEADER_TYPE] ?? 0) | PCI_HEADER_TYPE_MULTI_FUNCTION;
  }
  return dev;
}

function writeIdentity(dev: PciDevice, opts: PciDeviceOptions): void {
  setWord(dev.config, PCI_VENDOR_ID, opts.vendorId);
  setWord(dev.config, PCI_DEVICE_ID, opts.deviceId);
  dev.config[PCI_REVISION_ID] = opts.revision ?? 0;
  dev.config[PCI_CLASS_PROG] = opts.progIf ?? 0;
  setWord(dev.config, PCI_CLASS_DEVICE, opts.classId);
  // QEMU falls back to Red Hat / QEMU subsystem ids when the class gives none.
  const hasOwn = (opts.subsystemVendorId ?? 0) !== 0 || (opts.subsystemId ?? 0) !== 0;
  setWord(dev.config, PCI_SUBSYSTEM_VENDOR_ID, hasOwn ? opts.subsystemVendorId ?? 0 : PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
  setWord(dev.config, PCI_SUBSYSTEM_ID, hasOwn ? opts.subsystemId ?? 0 : PCI_SUBDEVICE_ID_QEMU);
  dev.config[PCI_INTERRUPT_PIN] = opts.interruptPin ?? 0;
}

/** pci_init_cmask(): identity, header type, cap pointer and the CAP_LIST status bit are checked on load. */
function initCmask(dev: PciDevice): void {
  setWord(dev.cmask, PCI_VENDOR_ID, 0xffff);
  setWord(dev.cmask, PCI_DEVICE_ID, 0xffff);
  dev.cmask[PCI_STATUS] = PCI_STATUS_CAP_LIST;
  dev.cmask[PCI_REVISION_ID] = 0xff;
  dev.cmask[PCI_CLASS_PROG] = 0xff;
  setWord(dev.cmask, PCI_CLASS_DEVICE, 0xffff);
  dev.cmask[PCI_HEADER_TYPE] = 0xff;
  dev.cmask[PCI_CAPABILITY_LIST] = 0xff;
}

/**
 * pci_init_wmask(): cache line, interrupt line, the command bits, and
 * everything above the header is writable until a capability claims it.
 * SERR became unconditionally writable in 5.0 (QEMU_PCI_CAP_SERR unused since).
 */
function initWmask(dev: PciDevice): void {
  dev.wmask[PCI_CACHE_LINE_SIZE] = 0xff;
  dev.wmask[PCI_INTERRUPT_LINE] = 0xff;
  setWord(
    dev.wmask,
    PCI_COMMAND,
    PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_SERR,
  );
  dev.wmask.fill(0xff, PCI_CONFIG_HEADER_SIZE);
}

/** pci_init_w1cmask(): the error bits of the status register are RW1C. */
function initW1cmask(dev: PciDevice): void {
  setWord(
    dev.w1cmask,
    PCI_STATUS,
    PCI_STATUS_PARITY |
      PCI_STATUS_SIG_TARGET_ABORT |
      PCI_STATUS_REC_TARGET_ABORT |
      PCI_STATUS_REC_MASTER_ABORT |
      PCI_STATUS_SIG_SYSTEM_ERROR |
      PCI_STATUS_DETECTED_PARITY,
  );
}

/** The "%s:%02x:%02x.%x" prefix QEMU puts in capability errors. */
export function pciAddressLabel(dev: PciDevice): string {
  const two = (n: number): string => n.toString(16).padStart(2, '0');
  return `${dev.rootBusPath}:${two(dev.busNumber)}:${two(dev.devfn >> 3)}.${(dev.devfn & 7).toString(16)}`;
}

type ConfigArrays = Pick<PciDevice, 'config' | 'cmask' | 'wmask' | 'w1cmask' | 'used'>;

/**
 * Zeroed bytes for device copies, carved from a shared slab: every machine
 * copies its PCI devices (a q35 guest has seven, two machines a migration),
 * and an ArrayBuffer of its own for each cost more than the copy. A slab
 * lives while any device carved from it does.
 */
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(0);
let slabNext = 0;

function carve(n: number): Uint8Array {
  if (n > SLAB_BYTES / 4) return new Uint8Array(n);
  if (slabNext + n > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    slabNext = 0;
  }
  const at = slabNext;
  // 8-aligned views, as an allocation of their own would be.
  slabNext += (n + 7) & ~7;
  return slab.subarray(at, at + n);
}

/** The five config-space arrays copied, as views of one allocation when they have one size (as createPciDevice lays them out). */
function copyConfigArrays(dev: PciDevice): ConfigArrays {
  const n = dev.config.length;
  if (dev.cmask.length !== n || dev.wmask.length !== n || dev.w1cmask.length !== n || dev.used.length !== n) {
    return { config: dev.config.slice(), cmask: dev.cmask.slice(), wmask: dev.wmask.slice(), w1cmask: dev.w1cmask.slice(), used: dev.used.slice() };
  }
  const bytes = carve(5 * n);
  bytes.set(dev.config, 0);
  bytes.set(dev.cmask, n);
  bytes.set(dev.wmask, 2 * n);
  bytes.set(dev.w1cmask, 3 * n);
  bytes.set(dev.used, 4 * n);
  return { config: bytes.subarray(0, n), cmask: bytes.subarray(n, 2 * n), wmask: bytes.subarray(2 * n, 3 * n), w1cmask: bytes.subarray(3 * n, 4 * n), used: bytes.subarray(4 * n) };
}

/** A deep copy, for transactional loads: mutate the copy, commit by replacing. Machines copy a plan's device on every boot. */
export function clonePciDevice(dev: PciDevice): PciDevice {
  return {
    ...dev,
    ...copyConfigArrays(dev),
    regions: copyRegions(dev.regions),
    ...(dev.msix ? { msix: copyMsix(dev.msix) } : {}),
  };
}

/** BAR regions are updated in place (updateMappings sets their addresses): a copy needs its own region objects. */
function copyRegions(regions: PciDevice['regions']): PciDevice['regions'] {
  return regions.map((r) => (r ? { ...r } : undefined));
}

/** MSI-X state with its own table, PBA and vector use counts (written in place). */
function copyMsix(m: MsixState): MsixState {
  return { ...m, table: m.table.slice(), pba: m.pba.slice(), used: m.used.slice() };
}

/** Replace `dst`'s state by `src`'s (commit of a transactional load). */
export function assignPciDevice(dst: PciDevice, src: PciDevice): void {
  Object.assign(dst, src);
}

/**
 * assignPciDevice(dst, clonePciDevice(saved)) without the clone: the five
 * config-space arrays are copied into dst's own (same sizes), the rest as
 * clonePciDevice copies it. Resetting a device to a saved copy thousands of
 * times (the fuzzer's incoming machine) then allocates next to nothing.
 */
export function restorePciDevice(dst: PciDevice, saved: PciDevice): void {
  const own = { config: dst.config, cmask: dst.cmask, wmask: dst.wmask, w1cmask: dst.w1cmask, used: dst.used };
  Object.assign(dst, saved);
  for (const k of ['config', 'cmask', 'wmask', 'w1cmask', 'used'] as const) {
    const into = own[k];
    if (into.length === saved[k].length) {
      into.set(saved[k]);
      dst[k] = into;
    } else dst[k] = saved[k].slice();
  }
  dst.regions = copyRegions(saved.regions);
  if (saved.msix) dst.msix = copyMsix(saved.msix);
}
