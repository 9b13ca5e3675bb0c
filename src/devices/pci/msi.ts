import { PCI_CAP_ID_MSI, QEMU_PCI_CAP_MSI } from './constants.js';
import { addCapability, deleteCapability } from './capabilities.js';
import { getLong, getQuad, getWord, setLong, setWord } from './config-bytes.js';
import type { PciDevice } from './pci-device.js';

/**
 * MSI (hw/pci/msi.c): a capability of 10, 14, 20 or 24 bytes depending on
 * 64-bit addressing and per-vector masking. Everything lives in config
 * space, so MSI state migrates with the config buffer; the load-time check
 * skips it because the guest-programmed fields are in wmask.
 */

export const PCI_MSI_FLAGS = 2;
export const PCI_MSI_ADDRESS_LO = 4;
export const PCI_MSI_ADDRESS_HI = 8;
export const PCI_MSI_DATA_32 = 8;
export const PCI_MSI_DATA_64 = 12;
export const PCI_MSI_MASK_32 = 12;
export const PCI_MSI_MASK_64 = 16;
export const PCI_MSI_PENDING_32 = 0x10;
export const PCI_MSI_PENDING_64 = 0x14;

export const PCI_MSI_FLAGS_ENABLE = 0x0001;
export const PCI_MSI_FLAGS_QMASK = 0x000e;
export const PCI_MSI_FLAGS_QSIZE = 0x0070;
export const PCI_MSI_FLAGS_64BIT = 0x0080;
export const PCI_MSI_FLAGS_MASKBIT = 0x0100;

const PCI_MSI_ADDRESS_LO_MASK = 0xfffffffc;
const PCI_MSI_VECTORS_MAX = 32;

export interface MsiMessage {
  address: bigint;
  data: number;
}

/** msi_cap_sizeof(): 0x0a, 0x0e, 0x14 or 0x18 bytes. */
export function msiCapSize(flags: number): number {
  const is64 = (flags & PCI_MSI_FLAGS_64BIT) !== 0;
  const mask = (flags & PCI_MSI_FLAGS_MASKBIT) !== 0;
  if (mask) return is64 ? 0x18 : 0x14;
  return is64 ? 0x0e : 0x0a;
}

function flagsOf(dev: PciDevice): number {
  return getWord(dev.config, dev.msiCap + PCI_MSI_FLAGS);
}

function dataOff(dev: PciDevice, is64: boolean): number {
  return dev.msiCap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
}

