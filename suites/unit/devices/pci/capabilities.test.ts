import { describe, expect, it } from 'vitest';
import {
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_PM,
  PCI_CAP_ID_VNDR,
  PCI_CAPABILITY_LIST,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  addCapability,
  deleteCapability,
  findCapability,
  findSpace,
  walkCapabilities,
} from '../../../../src/devices/pci/index.js';
import { isLoadError, type LoadError } from '../../../../src/wire/index.js';
import { e1000Like } from './fixtures.js';
import { catchLoadError } from '../../../helpers/catch-load-error.js';


describe('capability placement (pci_find_space / pci_add_capability)', () => {
  it('places first-fit above the 64-byte header and claims whole dwords', () => {
    const dev = e1000Like();
    // Nothing used yet: the first free byte is PCI_CONFIG_HEADER_SIZE = 0x40.
    expect(addCapability(dev, PCI_CAP_ID_VNDR, 0, 16)).toBe(0x40);
    // 0x40..0x4f used, so a 20-byte capability starts at 0x50 ...
    expect(addCapability(dev, PCI_CAP_ID_VNDR, 0, 20)).toBe(0x50);
    // ... and claims QEMU_ALIGN_UP(20, 4) = 20 bytes: 0x50..0x63, so 12 bytes fit at 0x64.
    expect(addCapability(dev, PCI_CAP_ID_MSIX, 0, 12)).toBe(0x64);
    // A 10-byte MSI-like capability claims 12 bytes (0x70..0x7b): next free is 0x7c.
    expect(addCapability(dev, 0x05, 0, 10)).toBe(0x70);
    expect(findSpace(dev, 4)).toBe(0x7c);
  });

  it('links each new capability at the head and sets the CAP_LIST status bit', () => {
    const dev = e1000Like();
    expect(dev.config[PCI_STATUS]! & PCI_STATUS_CAP_LIST).toBe(0);
    addCapability(dev, PCI_CAP_ID_PM, 0, 8);
    addCapability(dev, PCI_CAP_ID_MSIX, 0, 12);
    expect(dev.config[PCI_STATUS]! & PCI_STATUS_CAP_LIST).toBe(PCI_STATUS_CAP_LIST);
    expect(dev.config[PCI_CAPABILITY_LIST]).toBe(0x48);
    // Each capability: byte 0 id, byte 1 next.
    expect([dev.config[0x48], dev.config[0x49]]).toEqual([PCI_CAP_ID_MSIX, 0x40]);
    expect([dev.config[0x40], dev.config[0x41]]).toEqual([PCI_CAP_ID_PM, 0]);
    expect(walkCapabilities(dev.config)).toEqual([
      { id: PCI_CAP_ID_MSIX, offset: 0x48 },
      { id: PCI_CAP_ID_PM, offset: 0x40 },
    ]);
    expect(findCapability(dev, PCI_CAP_ID_PM)).toBe(0x40);
    expect(findCapability(dev, 0x05)).toBe(0);
  });

  it('makes the capability read-only and checked (wmask 0, cmask 0xff) for exactly its size', () => {
    const dev = e1000Like();
    const at = addCapability(dev, PCI_CAP_ID_VNDR, 0, 10);
    expect([...dev.wmask.subarray(at, at + 10)]).toEqual(new Array(10).fill(0));
    expect([...dev.cmask.subarray(at, at + 10)]).toEqual(new Array(10).fill(0xff));
    // Bytes 10 and 11 are claimed (alignment) but stay writable and unchecked.
    expect([dev.used[at + 10], dev.used[at + 11], dev.wmask[at + 10], dev.cmask[at + 10]]).toEqual([0xff, 0xff, 0xff, 0]);
  });

  it('ignores the list when the status register says there is none (pci_find_capability_list)', () => {
    const dev = e1000Like();
    addCapability(dev, PCI_CAP_ID_PM, 0, 8);
    dev.config[PCI_STATUS] = 0;
    expect(findCapability(dev, PCI_CAP_ID_PM)).toBe(0);
  });

  it('refuses to run out of space (QEMU asserts) with pci.cap-no-space', () => {
    const dev = e1000Like();
    // (0x100 - 0x40) / 64 = 3 capabilities of 64 bytes fill the space.
    expect([0, 1, 2].map(() => addCapability(dev, PCI_CAP_ID_VNDR, 0, 64))).toEqual([0x40, 0x80, 0xc0]);
    expect(catchLoadError(() => addCapability(dev, PCI_CAP_ID_VNDR, 0, 4)).code).toBe('pci.cap-no-space');
  });
});

