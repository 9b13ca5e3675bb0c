import { describe, expect, it } from 'vitest';
import { mergeResults, parseShard, shardCells } from '../../../harness/matrix/shard.js';
import { planMatrix } from '../../../harness/matrix/plan.js';
import { runMatrix } from '../../../harness/matrix/run.js';
import { createEngine } from './fixtures/fake-engine.mjs';
import { THREE_BUILDS } from './fixtures/sample.js';

const engine = createEngine({ rules: [{ machine: 'm1', from: '3.0', to: '1.0', verdict: { kind: 'refused', code: 'x', message: 'y' } }] });

describe('shards', () => {
  it('parses i/n and refuses nonsense', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1']) expect(() => parseShard(bad)).toThrow(RangeError);
  });

  it('shards partition the plan by source guest', () => {
    const cells = planMatrix({ builds: THREE_BUILDS }).cells;
    const parts = [1, 2, 3].map((index) => shardCells(cells, { index, count: 3 }));
    // Source guests in plan order with their cells: m1 on 1.0 (control, 2 forward, 2 round trips) 5,
    // m1 on 2.0 (control, backward, forward, round trip) 4, m1 on 3.0 (control, 2 backward) 3,
    // m2 on 1.0 (control, forward, round trip) 3, m2 on 2.0 (control, backward) 2. Round-robin
    // over the five guests: shard 1 gets guests 1 and 4 (5 + 3), shard 2 guests 2 and 5 (4 + 2), shard 3 guest 3.
    expect(parts.map((p) => p.length)).toEqual([8, 6, 3]);
    expect(parts.flat().map((c) => c.id).sort()).toEqual(cells.map((c) => c.id).sort());
    for (const p of parts) for (const c of p) expect(cells.filter((o) => o.machine === c.machine && o.from === c.from).every((o) => p.includes(o))).toBe(true);
  });

  it('merging every shard gives the unsharded result back (cells in plan order, totals)', async () => {
    const whole = await runMatrix({ builds: THREE_BUILDS, engine, workers: 1 });
    const shards = await Promise.all([1, 2, 3].map((index) => runMatrix({ builds: THREE_BUILDS, engine, workers: 1, shard: { index, count: 3 } })));
    expect(new Set(shards.map((s) => s.plan.planHash)).size).toBe(1);
    const merged = mergeResults([shards[2]!, shards[0]!, shards[1]!], 'merged');
    expect(merged.cells.map((c) => c.id)).toEqual(whole.cells.map((c) => c.id));
    expect(merged.totals).toEqual(whole.totals);
    expect(merged.plan.mergedShards).toEqual([1, 2, 3]);
    expect(merged.plan.shard).toBeUndefined();
    expect(merged.timings.cpu?.processMs).toBeCloseTo(shards.reduce((s, p) => s + p.timings.cpu!.processMs, 0), 6);
  });

  it('refuses a shard twice and shards of another plan', async () => {
    const s1 = await runMatrix({ builds: THREE_BUILDS, engine, workers: 1, shard: { index: 1, count: 2 } });
    expect(() => mergeResults([s1, s1], 'x')).toThrow(/shard 1 given twice/);
    const other = await runMatrix({ builds: THREE_BUILDS, machines: ['m2'], engine, workers: 1, shard: { index: 2, count: 2 } });
    expect(() => mergeResults([s1, other], 'x')).toThrow(/another plan/);
  });
});
