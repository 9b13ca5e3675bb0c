import {
  PCI_BASE_ADDRESS_0,
  PCI_BASE_ADDRESS_MEM_TYPE_64,
  PCI_BASE_ADDRESS_SPACE_IO,
  PCI_COMMAND,
  PCI_COMMAND_IO,
  PCI_COMMAND_MEMORY,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_BRIDGE,
  PCI_HEADER_TYPE_MULTI_FUNCTION,
  PCI_NUM_REGIONS,
  PCI_ROM_ADDRESS,
  PCI_ROM_ADDRESS1,
  PCI_ROM_ADDRESS_ENABLE,
  PCI_ROM_SLOT,
} from './constants.js';
import { getLong, getQuad, getWord, setLong, setQuad, setWord } from './config-bytes.js';
import { PCI_BAR_UNMAPPED, type PciDevice } from './pci-device.js';

/**
 * Base address registers: registration (pci_register_bar), decoding the
 * current mapping (pci_bar_address, pci_update_mappings) and a deterministic
 * firmware-style allocator for the emulated BIOS.
 */

const U32_MAX = 0xffff_ffffn;
/** HWADDR_MAX: hwaddr is 64-bit. */
const HWADDR_MAX = 0xffff_ffff_ffff_ffffn;

/** pci_bar(): config offset of region `reg` (the ROM BAR moves on bridges). */
export function barOffset(dev: PciDevice, reg: number): number {
  if (reg !== PCI_ROM_SLOT) return PCI_BASE_ADDRESS_0 + reg * 4;
  const type = (dev.config[PCI_HEADER_TYPE] ?? 0) & ~PCI_HEADER_TYPE_MULTI_FUNCTION;
  return type === PCI_HEADER_TYPE_BRIDGE ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
}

function isMem64(type: number): boolean {
  return !(type & PCI_BASE_ADDRESS_SPACE_IO) && (type & PCI_BASE_ADDRESS_MEM_TYPE_64) !== 0;
}

/**
 * pci_register_bar(): the BAR's low bits hold `type`, the size bits are
 * read-only (wmask ~(size-1)), and the whole register is checked on load
 * (cmask all ones), so a stream cannot change a BAR's type or size.
 */
export function registerBar(dev: PciDevice, regionNum: number, type: number, size: number | bigint): void {
  const sz = BigInt(size);
  if (regionNum < 0 || regionNum >= PCI_NUM_REGIONS) throw new RangeError(`BAR ${regionNum} out of range`);
  if (sz <= 0n || (sz & (sz - 1n)) !== 0n) throw new RangeError(`BAR size ${sz} is not a power of two`);
  dev.regions[regionNum] = { size: sz, type, addr: PCI_BAR_UNMAPPED };
  let wmask = BigInt.asUintN(64, ~(sz - 1n));
  if (regionNum === PCI_ROM_SLOT) wmask |= BigInt(PCI_ROM_ADDRESS_ENABLE);
  const at = barOffset(dev, regionNum);
  setLong(dev.config, at, type);
  if (isMem64(type)) {
    setQuad(dev.wmask, at, wmask);
    setQuad(dev.cmask, at, HWADDR_MAX);
  } else {
    setLong(dev.wmask, at, Number(wmask & U32_MAX));
    setLong(dev.cmask, at, 0xffffffff);
  }
}

/** pci_config_get_bar_addr() for a physical function. */
function configBarAddr(dev: PciDevice, reg: number, type: number, size: bigint): bigint {
  const at = barOffset(dev, reg);
  let addr = type & PCI_BASE_ADDRESS_MEM_TYPE_64 ? getQuad(dev.config, at) : BigInt(getLong(dev.config, at));
  // The ROM slot keeps its enable bit here; it is tested below.
  if (reg !== PCI_ROM_SLOT) addr &= BigInt.asUintN(64, ~(size - 1n));
  return addr;
}

/**
 * pci_bar_address(): where the guest mapped region `reg`, or
 * PCI_BAR_UNMAPPED when decoding is off, the ROM is disabled, the address is
 * 0 (unless the machine allows it) or the range wraps.
 */
