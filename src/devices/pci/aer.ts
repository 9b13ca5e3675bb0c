import { LoadError } from '../../wire/index.js';
import {
  PCI_CONFIG_SPACE_SIZE,
  PCI_EXT_CAP_ID_ERR,
  PCI_EXT_CAP_NEXT_SHIFT,
  PCI_EXT_CAP_VER_SHIFT,
  PCIE_CONFIG_SPACE_SIZE,
  QEMU_PCIE_ERR_UNC_MASK,
} from './constants.js';
import { getLong, hex, orLong, setLong } from './config-bytes.js';
import { pciIsExpress, type PciDevice } from './pci-device.js';
import type { WalkContext } from './capabilities.js';

/**
 * PCI Express extended capabilities (above 0x100) and the Advanced Error
 * Reporting capability, with the PCI_ERR_UNCOR_MASK history:
 *
 * - QEMU 7.2: pcie_aer_init() leaves PCI_ERR_UNCOR_MASK zero and read-only,
 *   and pcie_add_capability() makes every capability byte checked on load
 *   (cmask 0xff), so the register is compared by get_pci_config_device.
 * - QEMU 8.0.0, commit 010746ae1d "hw/pci/aer: Implement PCI_ERR_UNCOR_MASK
 *   register" (Jonathan Cameron, Message-Id
 *   <20230302133709.30373-2-Jonathan.Cameron@huawei.com>): "This register in
 *   AER should be both writeable and should have a default value with a
 *   couple of the errors masked including the Uncorrectable Internal Error
 *   used by CXL": config = PCI_ERR_UNC_MASK_DEFAULT (INTN | TLP_PRF_BLOCKED
 *   = 0x02400000), wmask = PCI_ERR_UNC_SUPPORTED. An 8.0 source now sends
 *   0x40 in byte offset+0xa where a 7.2 destination holds 0, checked and
 *   read-only: "get_pci_config_device: Bad config data: i=0x10a read: 40
 *   device: 0 cmask: ff wmask: 0 w1cmask:0" (e1000e, AER at 0x100).
 * - QEMU 8.0.1 fix "hw/pci: Disable PCI_ERR_UNCOR_MASK register for machine
 *   type < 8.0" (Leonardo Bras, Message-Id
 *   <20230503002701.854329-1-leobras@redhat.com>, "Fixes: 010746ae1d"):
 *   property x-pcie-err-unc-mask (cap_present bit
 *   QEMU_PCIE_ERR_UNC_MASK_BITNR = 11), default on, turned off for old
 *   machine types by `{ TYPE_PCI_DEVICE, "x-pcie-err-unc-mask", "off" }`.
 *   Note: upstream put that entry in hw_compat_7_2 (machine types <= 7.2),
 *   not hw_compat_8_0; see docs/devel/migration.rst "How to mitigate when we
 *   have a backward compatibility error" (Juan Quintela, May 2023).
 */

/** Which build's behaviour pcie_aer_init follows for PCI_ERR_UNCOR_MASK. */
export type UncorMaskBehaviour =
  /** QEMU <= 7.2: register zero and read-only. */
  | 'absent'
  /** QEMU 8.0.0: always the 8.0 default and writable, whatever the machine type. */
  | 'always'
  /** QEMU >= 8.0.1: only when cap_present has QEMU_PCIE_ERR_UNC_MASK (x-pcie-err-unc-mask=on). */
  | 'property';

export const PCI_ERR_VER = 2;
export const PCI_ERR_SIZEOF = 0x48;
export const PCI_ERR_UNCOR_STATUS = 0x04;
export const PCI_ERR_UNCOR_MASK = 0x08;
export const PCI_ERR_UNCOR_SEVER = 0x0c;
export const PCI_ERR_COR_STATUS = 0x10;
export const PCI_ERR_COR_MASK = 0x14;
export const PCI_ERR_CAP = 0x18;

