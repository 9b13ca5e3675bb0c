/**
 * The matrix boots and saves each source guest once and loads that stream
 * into every destination, and continues a round trip from its A -> B cell
 * (harness/matrix/sim-engine.ts). That is only allowed because it changes
 * nothing: every cell must be exactly what migrating a freshly booted guest
 * gives, whatever the order, shard or worker count.
 */
import { describe, expect, it } from 'vitest';
import { classifyCell } from '../../harness/matrix/classify.js';
import { planMatrix } from '../../harness/matrix/plan.js';
import { resolveWorkerEntry } from '../../harness/matrix/pool.js';
import { runMatrix } from '../../harness/matrix/run.js';
import { mergeResults } from '../../harness/matrix/shard.js';
import { migrateSimulated } from '../../harness/matrix/sim-engine.js';
import { selectBuilds, simulatedBuilds } from '../../harness/matrix/builds.js';
import type { CellResult } from '../../harness/matrix/types.js';

// Builds and machines with documented breaks of every kind: malta (a seed 001 board) is refused
// 2.3 <-> 2.4+ (configuration section) and differs 2.12 <- 10.0 (unregistered RAM block, a state
// difference with a diff); isapc 2.4 -> 10.0 -> 2.4 is refused on the way back (fw_cfg dma).
const builds = selectBuilds(simulatedBuilds(), '2.3,2.4,2.12,10.0').builds;
const options = { builds, machines: ['malta', 'isapc'], ram: '64M', seed: 5 };

function timeless(rs: readonly CellResult[]): Array<Omit<CellResult, 'timings'>> {
  return rs.map(({ timings: _t, ...rest }) => rest);
}

describe('work reuse in the simulated matrix', () => {
  const plan = planMatrix(options);
  const buildMap = new Map(plan.builds.map((b) => [b.name, b] as const));
  // Every cell from scratch: its own boot, save and load, nothing kept between cells.
  const scratch = plan.cells.map((c) => classifyCell(c, migrateSimulated(c), buildMap));

  it('the plan has passes, refusals and a state difference (else the comparison proves little)', () => {
    const classes = new Set(scratch.map((r) => r.class));
    expect(classes).toEqual(new Set(['pass', 'expected-break']));
    expect(scratch.some((r) => r.verdict.kind === 'refused' && r.direction === 'round-trip')).toBe(true);
    expect(scratch.some((r) => r.diff !== undefined)).toBe(true);
  });

  it('in-process with reuse gives the from-scratch cells', async () => {
    const r = await runMatrix({ ...options, workers: 1 });
    expect(timeless(r.cells)).toEqual(timeless(scratch));
  });

  it('merged shards give the same cells', async () => {
    const parts = await Promise.all([1, 2, 3].map((index) => runMatrix({ ...options, workers: 1, shard: { index, count: 3 } })));
    expect(timeless(mergeResults(parts, 'm').cells)).toEqual(timeless(scratch));
  });

  it.skipIf(resolveWorkerEntry() === undefined)('two workers give the same cells', async () => {
    const r = await runMatrix({ ...options, workers: 2 });
    expect(r.timings.workers).toBe(2);
    expect(timeless(r.cells)).toEqual(timeless(scratch));
  });
});
