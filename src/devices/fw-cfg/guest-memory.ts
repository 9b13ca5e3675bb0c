import type { RamBlock } from '../../memory/ram-block.js';
import { readBytes, writeBytes } from '../../memory/pages.js';

/**
 * What firmware and DMA-capable devices see of the guest: physical memory
 * read and written by address. fw_cfg DMA, the linker/loader executor and
 * vmgenid's post_load write through this, so they do not care how RAM is
 * stored.
 */
export interface GuestMemory {
  read(addr: number, length: number): Uint8Array;
  write(addr: number, data: Uint8Array): void;
}

/**
 * Guest memory backed by one RAM block mapped at physical address 0 (pc.ram
 * below 4 GiB: the low-memory range firmware allocates from). Accesses past
 * the block's used length are a programming error, not a guest action.
 */
export function guestMemoryOverBlock(block: RamBlock): GuestMemory {
  const check = (addr: number, length: number): void => {
    if (addr < 0 || length < 0 || addr + length > block.usedLength) {
      throw new RangeError(`guest access 0x${addr.toString(16)}+0x${length.toString(16)} outside ${block.idstr}`);
    }
  };
  return {
    read(addr, length) {
      check(addr, length);
      return readBytes(block, addr, length);
    },
    write(addr, data) {
      check(addr, data.length);
      writeBytes(block, addr, data);
    },
  };
}

/** A sparse, self-contained guest memory of `size` bytes (zero-filled); for tests and tools. */
export function createSparseGuestMemory(size: number): GuestMemory & { pages: Map<number, Uint8Array> } {
  const PAGE = 4096;
  const pages = new Map<number, Uint8Array>();
  const check = (addr: number, length: number): void => {
    if (addr < 0 || length < 0 || addr + length > size) {
      throw new RangeError(`guest access 0x${addr.toString(16)}+0x${length.toString(16)} outside 0x${size.toString(16)}`);
    }
  };
  return {
    pages,
    read(addr, length) {
      check(addr, length);
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const a = addr + done;
        const off = a % PAGE;
        const n = Math.min(length - done, PAGE - off);
        const page = pages.get(Math.floor(a / PAGE));
        if (page) out.set(page.subarray(off, off + n), done);
        done += n;
      }
      return out;
    },
    write(addr, data) {
      check(addr, data.length);
      for (let done = 0; done < data.length; ) {
        const a = addr + done;
        const idx = Math.floor(a / PAGE);
        const off = a % PAGE;
        const n = Math.min(data.length - done, PAGE - off);
        let page = pages.get(idx);
        if (!page) {
          page = new Uint8Array(PAGE);
          pages.set(idx, page);
        }
        page.set(data.subarray(done, done + n), off);
        done += n;
      }
    },
  };
}
