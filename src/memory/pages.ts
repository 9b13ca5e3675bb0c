import { TARGET_PAGE_SIZE, type RamBlock } from './ram-block.js';

/**
 * Page access on a sparse block. Every write replaces the map entry instead
 * of mutating an array, so a staged clone (ram-list.ts) can share arrays
 * with the original and a refused load never touches committed memory.
 */

const ZERO_PAGE = new Uint8Array(TARGET_PAGE_SIZE);

function checkIndex(block: RamBlock, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index * TARGET_PAGE_SIZE >= block.usedLength) {
    throw new RangeError(`${block.idstr}: page ${index} outside used length 0x${block.usedLength.toString(16)}`);
  }
}

/** The page's bytes; a shared all-zero page when never written. Do not mutate. */
export function readPage(block: RamBlock, index: number): Uint8Array {
  checkIndex(block, index);
  return block.pages.get(index) ?? ZERO_PAGE;
}

/**
 * Stores `data` (exactly one page) as the page. The array is kept as given,
 * so a view into a stream stays a view; the caller must not mutate it later.
 * Guest writes mark the page dirty; an incoming migration does not (QEMU
 * starts every outgoing migration with the whole bitmap dirty anyway).
 */
export function writePage(block: RamBlock, index: number, data: Uint8Array, markDirty = true): void {
  checkIndex(block, index);
  if (data.length !== TARGET_PAGE_SIZE) throw new RangeError(`page write of ${data.length} bytes`);
  block.pages.set(index, data);
  if (markDirty) block.dirty.add(index);
}

/** RAM_SAVE_FLAG_ZERO semantics: a page filled with `fill`; zero pages stay sparse. */
export function fillPage(block: RamBlock, index: number, fill: number, markDirty = true): void {
  checkIndex(block, index);
  if (fill === 0) block.pages.delete(index);
  else block.pages.set(index, new Uint8Array(TARGET_PAGE_SIZE).fill(fill));
  if (markDirty) block.dirty.add(index);
}

/**
 * A fresh zeroed page carved from a shared slab: one ArrayBuffer per
 * SLAB_PAGES pages instead of one per guest store, whose allocation (and
 * the GC's external-memory accounting) was the main cost of writeBytes.
 * Pages stay 4096-aligned views; a slab lives while any of its pages does.
 */
const SLAB_PAGES = 16;
let slab: Uint8Array | undefined;
let slabNext = SLAB_PAGES;

function newPage(): Uint8Array {
  if (slabNext === SLAB_PAGES) {
    slab = new Uint8Array(SLAB_PAGES * TARGET_PAGE_SIZE);
    slabNext = 0;
  }
  const at = slabNext++ * TARGET_PAGE_SIZE;
  return slab!.subarray(at, at + TARGET_PAGE_SIZE);
}

/** Writes bytes at a byte offset (guest stores), copying touched pages. */
export function writeBytes(block: RamBlock, offset: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) {
    const at = offset + done;
    const index = Math.floor(at / TARGET_PAGE_SIZE);
    const within = at % TARGET_PAGE_SIZE;
    const n = Math.min(TARGET_PAGE_SIZE - within, data.length - done);
    if (n === TARGET_PAGE_SIZE && isAllZero(data.subarray(done, done + n))) {
      // A whole page of zeros: the page is zero, which a sparse block holds as no page (as fillPage 0).
      fillPage(block, index, 0);
      done += n;
      continue;
    }
    checkIndex(block, index);
    const page = newPage();
    // A slab page starts zeroed: only a held page needs copying under the store (most stores land on absent pages).
    const held = block.pages.get(index);
    if (n < TARGET_PAGE_SIZE && held) page.set(held);
    page.set(data.subarray(done, done + n), within);
    writePage(block, index, page);
    done += n;
  }
}

export function readBytes(block: RamBlock, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const at = offset + done;
    const index = Math.floor(at / TARGET_PAGE_SIZE);
    const within = at % TARGET_PAGE_SIZE;
    const n = Math.min(TARGET_PAGE_SIZE - within, length - done);
    out.set(readPage(block, index).subarray(within, within + n), done);
    done += n;
  }
  return out;
}

/** True when the page holds only zero bytes (absent pages are zero). */
export function isZeroPage(block: RamBlock, index: number): boolean {
  const page = block.pages.get(index);
  return !page || isAllZero(page);
}

/**
 * True when every byte is zero. A page is compared with the zero page by
 * memcmp (~3x the JS loop on a page whose data sits at a random offset, as
 * the guest's stores leave it: a save checks every held and every dirty
 * page); other lengths four bytes at a time where the view is 4-aligned.
 */
export function isAllZero(bytes: Uint8Array): boolean {
  if (bytes.length === TARGET_PAGE_SIZE) return Buffer.compare(bytes, ZERO_PAGE) === 0;
  let i = 0;
  if (bytes.byteOffset % 4 === 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    for (let w = 0; w < words.length; w++) if (words[w] !== 0) return false;
    i = words.length * 4;
  }
  for (; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Pages currently held (non-sparse), for tests and summaries. */
export function heldPageCount(block: RamBlock): number {
  return block.pages.size;
}
