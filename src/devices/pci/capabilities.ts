import { LoadError, type CheckLog } from '../../wire/index.js';
import {
  PCI_CAP_LIST_ID,
  PCI_CAP_LIST_NEXT,
  PCI_CAPABILITY_LIST,
  PCI_CONFIG_HEADER_SIZE,
  PCI_CONFIG_SPACE_SIZE,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
} from './constants.js';
import { hex } from './config-bytes.js';
import { pciAddressLabel, type PciDevice } from './pci-device.js';

/**
 * The conventional capability list: allocation (pci_find_space), insertion
 * (pci_add_capability), lookup and removal, as in QEMU 7.2 hw/pci/pci.c and
 * the 2009 routines of seed 003.
 *
 * QEMU walks the list with `for (prev = PCI_CAPABILITY_LIST; (next =
 * config[prev]); prev = next + PCI_CAP_LIST_NEXT)`, which never ends on a
 * list with a cycle. Here every walk is bounded: a pointer below 0x40,
 * unaligned or past the end, or one seen before, ends the walk with a
 * LoadError instead of a hang.
 */

export interface CapabilityEntry {
  id: number;
  offset: number;
}

/** Where a walk's errors point: the stream offset of config[0] and a path. */
export interface WalkContext {
  base?: number;
  path?: string;
  /** Told of every check evaluated. */
  log?: CheckLog;
}

const ALIGN = 4;

function alignUp(n: number): number {
  return (n + ALIGN - 1) & ~(ALIGN - 1);
}

/**
 * Every capability on the list, head first. Refuses (LoadError) a list that
 * points outside [0x40, 0x100), at an unaligned offset, or loops.
 */
export function walkCapabilities(config: Uint8Array, ctx: WalkContext = {}): CapabilityEntry[] {
  const out: CapabilityEntry[] = [];
  if (!((config[PCI_STATUS] ?? 0) & PCI_STATUS_CAP_LIST)) return out;
  const seen = new Set<number>();
  let from = PCI_CAPABILITY_LIST;
  let ptr = config[from] ?? 0;
  while (ptr !== 0) {
    checkPointer(ptr, from, ctx);
    ctx.log?.reached('pci.cap-list-cycle');
    if (seen.has(ptr)) {
      throw new LoadError(
        'pci.cap-list-cycle',
        `PCI capability list loops: pointer at 0x${hex(from)} leads back to capability at 0x${hex(ptr)}`,
        (ctx.base ?? 0) + from,
        ctx.path ?? '',
      );
    }
    seen.add(ptr);
    out.push({ id: config[ptr + PCI_CAP_LIST_ID] ?? 0, offset: ptr });
    from = ptr + PCI_CAP_LIST_NEXT;
    ptr = config[from] ?? 0;
  }
  return out;
}

function checkPointer(ptr: number, from: number, ctx: WalkContext): void {
  ctx.log?.reached('pci.cap-pointer-out-of-range');
  // A capability header is two bytes (id, next) in the conventional space.
  if (ptr < PCI_CONFIG_HEADER_SIZE || ptr % ALIGN !== 0 || ptr + 2 > PCI_CONFIG_SPACE_SIZE) {
    throw new LoadError(
      'pci.cap-pointer-out-of-range',
      `PCI capability pointer 0x${hex(ptr)} at 0x${hex(from)} is outside [0x40, 0x100) or not dword aligned`,
      (ctx.base ?? 0) + from,
      ctx.path ?? '',
    );
  }
}

/** pci_find_capability_list(): offset of `capId` (0 if absent) and the byte that points to it. */
export function findCapabilityList(dev: PciDevice, capId: number, ctx?: WalkContext): { offset: number; prev: number } {
  let prev = PCI_CAPABILITY_LIST;
  for (const cap of walkCapabilities(dev.config, ctx)) {
    if (cap.id === capId) return { offset: cap.offset, prev };
    prev = cap.offset + PCI_CAP_LIST_NEXT;
  }
  return { offset: 0, prev };
}

/** pci_find_capability(): 0 when the device lacks `capId`. */
export function findCapability(dev: PciDevice, capId: number, ctx?: WalkContext): number {
  return findCapabilityList(dev, capId, ctx).offset;
}

/**
 * pci_find_capability_at_offset(): the start of the capability whose bytes
 * cover `offset` (the greatest capability start <= offset), 0 if the byte is
 * not claimed.
 */
export function findCapabilityAtOffset(dev: PciDevice, offset: number): number {
  if (!dev.used[offset]) return 0;
  let found = 0;
  for (const cap of walkCapabilities(dev.config)) {
    if (cap.offset <= offset && cap.offset > found) found = cap.offset;
  }
  return found;
}

