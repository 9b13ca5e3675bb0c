import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../../src/wire/index.js';
import { TARGET_PAGE_SIZE, createRamBlock, createRamList } from '../../../src/memory/index.js';
import { buildStream, encodeStream, loadStream, parseStream, passAllPages } from '../../../src/migration/index.js';
import { devVmsd, smallDest, smallStream } from './hand-stream.js';

describe('stream properties', () => {
  it('any built stream re-encodes byte for byte after parsing and loads into a matching destination', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1), fc.nat(255)), { maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        (writes, acpiPages, reg) => {
          const list = createRamList([
            createRamBlock({ idstr: 'pc.ram', usedLength: 2 * TARGET_PAGE_SIZE }), // as smallDest()
            createRamBlock({ idstr: '/rom@acpi', usedLength: acpiPages * TARGET_PAGE_SIZE, maxLength: 0x4000, resizeable: true }),
          ]);
          for (const [page, fill] of writes) list.blocks[0]!.pages.set(page, new Uint8Array(TARGET_PAGE_SIZE).fill(fill));
          const bytes = encodeStream(
            buildStream({
              configuration: 'mini',
              footers: true,
              vmdesc: true,
              ram: { sectionId: 1, list, passes: [passAllPages(list)] },
              devices: [{ sectionId: 2, idstr: 'dev', instanceId: 0, vmsd: devVmsd, state: { reg: reg >>> 0 } }],
            }),
          );
          expect(Buffer.compare(Buffer.from(encodeStream(parseStream(bytes))), Buffer.from(bytes))).toBe(0);
          const dest = smallDest();
          const v = loadStream(bytes, dest);
          expect(v.accepted).toBe(true);
          for (const [page] of writes) {
            expect(dest.ram.blocks[0]!.pages.get(page) ?? new Uint8Array(TARGET_PAGE_SIZE)).toEqual(list.blocks[0]!.pages.get(page));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a mutated stream gives a verdict, never an exception; a refusal leaves the destination as it was', () => {
    const base = smallStream();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(base.length), { nil: undefined }),
        (edits, cut) => {
          const bytes = base.slice(0, cut ?? base.length);
          for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v;
          const dest = smallDest();
          const v = loadStream(bytes, dest);
          if (v.accepted) return;
          expect(v.error).toBeInstanceOf(LoadError);
          expect(v.error.offset).toBeGreaterThanOrEqual(0);
          expect(v.error.offset).toBeLessThanOrEqual(bytes.length);
          const fresh = smallDest();
          expect(dest.ram.blocks.map((b) => [b.usedLength, b.pages.size])).toEqual(fresh.ram.blocks.map((b) => [b.usedLength, b.pages.size]));
          expect(dest.sections[1]!.state).toEqual({ reg: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parseStream on mutated bytes either models them or refuses with a LoadError', () => {
    const base = smallStream();
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(255), (at, v) => {
        const bytes = base.slice();
        bytes[at] = v;
        try {
          const m = parseStream(bytes);
          expect(Buffer.compare(Buffer.from(encodeStream(m)), Buffer.from(bytes))).toBe(0);
        } catch (e) {
          expect(e).toBeInstanceOf(LoadError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
