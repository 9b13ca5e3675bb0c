import { readPage, type RamBlock } from '../../memory/index.js';

/** A RAM block as the guest sees it: its length and a digest per non-zero page. */
export interface BlockSnapshot {
  usedLength: number;
  /** page index -> FNV-1a digest (hex) of the page, non-zero pages only, ascending. */
  pages: Record<string, string>;
}

export function blockSnapshot(block: RamBlock): BlockSnapshot {
  const pages: Record<string, string> = {};
  const indices = [...block.pages.keys()].sort((a, b) => a - b);
  for (const i of indices) {
    const data = readPage(block, i);
    if (data.some((v) => v !== 0)) pages[String(i)] = fnv1a(data);
  }
  return { usedLength: block.usedLength, pages };
}

function fnv1a(data: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const v of data) h = Math.imul(h ^ v, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
