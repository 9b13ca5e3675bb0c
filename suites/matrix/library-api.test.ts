/**
 * The example user suite: what a distribution or cloud team writes with
 * the library API (`import { runMatrix, boot, ... } from 'migcompat'`).
 * Inside this repository the package is imported by path; a user imports
 * 'migcompat'. The scenario: "our fleet runs 7.2 and we upgrade to 8.0;
 * every pc-q35-7.2 guest, with and without an e1000, must survive the
 * upgrade and a rollback".
 */
import { describe, expect, it } from 'vitest';
import { boot, loadInto, runMatrix, selectBuilds, simulatedBuilds, snapshotText, type CellResult } from '../../harness/index.js';

describe('upgrade 7.2 -> 8.0 and roll back (simulated builds)', () => {
  it('every cell passes, with and without an e1000', async () => {
    const builds = selectBuilds(simulatedBuilds(), '7.2,8.0').builds;
    const result = await runMatrix({ builds, machines: ['pc-q35-7.2'], deviceSets: [['e1000']], workers: 1, seed: 42 });
    // Per device set: 2 controls, forward, backward, round trip.
    expect(result.totals.cells).toBe(10);
    const failing = result.cells.filter((c: CellResult) => c.class !== 'pass');
    expect(failing.map((c) => `${c.id}: ${c.note}`)).toEqual([]);
  });

  it('one migration by hand: boot, save, load, same guest-visible state', () => {
    const source = boot('7.2', 'pc-q35-7.2', { devices: ['e1000'], seed: 7 });
    const stream = source.save();
    const dest = loadInto('8.0', 'pc-q35-7.2', { devices: ['e1000'], seed: 7 }, stream);
    expect(dest.accepted).toBe(true);
    expect(snapshotText(dest.vm.snapshot())).toBe(snapshotText(source.snapshot()));
  });
});
