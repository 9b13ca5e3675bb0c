/**
 * A RAM block, as QEMU's RAMBlock (include/exec/ramblock.h): an idstr, the
 * length the guest uses now, the length it may grow to, and flags.
 *
 * Lengths are plain numbers: a local block is at most a few TiB, far below
 * 2^53. Lengths read from a stream are bigints until they have been checked
 * against a block (see resize.ts), so a hostile 2^62 never becomes a number.
 *
 * Pages are sparse: `pages` maps a page index to that page's bytes and an
 * absent page reads as zeros, so a 4 GiB block that touched 10 pages holds
 * 10 pages. Page arrays are never mutated in place (writers replace the map
 * entry), which lets a staged copy share them with the original for free.
 */
export const TARGET_PAGE_BITS = 12;
/** x86 TARGET_PAGE_SIZE; also the host page size QEMU aligns resizes to. */
export const TARGET_PAGE_SIZE = 1 << TARGET_PAGE_BITS;

/** Called after a resize with the new (unaligned) size, as QEMU's `resized` hook. */
export type ResizeNotifier = (idstr: string, newSize: number) => void;

export interface RamBlock {
  idstr: string;
  usedLength: number;
  maxLength: number;
  /** RAM_RESIZEABLE: may change used length within maxLength on load. */
  resizeable: boolean;
  /** RAM_MIGRATABLE: registered for migration (vmstate_register_ram). */
  migratable: boolean;
  /** RAM_SHARED: backed by shared memory (only matters for ignore-shared). */
  shared: boolean;
  pageSize: number;
  /** page index -> page bytes; absent means zero. */
  pages: Map<number, Uint8Array>;
  /** Page indices written since the dirty log was last taken. */
  dirty: Set<number>;
  resized?: ResizeNotifier;
  /**
   * The owning build predates qemu_ram_resize (QEMU < 2.3): ram_load
   * compared the lengths itself and said "Length mismatch: %s: 0x%x in !=
   * 0x%x" (arch_init.c), without qemu_ram_resize's errno suffix.
   */
  preResizeApi?: boolean;
  /**
   * The memory region's size, which may be unaligned (memory_region_size);
   * absent means usedLength. A resize to a different unaligned size within
   * the same aligned length still notifies, as QEMU does.
   */
  regionSize?: number;
}

export interface RamBlockOptions {
  idstr: string;
  usedLength: number;
  /** Defaults to usedLength (a fixed block). */
  maxLength?: number;
  resizeable?: boolean;
  migratable?: boolean;
  shared?: boolean;
  pageSize?: number;
  resized?: ResizeNotifier;
  /** See RamBlock.preResizeApi. */
  preResizeApi?: boolean;
}

export function createRamBlock(o: RamBlockOptions): RamBlock {
  const maxLength = o.maxLength ?? o.usedLength;
  if (o.idstr.length === 0 || o.idstr.length > 255) throw new RangeError(`bad RAM block idstr '${o.idstr}'`);
  if (o.usedLength > maxLength) throw new RangeError(`${o.idstr}: used length above max length`);
  const block: RamBlock = {
    idstr: o.idstr,
    usedLength: o.usedLength,
    maxLength,
    resizeable: o.resizeable ?? maxLength !== o.usedLength,
    migratable: o.migratable ?? true,
    shared: o.shared ?? false,
    pageSize: o.pageSize ?? TARGET_PAGE_SIZE,
    pages: new Map(),
    dirty: new Set(),
  };
  if (o.resized) block.resized = o.resized;
  if (o.preResizeApi) block.preResizeApi = true;
  return block;
}

/** HOST_PAGE_ALIGN for bigints from the wire (qemu_ram_resize aligns first). */
export function hostPageAlign(n: bigint): bigint {
  const mask = BigInt(TARGET_PAGE_SIZE - 1);
  return (n + mask) & ~mask;
}

/** Number of pages the used length covers. */
export function usedPages(block: RamBlock): number {
  return Math.ceil(block.usedLength / TARGET_PAGE_SIZE);
}
