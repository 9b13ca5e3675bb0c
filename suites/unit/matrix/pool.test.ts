import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { executionGroups, resolveWorkerEntry, runCells } from '../../../harness/matrix/pool.js';
import { planMatrix, sourceGuestKey } from '../../../harness/matrix/plan.js';
import { runMatrix } from '../../../harness/matrix/run.js';
import { createEngine } from './fixtures/fake-engine.mjs';
import { FAKE_ENGINE_URL, THREE_BUILDS } from './fixtures/sample.js';

const rules = [
  { machine: 'm1', from: '3.0', to: '1.0', verdict: { kind: 'refused' as const, code: 'vmstate.version-too-new', message: 'savevm: unsupported version 3 for x' } },
  { machine: 'm2', from: '2.0', to: '1.0', stateDiff: true },
];

/** Results without wall-clock times, for comparing runs. */
function timeless<T extends { timings: unknown }>(rs: readonly T[]): Array<Omit<T, 'timings'>> {
  return rs.map(({ timings: _t, ...rest }) => rest);
}

describe('executionGroups', () => {
  it('runs a source guest\'s cells together, each round trip right after the cell to its destination', () => {
    const plan = planMatrix({ builds: THREE_BUILDS, machines: ['m1'] });
    const ids = executionGroups(plan.cells).map((g) => g.map((i) => plan.cells[i]!.id));
    expect(ids).toEqual([
      ['m1:1.0>1.0', 'm1:1.0>2.0', 'm1:1.0>2.0>1.0', 'm1:1.0>3.0', 'm1:1.0>3.0>1.0'],
      ['m1:2.0>1.0', 'm1:2.0>2.0', 'm1:2.0>3.0', 'm1:2.0>3.0>2.0'],
      ['m1:3.0>1.0', 'm1:3.0>2.0', 'm1:3.0>3.0'],
    ]);
  });
});

describe('sourceGuestKey', () => {
  it('tells guests apart by everything they boot with, -smp included', () => {
    const cell = planMatrix({ builds: THREE_BUILDS, machines: ['m2'] }).cells[0]!;
    expect(sourceGuestKey({ ...cell, to: '2.0', direction: 'forward' })).toBe(sourceGuestKey(cell));
    for (const other of [{ from: '2.0' }, { machine: 'm1' }, { devices: ['e1000'] }, { ram: '64M' }, { smp: '1,maxcpus=12' }, { seed: cell.seed + 1 }]) {
      expect(sourceGuestKey({ ...cell, ...other })).not.toBe(sourceGuestKey(cell));
    }
  });
});

describe('runCells in-process', () => {
  it('runs every cell in plan order and classifies it', async () => {
    const plan = planMatrix({ builds: THREE_BUILDS });
    const seen: number[] = [];
    const run = await runCells(plan.cells, { engine: createEngine({ rules }), builds: plan.builds, workers: 1, onResult: (_r, done) => seen.push(done) });
    expect(run.workers).toBe(0);
    expect(run.results.map((r) => r.id)).toEqual(plan.cells.map((c) => c.id));
    expect(seen).toEqual(plan.cells.map((_c, i) => i + 1));
    const refused = run.results.filter((r) => r.verdict.kind === 'refused').map((r) => r.id);
    // 3.0 -> 1.0 backward and the 1.0 -> 3.0 -> 1.0 round trip (its second leg).
    expect(refused).toEqual(['m1:3.0>1.0', 'm1:1.0>3.0>1.0']);
    expect(run.results.find((r) => r.id === 'm2:2.0>1.0')?.diff).toContain('+reg.b 0x1');
  });

  it('an engine that throws gives a harness error in that cell only', async () => {
    const plan = planMatrix({ builds: THREE_BUILDS, machines: ['m2'] });
    const run = await runCells(plan.cells, { engine: createEngine({ throwOn: 'm2:1.0>2.0' }), builds: plan.builds, workers: 1 });
    expect(run.results.filter((r) => r.class === 'harness-error').map((r) => r.id)).toEqual(['m2:1.0>2.0']);
    expect(run.results.filter((r) => r.class === 'pass')).toHaveLength(4);
  });

  it('an engine spec naming a module is loaded in-process too', async () => {
    const plan = planMatrix({ builds: THREE_BUILDS });
    const run = await runCells(plan.cells, { engine: { kind: 'module', url: FAKE_ENGINE_URL, options: { rules } }, builds: plan.builds, workers: 1 });
    // Two refusals (3.0 -> 1.0 and the round trip through 3.0) and two state diffs (2.0 -> 1.0 and its round trip).
    expect(run.results.filter((r) => r.class === 'regression')).toHaveLength(4);
  });
});

const entry = resolveWorkerEntry();
describe.skipIf(entry === undefined)('runCells on worker threads (built dist/)', () => {
  it('the entry is the built JS', () => {
    expect(existsSync(fileURLToPath(entry!))).toBe(true);
    expect(entry!.pathname).toMatch(/dist\/harness\/matrix\/worker\.js$/);
  });

  it('two workers give the same results, in the same order, as in-process', async () => {
    const plan = planMatrix({ builds: THREE_BUILDS, deviceSets: [['e1000']] });
    const spec = { kind: 'module' as const, url: FAKE_ENGINE_URL, options: { rules } };
    const inProcess = await runCells(plan.cells, { engine: spec, builds: plan.builds, workers: 1 });
    const pooled = await runCells(plan.cells, { engine: spec, builds: plan.builds, workers: 2, batchSize: 3 });
    expect(pooled.workers).toBe(2);
    expect(timeless(pooled.results)).toEqual(timeless(inProcess.results));
  });

  it('a worker whose engine cannot start leaves its cells to the others or marks them', async () => {
    const plan = planMatrix({ builds: THREE_BUILDS, machines: ['m2'] });
    const run = await runCells(plan.cells, { engine: { kind: 'module', url: 'file:///nonexistent/engine.mjs' }, builds: plan.builds, workers: 2 });
    expect(run.results).toHaveLength(plan.cells.length);
    expect(run.results.every((r) => r.class === 'harness-error')).toBe(true);
    expect(run.results[0]?.note).toMatch(/engine failed to start: .*nonexistent/);
  });
});

describe('runMatrix', () => {
  it('wraps the cells in a versioned result with totals and a uuid run id', async () => {
    const r = await runMatrix({ builds: THREE_BUILDS, engine: createEngine({ rules }), workers: 1 });
    expect(r.schema).toBe('migcompat/matrix-result');
    expect(r.schemaVersion).toBe(1);
    expect(r.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.totals).toEqual({ cells: 17, pass: 13, 'expected-break': 0, regression: 4, 'harness-error': 0 });
    expect(r.plan.cellCount).toBe(17);
  });
});