// Uncorrectable error bits (pci_regs.h / pcie_regs.h).
export const PCI_ERR_UNC_DLP = 0x00000010;
export const PCI_ERR_UNC_SDN = 0x00000020;
export const PCI_ERR_UNC_POISON_TLP = 0x00001000;
export const PCI_ERR_UNC_FCP = 0x00002000;
export const PCI_ERR_UNC_COMP_TIME = 0x00004000;
export const PCI_ERR_UNC_COMP_ABORT = 0x00008000;
export const PCI_ERR_UNC_UNX_COMP = 0x00010000;
export const PCI_ERR_UNC_RX_OVER = 0x00020000;
export const PCI_ERR_UNC_MALF_TLP = 0x00040000;
export const PCI_ERR_UNC_ECRC = 0x00080000;
export const PCI_ERR_UNC_UNSUP = 0x00100000;
export const PCI_ERR_UNC_ACSV = 0x00200000;
export const PCI_ERR_UNC_INTN = 0x00400000;
export const PCI_ERR_UNC_MCBTLP = 0x00800000;
export const PCI_ERR_UNC_ATOP_EBLOCKED = 0x01000000;
export const PCI_ERR_UNC_TLP_PRF_BLOCKED = 0x02000000;

/** Every bit from DLP through TLP_PRF_BLOCKED: 0x30 | 0x03fff000 = 0x03fff030. */
export const PCI_ERR_UNC_SUPPORTED =
  PCI_ERR_UNC_DLP |
  PCI_ERR_UNC_SDN |
  PCI_ERR_UNC_POISON_TLP |
  PCI_ERR_UNC_FCP |
  PCI_ERR_UNC_COMP_TIME |
  PCI_ERR_UNC_COMP_ABORT |
  PCI_ERR_UNC_UNX_COMP |
  PCI_ERR_UNC_RX_OVER |
  PCI_ERR_UNC_MALF_TLP |
  PCI_ERR_UNC_ECRC |
  PCI_ERR_UNC_UNSUP |
  PCI_ERR_UNC_ACSV |
  PCI_ERR_UNC_INTN |
  PCI_ERR_UNC_MCBTLP |
  PCI_ERR_UNC_ATOP_EBLOCKED |
  PCI_ERR_UNC_TLP_PRF_BLOCKED;

/** 8.0's default: 0x00400000 | 0x02000000 = 0x02400000. */
export const PCI_ERR_UNC_MASK_DEFAULT = PCI_ERR_UNC_INTN | PCI_ERR_UNC_TLP_PRF_BLOCKED;

/** DLP | SDN | FCP | RX_OVER | MALF_TLP | INTN = 0x00462030. */
export const PCI_ERR_UNC_SEVERITY_DEFAULT =
  PCI_ERR_UNC_DLP | PCI_ERR_UNC_SDN | PCI_ERR_UNC_FCP | PCI_ERR_UNC_RX_OVER | PCI_ERR_UNC_MALF_TLP | PCI_ERR_UNC_INTN;

// Correctable error bits.
export const PCI_ERR_COR_RCVR = 0x0001;
export const PCI_ERR_COR_BAD_TLP = 0x0040;
export const PCI_ERR_COR_BAD_DLLP = 0x0080;
export const PCI_ERR_COR_REP_ROLL = 0x0100;
export const PCI_ERR_COR_REP_TIMER = 0x1000;
export const PCI_ERR_COR_ADV_NONFATAL = 0x2000;
export const PCI_ERR_COR_INTERNAL = 0x4000;
export const PCI_ERR_COR_HL_OVERFLOW = 0x8000;
/** 0xf1c1. */
export const PCI_ERR_COR_SUPPORTED =
  PCI_ERR_COR_RCVR |
  PCI_ERR_COR_BAD_TLP |
  PCI_ERR_COR_BAD_DLLP |
  PCI_ERR_COR_REP_ROLL |
  PCI_ERR_COR_REP_TIMER |
  PCI_ERR_COR_ADV_NONFATAL |
  PCI_ERR_COR_INTERNAL |
  PCI_ERR_COR_HL_OVERFLOW;
/** 0xe000. */
export const PCI_ERR_COR_MASK_DEFAULT = PCI_ERR_COR_ADV_NONFATAL | PCI_ERR_COR_INTERNAL | PCI_ERR_COR_HL_OVERFLOW;

export const PCI_ERR_CAP_ECRC_GENC = 0x20;
export const PCI_ERR_CAP_ECRC_GENE = 0x40;
export const PCI_ERR_CAP_ECRC_CHKC = 0x80;
export const PCI_ERR_CAP_ECRC_CHKE = 0x100;
export const PCI_ERR_CAP_MHRC = 0x200;
export const PCI_ERR_CAP_MHRE = 0x400;

/**
 * PCIE_AER_LOG_MAX_DEFAULT: the default of the aer_log_max property, which
 * only PCIe ports have. Endpoints (e1000e) keep log_max 0, so no MHRC bit:
 * real QEMU 7.2 e1000e has PCI_ERR_CAP = 0xa0 (ECRC_GENC | ECRC_CHKC).
 */
