import { describe, expect, it } from 'vitest';
import { boot, loadInto, snapshotDifferences } from '../../../src/vm.js';

describe('smoke', () => {
  it('boots, saves and loads pc-q35-7.2', () => {
    const t0 = performance.now();
    const src = boot('7.2', 'pc-q35-7.2', { devices: ['e1000', 'vmgenid,guid=4c4c4544-0000-1111-2222-333344445555'], seed: 3 });
    const t1 = performance.now();
    const bytes = src.save();
    const t2 = performance.now();
    const r = loadInto('7.2', 'pc-q35-7.2', { devices: ['e1000', 'vmgenid,guid=4c4c4544-0000-1111-2222-333344445555'] }, bytes);
    const t3 = performance.now();
    console.log(src.firmware, bytes.length, t1 - t0, t2 - t1, t3 - t2, r.error?.toString());
    expect(r.accepted).toBe(true);
    expect(snapshotDifferences(src.snapshot(), r.vm.snapshot())).toEqual([]);
  });
});
