import { describe, expect, it } from 'vitest';
import {
  TARGET_PAGE_SIZE,
  checkRamResize,
  commitRamList,
  createRamBlock,
  createRamList,
  fillPage,
  heldPageCount,
  markAllDirty,
  readBytes,
  readPage,
  resizeRamBlock,
  stageRamListLazily,
  takeDirty,
  writeBytes,
  writePage,
} from '../../../src/memory/index.js';

const GiB = 1024 * 1024 * 1024;

describe('sparse pages', () => {
  it('a 4 GiB block that touched 10 pages holds 10 pages', () => {
    const b = createRamBlock({ idstr: 'pc.ram', usedLength: 4 * GiB });
    for (let i = 0; i < 10; i++) writePage(b, i * 1000, new Uint8Array(TARGET_PAGE_SIZE).fill(i + 1));
    expect(heldPageCount(b)).toBe(10);
    expect(readPage(b, 3000)[0]).toBe(4);
    expect(readPage(b, 1).every((x) => x === 0)).toBe(true); // never written: zero
  });

  it('a zero fill removes the page; a non-zero fill stores it', () => {
    const b = createRamBlock({ idstr: 'r', usedLength: 4 * TARGET_PAGE_SIZE });
    fillPage(b, 1, 0xab);
    expect(readPage(b, 1)[4095]).toBe(0xab);
    fillPage(b, 1, 0);
    expect(heldPageCount(b)).toBe(0);
  });

  it('byte writes across a page boundary copy the touched pages', () => {
    const b = createRamBlock({ idstr: 'r', usedLength: 2 * TARGET_PAGE_SIZE });
    writeBytes(b, TARGET_PAGE_SIZE - 2, Uint8Array.of(1, 2, 3, 4));
    expect([...readBytes(b, TARGET_PAGE_SIZE - 2, 4)]).toEqual([1, 2, 3, 4]);
    expect(heldPageCount(b)).toBe(2);
  });

  it('a whole page of zero bytes written leaves no page (zero pages stay sparse), and is dirty', () => {
    const b = createRamBlock({ idstr: 'r', usedLength: 3 * TARGET_PAGE_SIZE });
    writePage(b, 1, new Uint8Array(TARGET_PAGE_SIZE).fill(7));
    takeDirty(b);
    // Bytes 0x800..0x2800: the tail of page 0, all of page 1, the head of page 2.
    writeBytes(b, TARGET_PAGE_SIZE / 2, new Uint8Array(2 * TARGET_PAGE_SIZE));
    expect(b.pages.has(1)).toBe(false);
    expect(heldPageCount(b)).toBe(2); // pages 0 and 2 were partly written: copied
    expect(readBytes(b, 0, 3 * TARGET_PAGE_SIZE).every((x) => x === 0)).toBe(true);
    expect([...takeDirty(b)].sort()).toEqual([0, 1, 2]);
  });

  it('refuses pages at or beyond used_length', () => {
    const b = createRamBlock({ idstr: 'r', usedLength: 2 * TARGET_PAGE_SIZE, maxLength: 8 * TARGET_PAGE_SIZE });
    expect(() => writePage(b, 2, new Uint8Array(TARGET_PAGE_SIZE))).toThrow(RangeError);
  });
});

describe('dirty log', () => {
  it('collects written pages in order and is cleared when taken', () => {
    const b = createRamBlock({ idstr: 'r', usedLength: 16 * TARGET_PAGE_SIZE });
    writePage(b, 9, new Uint8Array(TARGET_PAGE_SIZE));
    fillPage(b, 2, 7);
    expect(takeDirty(b)).toEqual([2, 9]);
    expect(takeDirty(b)).toEqual([]);
    markAllDirty(b);
    expect(takeDirty(b)).toHaveLength(16);
  });
});