export const PCIE_AER_LOG_MAX_DEFAULT = 8;

export interface ExtCapabilityEntry {
  id: number;
  version: number;
  offset: number;
}

/** PCI_EXT_CAP(id, ver, next). */
export function extCapHeader(id: number, ver: number, next: number): number {
  return (id | (ver << PCI_EXT_CAP_VER_SHIFT) | (next << PCI_EXT_CAP_NEXT_SHIFT)) >>> 0;
}

/**
 * The extended capability list from 0x100, bounded like the conventional
 * one: pointers must be dword aligned, at or above 0x100 and leave room for
 * a header; a pointer seen before is a cycle.
 */
export function walkExtCapabilities(config: Uint8Array, ctx: WalkContext = {}): ExtCapabilityEntry[] {
  const out: ExtCapabilityEntry[] = [];
  if (config.length < PCIE_CONFIG_SPACE_SIZE) return out;
  const seen = new Set<number>();
  let pos = PCI_CONFIG_SPACE_SIZE;
  let header = getLong(config, pos);
  // An all-zero header at 0x100 means no extended capabilities.
  while (header !== 0) {
    if (seen.has(pos)) {
      throw new LoadError('pci.cap-list-cycle', `PCIe extended capability list loops back to 0x${hex(pos)}`, (ctx.base ?? 0) + pos, ctx.path ?? '');
    }
    seen.add(pos);
    out.push({ id: header & 0xffff, version: (header >>> PCI_EXT_CAP_VER_SHIFT) & 0xf, offset: pos });
    const next = header >>> PCI_EXT_CAP_NEXT_SHIFT;
    if (next === 0) break;
    if (next < PCI_CONFIG_SPACE_SIZE || next % 4 !== 0 || next + 4 > PCIE_CONFIG_SPACE_SIZE) {
      throw new LoadError(
        'pci.cap-pointer-out-of-range',
        `PCIe extended capability pointer 0x${hex(next)} at 0x${hex(pos)} is outside [0x100, 0x1000) or not dword aligned`,
        (ctx.base ?? 0) + pos,
        ctx.path ?? '',
      );
    }
    pos = next;
    header = getLong(config, pos);
  }
  return out;
}

export function pcieFindCapability(dev: PciDevice, capId: number): number {
  return walkExtCapabilities(dev.config).find((c) => c.id === capId)?.offset ?? 0;
}

/**
 * pcie_add_capability(): header PCI_EXT_CAP(id, ver, 0) at `offset`, linked
 * from the current tail; bytes read-only, not RW1C, and checked on load.
 * QEMU trusts the caller not to overlap (it asserts ranges only).
 */
export function pcieAddCapability(dev: PciDevice, capId: number, ver: number, offset: number, size: number): void {
  if (!pciIsExpress(dev)) throw new RangeError(`${dev.name} is not a PCI Express function`);
  if (offset < PCI_CONFIG_SPACE_SIZE || size < 8 || offset + size > PCIE_CONFIG_SPACE_SIZE || offset % 4 !== 0) {
    throw new RangeError(`extended capability at 0x${hex(offset)} size ${size} out of range`);
  }
  if (offset !== PCI_CONFIG_SPACE_SIZE) {
    const list = walkExtCapabilities(dev.config);
    const tail = list[list.length - 1];
    if (!tail) throw new RangeError('extended capability list is empty; the first one must be at 0x100');
    const h = getLong(dev.config, tail.offset);
    setLong(dev.config, tail.offset, ((h & 0x000fffff) | (offset << PCI_EXT_CAP_NEXT_SHIFT)) >>> 0);
  }
  setLong(dev.config, offset, extCapHeader(capId, ver, 0));
  dev.wmask.fill(0, offset, offset + size);
  dev.w1cmask.fill(0, offset, offset + size);
  dev.cmask.fill(0xff, offset, offset + size);
}

export interface AerOptions {
  uncorMask: UncorMaskBehaviour;
  /** aer_log_max: 0 (the default, as for endpoints) disables multiple header recording; ports use 8. */
  logMax?: number;
}

/** Whether this build/device puts the 8.0 default into PCI_ERR_UNCOR_MASK. */
export function uncorMaskEnabled(dev: PciDevice, behaviour: UncorMaskBehaviour): boolean {
  if (behaviour === 'always') return true;
  if (behaviour === 'property') return (dev.capPresent & QEMU_PCIE_ERR_UNC_MASK) !== 0;
  return false;
}