describe('explicit offsets: overlap refusal', () => {
  it("refuses an overlapping capability with QEMU 7.2's wording", () => {
    const dev = e1000Like(); // devfn 01.0 on bus 0 of root bus "0000:00"
    addCapability(dev, PCI_CAP_ID_PM, 0x40, 16);
    const e = catchLoadError(() => addCapability(dev, PCI_CAP_ID_MSIX, 0x48, 12));
    expect(e.code).toBe('pci.cap-overlap');
    // "%s:%02x:%02x.%x Attempt to add PCI capability %x at offset %x overlaps
    // existing capability %x at offset %x" with (root bus path, bus, slot,
    // func, cap_id, offset, overlapping_cap, i): overlapping_cap is the
    // *offset* of the existing capability (0x40) and i the first shared byte.
    expect(e.message).toBe('0000:00:00:01.0 Attempt to add PCI capability 11 at offset 48 overlaps existing capability 40 at offset 48');
    // Nothing was written.
    expect(dev.config[0x48]).toBe(0);
    expect(dev.config[PCI_CAPABILITY_LIST]).toBe(0x40);
  });

  it('accepts an adjacent capability and reports the first overlapping byte otherwise', () => {
    const dev = e1000Like();
    addCapability(dev, PCI_CAP_ID_PM, 0x50, 8);
    expect(addCapability(dev, PCI_CAP_ID_VNDR, 0x40, 16)).toBe(0x40); // 0x40..0x4f ends where PM starts
    const e = catchLoadError(() => addCapability(dev, PCI_CAP_ID_MSIX, 0x4c, 12)); // 0x4c..0x57
    // 0x4c is inside the vendor capability at 0x40, found first.
    expect(e.message).toMatch(/overlaps existing capability 40 at offset 4c$/);
  });
});

describe('deleteCapability (pci_del_capability, 7.2)', () => {
  it('unlinks, makes the bytes writable and unchecked again, and frees them', () => {
    const dev = e1000Like();
    const a = addCapability(dev, PCI_CAP_ID_PM, 0, 8); // 0x40
    const b = addCapability(dev, PCI_CAP_ID_VNDR, 0, 20); // 0x48, head
    deleteCapability(dev, PCI_CAP_ID_PM, 8);
    expect(walkCapabilities(dev.config)).toEqual([{ id: PCI_CAP_ID_VNDR, offset: b }]);
    expect(dev.config[b + 1]).toBe(0); // the head's next pointer skipped the removed one
    expect([...dev.wmask.subarray(a, a + 8)]).toEqual(new Array(8).fill(0xff));
    expect([...dev.cmask.subarray(a, a + 8)]).toEqual(new Array(8).fill(0));
    expect([...dev.used.subarray(a, a + 8)]).toEqual(new Array(8).fill(0));
    // The freed 8 bytes are first-fit again.
    expect(addCapability(dev, 0x05, 0, 8)).toBe(a);
  });

  it('clears PCI_STATUS_CAP_LIST when the last capability goes', () => {
    const dev = e1000Like();
    addCapability(dev, PCI_CAP_ID_PM, 0, 8);
    deleteCapability(dev, PCI_CAP_ID_PM, 8);
    expect(dev.config[PCI_CAPABILITY_LIST]).toBe(0);
    expect(dev.config[PCI_STATUS]! & PCI_STATUS_CAP_LIST).toBe(0);
  });

  it('is a no-op for an absent capability', () => {
    const dev = e1000Like();
    addCapability(dev, PCI_CAP_ID_PM, 0, 8);
    const before = dev.config.slice();
    deleteCapability(dev, PCI_CAP_ID_MSIX, 12);
    expect(dev.config).toEqual(before);
  });
});

describe('bounded walks over hostile lists', () => {
  function withList(links: [number, number][]): Uint8Array {
    // links: [at, value] bytes to poke after enabling the list.
    const dev = e1000Like();
    dev.config[PCI_STATUS] = PCI_STATUS_CAP_LIST;
    for (const [at, v] of links) dev.config[at] = v;
    return dev.config;
  }

  it('ends a two-element cycle with pci.cap-list-cycle (QEMU would loop forever)', () => {
    // 0x34 -> 0x40 -> 0x50 -> 0x40 ...
    const config = withList([[PCI_CAPABILITY_LIST, 0x40], [0x41, 0x50], [0x51, 0x40]]);
    const e = catchLoadError(() => walkCapabilities(config, { base: 1000, path: 'e1000/config' }));
    expect(e.code).toBe('pci.cap-list-cycle');
    // The offending pointer is the next byte of the capability at 0x50: 1000 + 0x51.
    expect(e.offset).toBe(1000 + 0x51);
    expect(e.path).toBe('e1000/config');
  });

  it('ends a self-loop', () => {
    const config = withList([[PCI_CAPABILITY_LIST, 0x40], [0x41, 0x40]]);
    expect(catchLoadError(() => walkCapabilities(config)).code).toBe('pci.cap-list-cycle');
  });

  it.each([
    ['below the header', 0x20],
    ['unaligned', 0x42],
    ['unaligned near the end', 0xff],
  ])('refuses a pointer %s (0x%s)', (_what, ptr) => {
    const config = withList([[PCI_CAPABILITY_LIST, 0x40], [0x41, ptr]]);
    const e = catchLoadError(() => walkCapabilities(config));
    expect(e.code).toBe('pci.cap-pointer-out-of-range');
    expect(e.offset).toBe(0x41);
  });

  it('refuses a bad head pointer too', () => {
    const config = withList([[PCI_CAPABILITY_LIST, 0x3c]]);
    expect(catchLoadError(() => walkCapabilities(config)).offset).toBe(PCI_CAPABILITY_LIST);
  });

  it('visits at most 48 capabilities: the longest valid list ends', () => {
    // (0x100 - 0x40) / 4 = 48 dword-aligned slots; chain them all.
    const links: [number, number][] = [[PCI_CAPABILITY_LIST, 0x40]];
    for (let p = 0x40; p < 0xfc; p += 4) links.push([p + 1, p + 4]);
    const list = walkCapabilities(withList(links));
    expect(list).toHaveLength(48);
    expect(list[47]!.offset).toBe(0xfc);
  });
});