describe('qemu_ram_resize (QEMU 7.2 softmmu/physmem.c)', () => {
  // The /rom@etc/acpi/tables block of a q35 guest: used 0x20000, max 0x200000 (info ramblock).
  const acpi = () =>
    createRamBlock({ idstr: '/rom@etc/acpi/tables', usedLength: 0x20000, maxLength: 0x200000, resizeable: true });

  it('grows within max_length and notifies with the unaligned size', () => {
    const calls: [string, number][] = [];
    const b = acpi();
    b.resized = (id, size) => void calls.push([id, size]);
    expect(resizeRamBlock(b, 0x30000n)).toEqual({ ok: true, changed: true, newUsedLength: 0x30000 });
    expect(b.usedLength).toBe(0x30000);
    expect(calls).toEqual([['/rom@etc/acpi/tables', 0x30000]]);
  });

  it('accepts exactly max_length', () => {
    const b = acpi();
    expect(resizeRamBlock(b, 0x200000n).ok).toBe(true);
    expect(b.usedLength).toBe(0x200000);
  });

  it('refuses beyond max_length with 7.2 wording (error_setg_errno appends ": Invalid argument")', () => {
    const b = acpi();
    // Real QEMU 7.2 on a capture patched to 0x300000 printed exactly this line.
    expect(checkRamResize(b, 0x300000n)).toEqual({
      ok: false,
      code: 'ram.length-too-large',
      message: 'Size too large: /rom@etc/acpi/tables: 0x300000 > 0x200000: Invalid argument',
    });
    // One page past max: 0x200000 + 0x1000.
    expect(checkRamResize(b, 0x201000n).ok).toBe(false);
    expect(b.usedLength).toBe(0x20000);
  });

  it('aligns to the host page first: 0x20001 becomes 0x21000', () => {
    const b = acpi();
    expect(resizeRamBlock(b, 0x20001n)).toMatchObject({ ok: true, newUsedLength: 0x21000 });
  });

  it('shrinks and drops pages that fell beyond used_length', () => {
    const b = acpi();
    writePage(b, 0x1f, new Uint8Array(TARGET_PAGE_SIZE).fill(1)); // last page of 0x20000
    writePage(b, 0, new Uint8Array(TARGET_PAGE_SIZE).fill(2));
    expect(resizeRamBlock(b, 0x10000n).ok).toBe(true);
    expect(b.usedLength).toBe(0x10000);
    expect([...b.pages.keys()]).toEqual([0]);
  });

  it('refuses any other size on a fixed block ("Size mismatch", new size first)', () => {
    const b = createRamBlock({ idstr: 'pc.ram', usedLength: 0x2000000 });
    // Real QEMU 7.2: "Size mismatch: pc.ram: 0x4000000 != 0x2000000: Invalid argument".
    expect(checkRamResize(b, 0x4000000n)).toEqual({
      ok: false,
      code: 'ram.size-mismatch',
      message: 'Size mismatch: pc.ram: 0x4000000 != 0x2000000: Invalid argument',
    });
  });

  it('a block of a build before 2.3 is refused in that era\'s ram_load words (arch_init.c: "Length mismatch: %s: 0x%x in != 0x%x")', () => {
    const b = createRamBlock({ idstr: '/rom@etc/acpi/tables', usedLength: 0x3000, preResizeApi: true });
    expect(checkRamResize(b, 0x2000n)).toEqual({
      ok: false,
      code: 'ram.size-mismatch',
      message: 'Length mismatch: /rom@etc/acpi/tables: 0x2000 in != 0x3000',
    });
  });

  it('a 2^62 length is refused without allocating', () => {
    expect(checkRamResize(createRamBlock({ idstr: 'pc.ram', usedLength: 0x2000000 }), 1n << 62n)).toMatchObject({
      code: 'ram.size-mismatch',
      message: 'Size mismatch: pc.ram: 0x4000000000000000 != 0x2000000: Invalid argument',
    });
    expect(checkRamResize(acpi(), 1n << 62n)).toMatchObject({ code: 'ram.length-too-large' });
  });

  it('same aligned size is not a change', () => {
    expect(checkRamResize(acpi(), 0x1f001n)).toEqual({ ok: true, changed: false, newUsedLength: 0x20000 });
  });
});