/**
 * pcie_aer_init() for an endpoint (the port-specific bridge-control bits are
 * not modelled). Registers written, relative to `offset`:
 *   +0x04 UNCOR_STATUS  w1cmask = UNC_SUPPORTED
 *   +0x08 UNCOR_MASK    (8.0 behaviour only) config = 0x02400000, wmask = UNC_SUPPORTED
 *   +0x0c UNCOR_SEVER   config = 0x00462030, wmask = UNC_SUPPORTED
 *   +0x10 COR_STATUS    w1cmask |= COR_SUPPORTED
 *   +0x14 COR_MASK      config = 0xe000, wmask = COR_SUPPORTED
 *   +0x18 CAP           ECRC generation/check capable (+ MHRC when logMax > 0)
 */
export function pcieAerInit(dev: PciDevice, offset: number, o: AerOptions): void {
  pcieAddCapability(dev, PCI_EXT_CAP_ID_ERR, PCI_ERR_VER, offset, PCI_ERR_SIZEOF);
  dev.aerCap = offset;
  setLong(dev.w1cmask, offset + PCI_ERR_UNCOR_STATUS, PCI_ERR_UNC_SUPPORTED);
  if (uncorMaskEnabled(dev, o.uncorMask)) {
    setLong(dev.config, offset + PCI_ERR_UNCOR_MASK, PCI_ERR_UNC_MASK_DEFAULT);
    setLong(dev.wmask, offset + PCI_ERR_UNCOR_MASK, PCI_ERR_UNC_SUPPORTED);
  }
  setLong(dev.config, offset + PCI_ERR_UNCOR_SEVER, PCI_ERR_UNC_SEVERITY_DEFAULT);
  setLong(dev.wmask, offset + PCI_ERR_UNCOR_SEVER, PCI_ERR_UNC_SUPPORTED);
  orLong(dev.w1cmask, offset + PCI_ERR_COR_STATUS, PCI_ERR_COR_SUPPORTED);
  setLong(dev.config, offset + PCI_ERR_COR_MASK, PCI_ERR_COR_MASK_DEFAULT);
  setLong(dev.wmask, offset + PCI_ERR_COR_MASK, PCI_ERR_COR_SUPPORTED);
  const logMax = o.logMax ?? 0;
  if (logMax > 0) {
    setLong(dev.config, offset + PCI_ERR_CAP, PCI_ERR_CAP_ECRC_GENC | PCI_ERR_CAP_ECRC_CHKC | PCI_ERR_CAP_MHRC);
    setLong(dev.wmask, offset + PCI_ERR_CAP, PCI_ERR_CAP_ECRC_GENE | PCI_ERR_CAP_ECRC_CHKE | PCI_ERR_CAP_MHRE);
  } else {
    setLong(dev.config, offset + PCI_ERR_CAP, PCI_ERR_CAP_ECRC_GENC | PCI_ERR_CAP_ECRC_CHKC);
    setLong(dev.wmask, offset + PCI_ERR_CAP, PCI_ERR_CAP_ECRC_GENE | PCI_ERR_CAP_ECRC_CHKE);
  }
}

function parseVersion(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) throw new RangeError(`not a QEMU version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function cmp(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Which pcie_aer_init a QEMU release has: before 8.0 'absent'; 8.0.0
 * 'always' (010746ae1d); from the fix on 'property'. docs/devel/migration.rst
 * names the fixed release qemu-8.0.1 (the fix was requested for 8.0-stable).
 */
export function uncorMaskBehaviourForQemu(version: string): UncorMaskBehaviour {
  const v = parseVersion(version);
  if (cmp(v, [8, 0, 0]) < 0) return 'absent';
  if (cmp(v, [8, 0, 1]) < 0) return 'always';
  return 'property';
}

/**
 * The x-pcie-err-unc-mask default a machine type gives PCI devices on a
 * build that has the property: off for machine types <= 7.2 (hw_compat_7_2
 * carries `{ TYPE_PCI_DEVICE, "x-pcie-err-unc-mask", "off" }`), on for 8.0
 * and later. `machineVersion` is the machine type's version, e.g. "7.2" of
 * pc-q35-7.2.
 */
export function errUncMaskDefaultForMachine(machineVersion: string): boolean {
  return cmp(parseVersion(machineVersion), [8, 0, 0]) >= 0;
}
