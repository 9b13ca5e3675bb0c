import type { RamBlock } from './ram-block.js';

/**
 * The dirty log: the set of pages written since the last pass. A migration
 * pass takes the log (and so clears it), sends those pages, and the guest
 * keeps dirtying into a fresh set, as QEMU's migration bitmap sync does.
 */

export function markDirty(block: RamBlock, index: number): void {
  block.dirty.add(index);
}

/** Marks every page of the used length dirty (the first pass sends everything). */
export function markAllDirty(block: RamBlock): void {
  const n = Math.ceil(block.usedLength / block.pageSize);
  for (let i = 0; i < n; i++) block.dirty.add(i);
}

/** Returns the dirty page indices in ascending order and clears the log. */
export function takeDirty(block: RamBlock): number[] {
  const out = [...block.dirty].sort((a, b) => a - b);
  block.dirty = new Set();
  return out;
}

export function dirtyCount(block: RamBlock): number {
  return block.dirty.size;
}