/**
 * pci_find_space(): the first run of `size` unclaimed bytes above the header
 * (conventional space only, even on Express functions), 0 if none.
 */
export function findSpace(dev: PciDevice, size: number): number {
  let offset = PCI_CONFIG_HEADER_SIZE;
  for (let i = PCI_CONFIG_HEADER_SIZE; i < PCI_CONFIG_SPACE_SIZE; i++) {
    if (dev.used[i]) offset = i + 1;
    else if (i - offset + 1 === size) return offset;
  }
  return 0;
}

/**
 * pci_add_capability() in 7.2: place capability `capId` of `size` bytes at
 * `offset` (0 = first free space), link it at the head of the list, claim the
 * bytes (rounded up to a dword), make them read-only and checked on load.
 *
 * An explicit offset that overlaps an existing capability is refused with
 * QEMU's message. Its last two numbers are, as in QEMU, the *offset* of the
 * existing capability and the first overlapping byte (QEMU prints
 * `overlapping_cap, i`, where overlapping_cap is an offset, not an id).
 * Running out of space is an assert in QEMU ("out of PCI config space is
 * programming error"); here it is a `pci.cap-no-space` error.
 */
export function addCapability(dev: PciDevice, capId: number, offset: number, size: number): number {
  if (offset === 0) {
    offset = findSpace(dev, size);
    if (offset === 0) {
      throw new LoadError(
        'pci.cap-no-space',
        `${pciAddressLabel(dev)} No space for PCI capability ${hex(capId)} of size ${size}`,
        0,
        dev.name,
      );
    }
  } else {
    checkNoOverlap(dev, capId, offset, size);
  }
  const config = dev.config;
  config[offset + PCI_CAP_LIST_ID] = capId;
  config[offset + PCI_CAP_LIST_NEXT] = config[PCI_CAPABILITY_LIST] ?? 0;
  config[PCI_CAPABILITY_LIST] = offset;
  config[PCI_STATUS] = (config[PCI_STATUS] ?? 0) | PCI_STATUS_CAP_LIST;
  dev.used.fill(0xff, offset, offset + alignUp(size));
  dev.wmask.fill(0, offset, offset + size);
  dev.cmask.fill(0xff, offset, offset + size);
  return offset;
}

function checkNoOverlap(dev: PciDevice, capId: number, offset: number, size: number): void {
  if (offset < PCI_CONFIG_HEADER_SIZE || offset + size > PCI_CONFIG_SPACE_SIZE) {
    throw new LoadError(
      'pci.cap-pointer-out-of-range',
      `${pciAddressLabel(dev)} PCI capability ${hex(capId)} at offset ${hex(offset)} size ${size} does not fit in [0x40, 0x100)`,
      0,
      dev.name,
    );
  }
  for (let i = offset; i < offset + size; i++) {
    const overlapping = findCapabilityAtOffset(dev, i);
    if (overlapping) {
      throw new LoadError(
        'pci.cap-overlap',
        `${pciAddressLabel(dev)} Attempt to add PCI capability ${hex(capId)} at offset ${hex(offset)} ` +
          `overlaps existing capability ${hex(overlapping)} at offset ${hex(i)}`,
        0,
        dev.name,
      );
    }
  }
}

/**
 * pci_del_capability() in 7.2: unlink, make the bytes writable again, stop
 * checking them (device-specific registers can't be checked), release them.
 */
export function deleteCapability(dev: PciDevice, capId: number, size: number): void {
  const { offset, prev } = findCapabilityList(dev, capId);
  if (!offset) return;
  dev.config[prev] = dev.config[offset + PCI_CAP_LIST_NEXT] ?? 0;
  dev.wmask.fill(0xff, offset, offset + size);
  dev.w1cmask.fill(0, offset, offset + size);
  dev.cmask.fill(0, offset, offset + size);
  dev.used.fill(0, offset, offset + alignUp(size));
  if (!dev.config[PCI_CAPABILITY_LIST]) {
    dev.config[PCI_STATUS] = (dev.config[PCI_STATUS] ?? 0) & ~PCI_STATUS_CAP_LIST;
  }
}

/**
 * pci_reserve_capability() of seed 003: after a historic load cleared `used`,
 * a device re-claims the bytes of a capability found at a known offset.
 */
export function reserveCapability(dev: PciDevice, offset: number, size: number): void {
  dev.used.fill(0xff, offset, offset + size);
}
