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

  it('shards partition the plan', () => {
    const cells = planMatrix({ builds: THREE_BUILDS }).cells;
    const parts = [1, 2, 3].map((index) => shardCells(cells, { index, count: 3 }));
    expect(parts.map((p) => p.length)).toEqual([6, 6, 5]);
    expect(parts.flat().map((c) => c.id).sort()).toEqual(cells.map((c) => c.id).sort());
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
  });

  it('refuses a shard twice and shards of another plan', async () => {
    const s1 = await runMatrix({ builds: THREE_BUILDS, engine, workers: 1, shard: { index: 1, count: 2 } });
    expect(() => mergeResults([s1, s1], 'x')).toThrow(/shard 1 given twice/);
    const other = await runMatrix({ builds: THREE_BUILDS, machines: ['m2'], engine, workers: 1, shard: { index: 2, count: 2 } });
    expect(() => mergeResults([s1, other], 'x')).toThrow(/another plan/);
  });
});
