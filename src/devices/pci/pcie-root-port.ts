/**
 * QEMU's generic PCI Express root port, `-device pcie-root-port`
 * (hw/pci-bridge/gen_pcie_root_port.c on hw/pci-bridge/pcie_root_port.c):
 * a type 1 bridge function, vendor 1b36 (Red Hat) device 000c, with the
 * conventional capabilities SSVID, MSI-X (one vector, exclusive BAR 0) and
 * the PCIe capability, and two extended capabilities that carry migration
 * history:
 *
 * - AER at 0x100 (GEN_PCIE_ROOT_PORT_AER_OFFSET), with the 8.0
 *   PCI_ERR_UNCOR_MASK story (aer.ts);
 * - ACS at 0x148 (GEN_PCIE_ROOT_PORT_ACS_OFFSET = 0x100 + PCI_ERR_SIZEOF),
 *   added in 4.0 for every machine type, which broke older <-> 4.0
 *   migration; 4.1 made it a property (disable-acs, on for machine types
 *   <= 3.1 via hw_compat_3_1), which in turn broke 4.0 <-> 4.1 for those
 *   machine types (Dr. David Alan Gilbert, "pcie_root_port: Disable ACS on
 *   older machines", Message-Id 20190730093719.12958-3-dgilbert@redhat.com).
 *
 * The header and conventional capabilities (0x00-0xff) come from real QEMU
 * 7.2's config space for the machine type (machine-type compat properties
 * shape them: x-speed / x-width, the 6.1 hotplug reserve capability), with
 * the masks do_pci_register_device, pci_init_mask_bridge and
 * pci_add_capability give them; the extended capabilities are built here
 * the way rp_realize builds them, so the build decides their bytes.
 */
import { extCapHeader, pcieAddCapability, pcieAerInit, PCI_ERR_SIZEOF, PCIE_AER_LOG_MAX_DEFAULT, type UncorMaskBehaviour } from './aer.js';
import { createPciBridge } from './bridge.js';
import { registerBar } from './bars.js';
import { getLong, getWord, orLong, setLong, setWord } from './config-bytes.js';
import { walkCapabilities } from './capabilities.js';
import {
  PCI_BASE_ADDRESS_SPACE_MEMORY,
  PCI_BRIDGE_CONTROL,
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_VNDR,
  PCI_CONFIG_SPACE_SIZE,
  PCI_STATUS,
  PCIE_CONFIG_SPACE_SIZE,
  QEMU_PCIE_ERR_UNC_MASK,
} from './constants.js';
import type { PciDevice } from './pci-device.js';

export const PCI_VENDOR_ID_REDHAT = 0x1b36;
export const PCI_DEVICE_ID_REDHAT_PCIE_RP = 0x000c;
export const PCI_CLASS_BRIDGE_PCI = 0x0604;
export const GEN_PCIE_ROOT_PORT_AER_OFFSET = 0x100;
export const GEN_PCIE_ROOT_PORT_MSIX_BAR_SIZE = 0x1000;
export const GEN_PCIE_ROOT_PORT_ACS_OFFSET = GEN_PCIE_ROOT_PORT_AER_OFFSET + PCI_ERR_SIZEOF;

// ACS (include/standard-headers/linux/pci_regs.h).
export const PCI_EXT_CAP_ID_ACS = 0x0d;
export const PCI_ACS_VER = 0x1;
export const PCI_ACS_SIZEOF = 8;
export const PCI_ACS_CAP = 0x04;
export const PCI_ACS_CTRL = 0x06;
export const PCI_ACS_SV = 0x01;
export const PCI_ACS_TB = 0x02;
export const PCI_ACS_RR = 0x04;
export const PCI_ACS_CR = 0x08;
export const PCI_ACS_UF = 0x10;
export const PCI_ACS_DT = 0x40;

// AER root port registers (pcie_aer_root_init).
export const PCI_ERR_ROOT_COMMAND = 0x2c;
export const PCI_ERR_ROOT_STATUS = 0x30;
/** COR_EN | NONFATAL_EN | FATAL_EN. */
export const PCI_ERR_ROOT_CMD_EN_MASK = 0x07;
/** COR_RCV | MULTI_COR_RCV | UNCOR_RCV | MULTI_UNCOR_RCV | FIRST_FATAL | NONFATAL_RCV | FATAL_RCV. */
export const PCI_ERR_ROOT_STATUS_REPORT_MASK = 0x7f;
/** Advanced Error Interrupt Message Number: read-only, but changed by the device, so not checked on load. */
export const PCI_ERR_ROOT_IRQ = 0xf8000000;
/** Received System Error, in the secondary status (pcie_aer_init for ports: a long at PCI_STATUS). */
export const PCI_SEC_STATUS_RCV_SYSTEM_ERROR = 0x4000;

/** Which ACS behaviour a QEMU release has for root ports. */
export type AcsBehaviour =
  /** Before 4.0: no ACS capability. */
  | 'absent'
  /** 4.0: ACS on every root port, whatever the machine type. */
  | 'always'
  /** 4.1 and later: ACS unless disable-acs (on for machine types <= 3.1 via hw_compat_3_1). */
  | 'property';

