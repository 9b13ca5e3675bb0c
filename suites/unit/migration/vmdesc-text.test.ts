import { describe, expect, it } from 'vitest';
import { vmdescBytes, vmdescText } from '../../../src/migration/vmdesc-text.js';
import { stringifyVmdesc, type VmdescDevice } from '../../../src/vmstate/index.js';

// The cache must never change the text: the expected value is always the
// uncached writer's (stringifyVmdesc) for the same object.
const dev = (name: string, size: number, sub = false): VmdescDevice =>
  ({
    name,
    instance_id: 0,
    vmsd_name: name,
    version: 1,
    fields: [{ name: 'x', array_len: 4, type: 'uint8', size }],
    ...(sub ? { subsections: [{ vmsd_name: `${name}/s`, version: 1, fields: [{ name: 'y', type: 'uint32', size: 4 }] }] } : {}),
  }) as VmdescDevice;

const text = (devices: VmdescDevice[]): string => stringifyVmdesc({ page_size: 4096, devices });
const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('vmdesc text cache', () => {
  it('writes what stringifyVmdesc writes, on a miss and on a hit', () => {
    const a = [dev('cachetest-a', 1), dev('cachetest-b', 1, true)];
    expect(vmdescText(4096, a)).toBe(text(a));
    const again = [dev('cachetest-a', 1), dev('cachetest-b', 1, true)];
    expect(vmdescText(4096, again)).toBe(text(again));
    expect(decode(vmdescBytes(4096, again))).toBe(text(again));
    expect(decode(vmdescBytes(4096, again))).toBe(text(again));
    expect(vmdescText(4096, [])).toBe(text([]));
  });

  it('sees a changed layout: a size, a subsection dropped, a different key order', () => {
    vmdescText(4096, [dev('cachetest-c', 1, true)]);
    const bigger = [dev('cachetest-c', 2, true)];
    expect(vmdescText(4096, bigger)).toBe(text(bigger));
    const noSub = [dev('cachetest-c', 1)];
    expect(decode(vmdescBytes(4096, noSub))).toBe(text(noSub));
    const reordered = [{ instance_id: 0, name: 'cachetest-c', vmsd_name: 'cachetest-c', version: 1, fields: [] } as unknown as VmdescDevice];
    expect(vmdescText(4096, reordered)).toBe(text(reordered));
  });

  it('is not fooled by a caller editing a tree it was given, nor by edits to returned bytes', () => {
    const tree = dev('cachetest-d', 1);
    const first = decode(vmdescBytes(4096, [tree]));
    tree.fields[0]!.size = 7; // the model's json is the caller's; the cache kept its own copy
    expect(vmdescText(4096, [tree])).toBe(text([tree]));
    const b = vmdescBytes(4096, [dev('cachetest-d', 1)]);
    expect(decode(b)).toBe(first);
    b.fill(0x20);
    expect(decode(vmdescBytes(4096, [dev('cachetest-d', 1)]))).toBe(first);
  });
});