export function barAddress(dev: PciDevice, reg: number, allowZeroAddress = false): bigint {
  const r = dev.regions[reg];
  if (!r) return PCI_BAR_UNMAPPED;
  const cmd = getWord(dev.config, PCI_COMMAND);
  const { type, size } = r;
  if (type & PCI_BASE_ADDRESS_SPACE_IO) {
    if (!(cmd & PCI_COMMAND_IO)) return PCI_BAR_UNMAPPED;
    const addr = configBarAddr(dev, reg, type, size);
    const last = addr + size - 1n;
    if (last <= addr || last >= U32_MAX || (!allowZeroAddress && addr === 0n)) return PCI_BAR_UNMAPPED;
    return addr;
  }
  if (!(cmd & PCI_COMMAND_MEMORY)) return PCI_BAR_UNMAPPED;
  let addr = configBarAddr(dev, reg, type, size);
  if (reg === PCI_ROM_SLOT && !(addr & BigInt(PCI_ROM_ADDRESS_ENABLE))) return PCI_BAR_UNMAPPED;
  addr &= BigInt.asUintN(64, ~(size - 1n));
  const last = addr + size - 1n;
  if (last <= addr || last === PCI_BAR_UNMAPPED || (!allowZeroAddress && addr === 0n)) return PCI_BAR_UNMAPPED;
  if (!(type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last >= U32_MAX) return PCI_BAR_UNMAPPED;
  if (last >= HWADDR_MAX) return PCI_BAR_UNMAPPED;
  return addr;
}

/** pci_update_mappings(): recompute every region's mapping from config. */
export function updateMappings(dev: PciDevice, allowZeroAddress = false): void {
  for (let i = 0; i < PCI_NUM_REGIONS; i++) {
    const r = dev.regions[i];
    if (!r) continue;
    r.addr = dev.hasPower ? barAddress(dev, i, allowZeroAddress) : PCI_BAR_UNMAPPED;
  }
}

/** An address window the firmware allocates from. */
export interface BarWindow {
  base: bigint;
  limit: bigint;
}

export interface FirmwareWindows {
  io: BarWindow;
  mem32: BarWindow;
}

/** The PC defaults: I/O from 0xc000, 32-bit MMIO in the hole below the 4 GiB boundary. */
export const PC_WINDOWS: FirmwareWindows = {
  io: { base: 0xc000n, limit: 0x10000n },
  mem32: { base: 0xc000_0000n, limit: 0xfec0_0000n },
};

/**
 * A deterministic firmware BAR allocator (in the spirit of SeaBIOS, not its
 * exact layout): across all devices, regions are placed largest first, each
 * naturally aligned, upward from the window base; then I/O and memory
 * decoding are enabled. 64-bit BARs are placed in the 32-bit window too.
 * The ROM BAR is left disabled, as SeaBIOS leaves it after copying the ROM.
 */
export function assignBars(devices: PciDevice[], windows: FirmwareWindows = PC_WINDOWS): void {
  const items: { dev: PciDevice; reg: number; size: bigint; io: boolean }[] = [];
  for (const dev of devices) {
    dev.regions.forEach((r, reg) => {
      if (r && reg !== PCI_ROM_SLOT) items.push({ dev, reg, size: r.size, io: (r.type & PCI_BASE_ADDRESS_SPACE_IO) !== 0 });
    });
  }
  // Stable order: size descending, then device order, then BAR number.
  items.sort((a, b) => (a.size === b.size ? 0 : a.size > b.size ? -1 : 1));
  const next = { io: windows.io.base, mem: windows.mem32.base };
  for (const it of items) {
    const win = it.io ? windows.io : windows.mem32;
    const cur = it.io ? next.io : next.mem;
    const addr = (cur + it.size - 1n) & ~(it.size - 1n);
    if (addr + it.size > win.limit) {
      // A configuration error (too many devices for the window), not a stream refusal.
      throw new RangeError(`PCI: no space for BAR ${it.reg} of ${it.dev.name} (size 0x${it.size.toString(16)})`);
    }
    if (it.io) next.io = addr + it.size;
    else next.mem = addr + it.size;
    writeBar(it.dev, it.reg, addr);
  }
  for (const dev of devices) {
    const hasIo = dev.regions.some((r, i) => r && i !== PCI_ROM_SLOT && r.type & PCI_BASE_ADDRESS_SPACE_IO);
    const hasMem = dev.regions.some((r, i) => r && i !== PCI_ROM_SLOT && !(r.type & PCI_BASE_ADDRESS_SPACE_IO));
    const cmd = getWord(dev.config, PCI_COMMAND) | (hasIo ? PCI_COMMAND_IO : 0) | (hasMem ? PCI_COMMAND_MEMORY : 0);
    setWord(dev.config, PCI_COMMAND, cmd);
    updateMappings(dev);
  }
}

/** Write a BAR as the guest would: address bits through wmask, type bits kept. */
function writeBar(dev: PciDevice, reg: number, addr: bigint): void {
  const r = dev.regions[reg];
  if (!r) return;
  const at = barOffset(dev, reg);
  if (isMem64(r.type)) setQuad(dev.config, at, addr | BigInt(r.type));
  else setLong(dev.config, at, Number(addr & U32_MAX) | r.type);
}
