import type { RamBlock } from './ram-block.js';

/**
 * The destination's RAM blocks (QEMU's ram_list), with lookup by idstr and
 * a cheap staged copy for transactional loads.
 */
export interface RamList {
  blocks: RamBlock[];
  /** On a staged list: unaligned sizes of resizes to notify at commit. */
  pendingResizes?: Map<string, number>;
}

export function createRamList(blocks: RamBlock[] = []): RamList {
  const seen = new Set<string>();
  for (const b of blocks) {
    if (seen.has(b.idstr)) throw new RangeError(`duplicate RAM block '${b.idstr}'`);
    seen.add(b.idstr);
  }
  return { blocks };
}

/** qemu_ram_block_by_name. */
export function findRamBlock(list: RamList, idstr: string): RamBlock | undefined {
  // A loop, not blocks.find with a closure: the loader looks a block up for every RAM record.
  const blocks = list.blocks;
  for (let i = 0; i < blocks.length; i++) if (blocks[i]!.idstr === idstr) return blocks[i];
  return undefined;
}

/** RAMBLOCK_FOREACH_MIGRATABLE: the blocks a source sends, in list order. */
export function migratableBlocks(list: RamList): RamBlock[] {
  return list.blocks.filter((b) => b.migratable);
}

/** Sum of used lengths of migratable blocks: the MEM_SIZE total a source sends. */
export function migratableTotal(list: RamList): bigint {
  return migratableBlocks(list).reduce((n, b) => n + BigInt(b.usedLength), 0n);
}

/**
 * A block's staged copy: a new block object and new page map sharing page
 * arrays with the original (pages are replaced, never mutated). The notifier
 * is not copied: it runs at commit, so a refused load notifies nobody.
 */
function stagedCopy(b: RamBlock, pendingResizes: Map<string, number>): RamBlock {
  // Every field by name, the optional ones too (undefined when absent): one object shape for
  // every staged block, where a spread of blocks with and without them was a megamorphic copy.
  return {
    idstr: b.idstr,
    usedLength: b.usedLength,
    maxLength: b.maxLength,
    resizeable: b.resizeable,
    migratable: b.migratable,
    shared: b.shared,
    pageSize: b.pageSize,
    pages: new Map(b.pages),
    dirty: new Set(b.dirty),
    resized: (idstr: string, size: number) => void pendingResizes.set(idstr, size),
    preResizeApi: b.preResizeApi,
    regionSize: b.regionSize,
  };
}

/** A staged list whose blocks are copied when first written (see stageRamListLazily). */
export interface LazyStagedRamList extends RamList {
  /** The staged copy of a block, made on first call; undefined: no such block. Read-only access may use `blocks`. */
  writable(idstr: string): RamBlock | undefined;
}

/**
 * A staged list for a transactional load, copying a block (stagedCopy) only
 * when the load first writes to it: a load that touches two blocks of six
 * copies two. Until then `blocks` holds the original (read, never written);
 * commitRamList copies an original onto itself, which changes nothing.
 */
export function stageRamListLazily(list: RamList): LazyStagedRamList {
  const pendingResizes = new Map<string, number>();
  const originals = list.blocks;
  const blocks = originals.slice();
  return {
    pendingResizes,
    blocks,
    writable(idstr) {
      const i = blocks.findIndex((b) => b.idstr === idstr);
      const b = blocks[i];
      if (!b || b !== originals[i]) return b;
      return (blocks[i] = stagedCopy(b, pendingResizes));
    },
  };
}

/**
 * Copies a staged list's contents into the original blocks (same objects the
 * caller holds) and runs resize notifiers for blocks whose length changed.
 */
export function commitRamList(target: RamList, staged: RamList): void {
  for (const s of staged.blocks) {
    const t = findRamBlock(target, s.idstr);
    if (!t) continue;
    t.usedLength = s.usedLength;
    if (s.regionSize !== undefined) t.regionSize = s.regionSize;
    t.pages = s.pages;
    t.dirty = s.dirty;
    const size = staged.pendingResizes?.get(s.idstr);
    if (size !== undefined) t.resized?.(t.idstr, size);
  }
}