function versionParts(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(v);
  if (!m) throw new RangeError(`not a QEMU version: ${v}`);
  return [Number(m[1]), Number(m[2])];
}

/** 4.0 added ACS unconditionally; the 4.1 fix made it the disable-acs property. */
export function acsBehaviourForQemu(version: string): AcsBehaviour {
  const [major, minor] = versionParts(version);
  if (major < 4) return 'absent';
  if (major === 4 && minor === 0) return 'always';
  return 'property';
}

export interface PcieRootPortOptions {
  devfn: number;
  /**
   * Config bytes 0x00-0xff (header and conventional capabilities) as real
   * QEMU 7.2 wrote them for the machine type; the extended capabilities in
   * it, if any, are ignored and rebuilt.
   */
  recordedConfig: Uint8Array;
  /** pcie_aer_init behaviour of the build (aer.ts uncorMaskBehaviourForQemu). */
  uncorMask: UncorMaskBehaviour;
  /** x-pcie-err-unc-mask as the machine type resolves it (only read with uncorMask 'property'). */
  errUncMask: boolean;
  /** Whether rp_realize runs pcie_acs_init (ACS behaviour of the build and disable-acs of the machine type). */
  acs: boolean;
  /** PCIESlot.slot (slot=): the Physical Slot Number in the slot capabilities (recorded with 0). */
  slot?: number;
}

/** rp_realize / gen_rp_realize, from a recorded header and the build's extended capability behaviour. */
export function createPcieRootPort(o: PcieRootPortOptions): PciDevice {
  const cfg = o.recordedConfig;
  const dev = createPciBridge({
    name: 'pcie-root-port',
    vendorId: getWord(cfg, 0x00),
    deviceId: getWord(cfg, 0x02),
    classId: getWord(cfg, 0x0a),
    revision: cfg[0x08] ?? 0,
    interruptPin: cfg[0x3d] ?? 0,
    express: true,
    devfn: o.devfn,
  });
  if (o.errUncMask) dev.capPresent |= QEMU_PCIE_ERR_UNC_MASK;
  dev.config.set(cfg.subarray(0, PCI_CONFIG_SPACE_SIZE));
  claimConventionalCapabilities(dev, o.slot ?? 0);
  // msix_init_exclusive_bar(d, 1 vector, BAR 0): table and PBA share a 32-bit memory BAR of at
  // least 4 KiB, PBA at half of it (real 7.2's MSI-X capability: table at 0, PBA at 0x800 of BAR 0).
  // pci_register_bar makes the BAR checked on load (cmask ff) and its address bits writable.
  registerBar(dev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, GEN_PCIE_ROOT_PORT_MSIX_BAR_SIZE);
  initExtendedCapabilities(dev, o);
  return dev;
}

/** pci_add_capability claimed each capability: checked on load, read-only, used; then the per-capability writable bits. */
function claimConventionalCapabilities(dev: PciDevice, slot: number): void {
  for (const { id, offset } of walkCapabilities(dev.config)) {
    const end = Math.min(offset + capabilitySize(dev.config, id, offset), PCI_CONFIG_SPACE_SIZE);
    dev.cmask.fill(0xff, offset, end);
    dev.wmask.fill(0, offset, end);
    dev.used.fill(0xff, offset, end);
    // msix_init: MSI-X enable and function mask are guest-writable.
    if (id === PCI_CAP_ID_MSIX) dev.wmask[offset + 3] = 0xc0;
    if (id === PCI_CAP_ID_EXP) {
      initExpressMasks(dev, offset);
      // pcie_cap_slot_init: SLTCAP bits 31:19 are the Physical Slot Number.
      setLong(dev.config, offset + PCI_EXP_SLTCAP, ((getLong(dev.config, offset + PCI_EXP_SLTCAP) & 0x7ffff) | (slot << 19)) >>> 0);
    }
  }
  // pcie_port_init_reg: bridge control bits that do not apply to PCI Express are hardwired to 0.
  const ctl = getWord(dev.wmask, PCI_BRIDGE_CONTROL) & ~PCIE_PORT_HARDWIRED_BRIDGE_CTL;
  setWord(dev.wmask, PCI_BRIDGE_CONTROL, ctl);
  setWord(dev.w1cmask, PCI_BRIDGE_CONTROL, getWord(dev.w1cmask, PCI_BRIDGE_CONTROL) & ~PCIE_PORT_HARDWIRED_BRIDGE_CTL);
}

/** MASTER_ABORT | FAST_BACK | DISCARD | SEC_DISCARD | DISCARD_STATUS | DISCARD_SERR (pcie_port_init_reg). */
export const PCIE_PORT_HARDWIRED_BRIDGE_CTL = 0x20 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800;

// PCI Express capability registers, relative to the capability (pci_regs.h).
const PCI_EXP_DEVCTL = 0x08;
const PCI_EXP_DEVSTA = 0x0a;
const PCI_EXP_LNKSTA = 0x12;
const PCI_EXP_SLTCAP = 0x14;
const PCI_EXP_SLTCTL = 0x18;
const PCI_EXP_SLTSTA = 0x1a;
const PCI_EXP_RTCTL = 0x1c;
const PCI_EXP_DEVCTL2 = 0x28;
const PCI_EXP_SLTCAP_PCP = 0x02;

