import type { CheckCode } from '../wire/index.js';
import { TARGET_PAGE_SIZE, hostPageAlign, type RamBlock } from './ram-block.js';

/**
 * qemu_ram_resize (QEMU 7.2 softmmu/physmem.c), as a value-returning check.
 *
 * The new size is host-page aligned first. Equal aligned size: nothing to do
 * (QEMU still notifies when the unaligned size differs). A fixed block with
 * another size: "Size mismatch". A resizeable block beyond max_length:
 * "Size too large". Otherwise the used length changes and the notifier runs.
 * QEMU reports through error_setg_errno(EINVAL), which appends
 * ": Invalid argument" to the message; real QEMU 7.2 prints e.g.
 * "Size mismatch: pc.ram: 0x4000000 != 0x2000000: Invalid argument"
 * (checked by feeding a patched capture to qemu-system-x86_64 7.2).
 *
 * Seed 000 (2014) shows the original wording "Length mismatch" / "Length too
 * large"; 7.2 says "Size". A block of a build before 2.3 (preResizeApi) is
 * refused with the words of that era's ram_load (arch_init.c):
 * "Length mismatch: %s: 0x%x in != 0x%x".
 */
export type ResizeResult =
  | { ok: true; changed: boolean; newUsedLength: number }
  | { ok: false; code: CheckCode; message: string };

/** Decides a resize without touching the block. `newSize` may be any u64 from the wire. */
export function checkRamResize(block: RamBlock, newSize: bigint): ResizeResult {
  const aligned = hostPageAlign(newSize);
  const used = BigInt(block.usedLength);
  if (aligned === used) return { ok: true, changed: false, newUsedLength: block.usedLength };
  // QEMU's ram_addr_t is 64-bit: an alignment that wraps past 2^64 wraps there too.
  const shown = BigInt.asUintN(64, aligned);
  if (!block.resizeable) {
    const message = block.preResizeApi
      ? `Length mismatch: ${block.idstr}: 0x${shown.toString(16)} in != 0x${used.toString(16)}`
      : `Size mismatch: ${block.idstr}: 0x${shown.toString(16)} != 0x${used.toString(16)}: Invalid argument`;
    return { ok: false, code: 'ram.size-mismatch', message };
  }
  if (shown > BigInt(block.maxLength)) {
    return {
      ok: false,
      code: 'ram.length-too-large',
      message: `Size too large: ${block.idstr}: 0x${shown.toString(16)} > 0x${block.maxLength.toString(16)}: Invalid argument`,
    };
  }
  return { ok: true, changed: true, newUsedLength: Number(shown) };
}

/**
 * Applies a resize: checks, sets the used length, drops pages that fell
 * beyond it (the guest cannot reach them and QEMU clears their dirty bits),
 * marks the new range dirty as QEMU does, and calls the notifier with the
 * unaligned size. Returns the check result; the block is unchanged on failure.
 */
export function resizeRamBlock(block: RamBlock, newSize: bigint): ResizeResult {
  const res = checkRamResize(block, newSize);
  if (!res.ok) return res;
  if (!res.changed) {
    // Same aligned length: QEMU still notifies when the unaligned size differs.
    const unaligned = Number(newSize);
    if (unaligned !== (block.regionSize ?? block.usedLength)) {
      block.regionSize = unaligned;
      block.resized?.(block.idstr, unaligned);
    }
    return res;
  }
  block.regionSize = Number(newSize);
  block.usedLength = res.newUsedLength;
  const limit = Math.ceil(block.usedLength / TARGET_PAGE_SIZE);
  for (const index of block.pages.keys()) if (index >= limit) block.pages.delete(index);
  for (const index of block.dirty) if (index >= limit) block.dirty.delete(index);
  for (let i = 0; i < limit; i++) block.dirty.add(i);
  block.resized?.(block.idstr, Number(newSize));
  return res;
}