function maskOff(dev: PciDevice, is64: boolean): number {
  return dev.msiCap + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

function pendingOff(dev: PciDevice, is64: boolean): number {
  return dev.msiCap + (is64 ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32);
}

/** 1 << QSIZE field: vectors the guest enabled. */
function nrVectors(flags: number): number {
  return 1 << ((flags & PCI_MSI_FLAGS_QSIZE) >> 4);
}

/**
 * msi_init(): add the capability (at `offset`, 0 = first free space) and make
 * the guest-programmed fields writable. Returns the capability offset.
 */
export function msiInit(dev: PciDevice, offset: number, vectors: number, msi64bit: boolean, perVectorMask: boolean): number {
  if (vectors < 1 || vectors > PCI_MSI_VECTORS_MAX || (vectors & (vectors - 1)) !== 0) {
    throw new RangeError(`MSI vector count ${vectors} must be a power of two in 1..32`);
  }
  const order = Math.log2(vectors);
  let flags = order << 1; // QMASK field: vectors the device supports
  if (msi64bit) flags |= PCI_MSI_FLAGS_64BIT;
  if (perVectorMask) flags |= PCI_MSI_FLAGS_MASKBIT;
  const cap = addCapability(dev, PCI_CAP_ID_MSI, offset, msiCapSize(flags));
  dev.msiCap = cap;
  dev.capPresent |= QEMU_PCI_CAP_MSI;
  setWord(dev.config, cap + PCI_MSI_FLAGS, flags);
  setWord(dev.wmask, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
  setLong(dev.wmask, cap + PCI_MSI_ADDRESS_LO, PCI_MSI_ADDRESS_LO_MASK);
  if (msi64bit) setLong(dev.wmask, cap + PCI_MSI_ADDRESS_HI, 0xffffffff);
  setWord(dev.wmask, dataOff(dev, msi64bit), 0xffff);
  if (perVectorMask) {
    // Mask bits 0 .. vectors-1 are writable.
    setLong(dev.wmask, maskOff(dev, msi64bit), vectors === 32 ? 0xffffffff : (1 << vectors) - 1);
  }
  return cap;
}

export function msiPresent(dev: PciDevice): boolean {
  return (dev.capPresent & QEMU_PCI_CAP_MSI) !== 0;
}

export function msiEnabled(dev: PciDevice): boolean {
  return msiPresent(dev) && (flagsOf(dev) & PCI_MSI_FLAGS_ENABLE) !== 0;
}

/** msi_is_masked(): only with per-vector masking. */
export function msiIsMasked(dev: PciDevice, vector: number): boolean {
  const flags = flagsOf(dev);
  if (!(flags & PCI_MSI_FLAGS_MASKBIT)) return false;
  const mask = getLong(dev.config, maskOff(dev, (flags & PCI_MSI_FLAGS_64BIT) !== 0));
  return ((mask >>> vector) & 1) === 1;
}

export function msiPending(dev: PciDevice): number {
  const flags = flagsOf(dev);
  if (!(flags & PCI_MSI_FLAGS_MASKBIT)) return 0;
  return getLong(dev.config, pendingOff(dev, (flags & PCI_MSI_FLAGS_64BIT) !== 0));
}

/** msi_get_message(): multi-message MSI puts the vector in the low data bits. */
export function msiGetMessage(dev: PciDevice, vector: number): MsiMessage {
  const flags = flagsOf(dev);
  const is64 = (flags & PCI_MSI_FLAGS_64BIT) !== 0;
  const n = nrVectors(flags);
  const address = is64 ? getQuad(dev.config, dev.msiCap + PCI_MSI_ADDRESS_LO) : BigInt(getLong(dev.config, dev.msiCap + PCI_MSI_ADDRESS_LO));
  let data = getWord(dev.config, dataOff(dev, is64));
  if (n > 1) data = (data & ~(n - 1)) | vector;
  return { address, data };
}

/**
 * msi_notify(): a masked vector sets its pending bit instead of firing.
 * Returns the message sent, or undefined when it was held pending.
 */
export function msiNotify(dev: PciDevice, vector: number): MsiMessage | undefined {
  const flags = flagsOf(dev);
  if (msiIsMasked(dev, vector)) {
    const at = pendingOff(dev, (flags & PCI_MSI_FLAGS_64BIT) !== 0);
    setLong(dev.config, at, (getLong(dev.config, at) | (1 << vector)) >>> 0);
    return undefined;
  }
  const msg = msiGetMessage(dev, vector);
  dev.msiSink?.(msg);
  return msg;
}

/**
 * msi_write_config(): after a guest write to the capability, clamp QSIZE to
 * what the device supports, drop pending bits above it, and deliver pending
 * vectors that are now unmasked.
 */
export function msiWriteConfig(dev: PciDevice, addr: number, len: number): void {
  if (!msiPresent(dev)) return;
  let flags = flagsOf(dev);
  const size = msiCapSize(flags);
  if (addr + len <= dev.msiCap || addr >= dev.msiCap + size) return;
  if (!(flags & PCI_MSI_FLAGS_ENABLE)) return;
  const logNum = (flags & PCI_MSI_FLAGS_QSIZE) >> 4;
  const logMax = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
  if (logNum > logMax) {
    flags = (flags & ~PCI_MSI_FLAGS_QSIZE) | (logMax << 4);
    setWord(dev.config, dev.msiCap + PCI_MSI_FLAGS, flags);
  }
  if (!(flags & PCI_MSI_FLAGS_MASKBIT)) return;
  const is64 = (flags & PCI_MSI_FLAGS_64BIT) !== 0;
  const n = nrVectors(flags);
  const at = pendingOff(dev, is64);
  const pending = (getLong(dev.config, at) & (n === 32 ? 0xffffffff : (1 << n) - 1)) >>> 0;
  setLong(dev.config, at, pending);
  for (let v = 0; v < n; v++) {
    if (msiIsMasked(dev, v) || !((pending >>> v) & 1)) continue;
    setLong(dev.config, at, (getLong(dev.config, at) & ~(1 << v)) >>> 0);
    msiNotify(dev, v);
  }
}

/** msi_reset(): disable, clear address/data/mask/pending. */
export function msiReset(dev: PciDevice): void {
  if (!msiPresent(dev)) return;
  const flags = flagsOf(dev) & ~(PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
  const is64 = (flags & PCI_MSI_FLAGS_64BIT) !== 0;
  setWord(dev.config, dev.msiCap + PCI_MSI_FLAGS, flags);
  setLong(dev.config, dev.msiCap + PCI_MSI_ADDRESS_LO, 0);
  if (is64) setLong(dev.config, dev.msiCap + PCI_MSI_ADDRESS_HI, 0);
  setWord(dev.config, dataOff(dev, is64), 0);
  if (flags & PCI_MSI_FLAGS_MASKBIT) {
    setLong(dev.config, maskOff(dev, is64), 0);
    setLong(dev.config, pendingOff(dev, is64), 0);
  }
}

/** msi_uninit(): remove the capability. */
export function msiUninit(dev: PciDevice): void {
  if (!msiPresent(dev)) return;
  deleteCapability(dev, PCI_CAP_ID_MSI, msiCapSize(flagsOf(dev)));
  dev.capPresent &= ~QEMU_PCI_CAP_MSI;
}