/**
 * The guest-writable, write-1-to-clear and unchecked bits of the PCIe
 * capability of a root port (hw/pci/pcie.c):
 * - pcie_cap_v1_fill: LNKSTA not checked on load ("We changed link status
 *   bits over time ... Let's not bother checking");
 * - pcie_cap_init + pcie_cap_arifwd_init: DEVCTL2 EETLPPB (0x8000) | ARI (0x20);
 * - pcie_cap_deverr_init: DEVCTL CERE|NFERE|FERE|URRE (0xf), DEVSTA CED|NFED|FED|URD (0xf) W1C;
 * - pcie_cap_slot_init: SLTCTL PIC|AIC|HPIE|CCIE|PDCE|ABPE (0x3f9), EIC (0x800), PCC (0x400)
 *   with a power controller (SLTCAP PCP); SLTSTA ABP|PDC|CCI (0x19) W1C;
 * - pcie_cap_root_init: RTCTL SECEE|SENFEE|SEFEE (0x7).
 */
function initExpressMasks(dev: PciDevice, pos: number): void {
  setWord(dev.cmask, pos + PCI_EXP_LNKSTA, 0);
  setWord(dev.wmask, pos + PCI_EXP_DEVCTL2, 0x8000 | 0x20);
  setWord(dev.wmask, pos + PCI_EXP_DEVCTL, 0x000f);
  setWord(dev.w1cmask, pos + PCI_EXP_DEVSTA, 0x000f);
  const pcc = getLong(dev.config, pos + PCI_EXP_SLTCAP) & PCI_EXP_SLTCAP_PCP ? 0x400 : 0;
  setWord(dev.wmask, pos + PCI_EXP_SLTCTL, 0x3f9 | 0x800 | pcc);
  setWord(dev.w1cmask, pos + PCI_EXP_SLTSTA, 0x19);
  setWord(dev.wmask, pos + PCI_EXP_RTCTL, 0x7);
}

/** PCI_SSVID_SIZEOF 8, PCI_MSIX_SIZEOF 12, PCI_EXP_VER2_SIZEOF 0x3c, a vendor capability its own length byte. */
function capabilitySize(config: Uint8Array, id: number, off: number): number {
  switch (id) {
    case PCI_CAP_ID_EXP: return 0x3c;
    case PCI_CAP_ID_MSIX: return 12;
    case PCI_CAP_ID_VNDR: return Math.max(2, config[off + 2] ?? 2);
    default: return 8;
  }
}

function initExtendedCapabilities(dev: PciDevice, o: PcieRootPortOptions): void {
  for (const a of [dev.config, dev.cmask, dev.wmask, dev.w1cmask]) a.fill(0, PCI_CONFIG_SPACE_SIZE, PCIE_CONFIG_SPACE_SIZE);
  pcieAerInit(dev, GEN_PCIE_ROOT_PORT_AER_OFFSET, { uncorMask: o.uncorMask, logMax: PCIE_AER_LOG_MAX_DEFAULT });
  // pcie_aer_init, root / downstream / upstream ports: SERR forwarding (already in the bridge wmask) and its status bit.
  orLong(dev.w1cmask, PCI_STATUS, PCI_SEC_STATUS_RCV_SYSTEM_ERROR);
  pcieAerRootInit(dev);
  if (o.acs) pcieAcsInit(dev, GEN_PCIE_ROOT_PORT_ACS_OFFSET);
}

/** pcie_aer_root_init(). */
export function pcieAerRootInit(dev: PciDevice): void {
  const pos = dev.aerCap;
  setLong(dev.wmask, pos + PCI_ERR_ROOT_COMMAND, PCI_ERR_ROOT_CMD_EN_MASK);
  setLong(dev.w1cmask, pos + PCI_ERR_ROOT_STATUS, PCI_ERR_ROOT_STATUS_REPORT_MASK);
  setLong(dev.cmask, pos + PCI_ERR_ROOT_STATUS, ~PCI_ERR_ROOT_IRQ >>> 0);
}

/**
 * pcie_acs_init() for a downstream port: the capability (read-only, checked)
 * advertises SV, TB, RR, CR, UF and DT (0x5f) and the control register
 * enables the same bits.
 */
export function pcieAcsInit(dev: PciDevice, offset: number): void {
  pcieAddCapability(dev, PCI_EXT_CAP_ID_ACS, PCI_ACS_VER, offset, PCI_ACS_SIZEOF);
  const bits = PCI_ACS_SV | PCI_ACS_TB | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF | PCI_ACS_DT;
  setWord(dev.config, offset + PCI_ACS_CAP, bits);
  setWord(dev.wmask, offset + PCI_ACS_CTRL, bits);
}

/** The extended capability header words this model writes (for tests and reasons): AER linking to ACS or not. */
export function rootPortAerHeader(acs: boolean): number {
  return extCapHeader(0x0001, 2, acs ? GEN_PCIE_ROOT_PORT_ACS_OFFSET : 0);
}