describe('staged RAM lists', () => {
  it('share pages with the original until commit; notifiers run only at commit', () => {
    const calls: number[] = [];
    const b = createRamBlock({ idstr: 'r', usedLength: 0x2000, maxLength: 0x8000, resizeable: true, resized: (_, n) => void calls.push(n) });
    writePage(b, 0, new Uint8Array(TARGET_PAGE_SIZE).fill(9));
    const list = createRamList([b]);
    const staged = stageRamListLazily(list);
    const sb = staged.writable('r')!;
    resizeRamBlock(sb, 0x4000n);
    writePage(sb, 3, new Uint8Array(TARGET_PAGE_SIZE).fill(1));
    expect(b.usedLength).toBe(0x2000);
    expect(b.pages.has(3)).toBe(false);
    expect(calls).toEqual([]);
    commitRamList(list, staged);
    expect(list.blocks[0]).toBe(b);
    expect(b.usedLength).toBe(0x4000);
    expect(readPage(b, 3)[0]).toBe(1);
    expect(readPage(b, 0)[0]).toBe(9);
    expect(calls).toEqual([0x4000]);
  });

  it('a lazily staged list copies a block on its first write only, and commits as the eager one', () => {
    const calls: number[] = [];
    const a = createRamBlock({ idstr: 'a', usedLength: 0x2000, maxLength: 0x8000, resizeable: true, resized: (_, n) => void calls.push(n) });
    const b = createRamBlock({ idstr: 'b', usedLength: 0x2000 });
    writePage(a, 0, new Uint8Array(TARGET_PAGE_SIZE).fill(9));
    const list = createRamList([a, b]);
    const aPages = a.pages;
    const bPages = b.pages;
    const staged = stageRamListLazily(list);
    // Reads see the originals until a write.
    expect(staged.blocks[0]).toBe(a);
    const sa = staged.writable('a')!;
    expect(sa).not.toBe(a);
    expect(staged.writable('a')).toBe(sa);
    expect(staged.blocks[0]).toBe(sa);
    expect(staged.writable('c')).toBeUndefined();
    resizeRamBlock(sa, 0x4000n);
    writePage(sa, 3, new Uint8Array(TARGET_PAGE_SIZE).fill(1));
    // Nothing reached the originals, nor the notifier.
    expect(a.usedLength).toBe(0x2000);
    expect(a.pages).toBe(aPages);
    expect(a.pages.has(3)).toBe(false);
    expect(calls).toEqual([]);
    commitRamList(list, staged);
    expect(list.blocks).toEqual([a, b]);
    expect(a.usedLength).toBe(0x4000);
    expect(readPage(a, 3)[0]).toBe(1);
    expect(readPage(a, 0)[0]).toBe(9);
    expect(calls).toEqual([0x4000]);
    // The block the load never wrote keeps its own page map.
    expect(b.pages).toBe(bPages);
  });

  it('refuses duplicate idstrs', () => {
    expect(() => createRamList([createRamBlock({ idstr: 'a', usedLength: 4096 }), createRamBlock({ idstr: 'a', usedLength: 4096 })])).toThrow();
  });
});

describe('resize notifications for unaligned sizes', () => {
  it('an unaligned size within the same aligned length notifies once, without changing used_length', () => {
    const calls: number[] = [];
    const b = createRamBlock({ idstr: '/rom@etc/acpi/tables', usedLength: 0x20000, maxLength: 0x200000, resizeable: true, resized: (_, n) => void calls.push(n) });
    // 0x1f800 aligns to 0x20000 = used_length: no resize, but the region size changes.
    expect(resizeRamBlock(b, 0x1f800n)).toEqual({ ok: true, changed: false, newUsedLength: 0x20000 });
    expect(resizeRamBlock(b, 0x1f800n)).toMatchObject({ ok: true, changed: false }); // same size again: no second notification
    expect(b.usedLength).toBe(0x20000);
    expect(calls).toEqual([0x1f800]);
  });
});
