/**
 * Prove it finds breaks: a deliberately broken build (fixtures/broken-build.ts)
 * turns its cells into regressions, and the gate, against a baseline made
 * with the unbroken build, exits 1 naming them. The catalog's documented
 * breaks are classified as expected breaks when they show (classification
 * against the catalog: suites/unit/matrix/classify.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { compareWithBaseline, gateExitCode, runMatrix, selectBuilds, simulatedBuilds, type MatrixResult } from '../../harness/index.js';
import { BROKEN, brokenBuildEngine, brokenBuildRef, type Breakage } from './fixtures/broken-build.js';

const MACHINE = 'pc-q35-7.2';
const builds = [...selectBuilds(simulatedBuilds(), '7.2,8.0').builds, brokenBuildRef([MACHINE])];
const run = (how?: Breakage): Promise<MatrixResult> => runMatrix({ builds, machines: [MACHINE], engine: brokenBuildEngine(how), workers: 1, control: false });

const baseline = await run();

describe('the unbroken baseline', () => {
  it('passes everywhere: 3 builds, 3 pairs x (forward, backward, round trip)', () => {
    expect(baseline.totals).toMatchObject({ cells: 9, pass: 9 });
  });
});

describe.each<[Breakage, string]>([
  // The destination reads the dropped field's bytes from what follows (the footer), then
  // finds no footer where it expects one: QEMU's "Missing section footer for mc146818rtc".
  ['drop-field', 'section.footer-missing'],
  ['always-subsection', 'vmstate.subsection-unknown'],
  ['grow-fixed-ram', 'ram.size-mismatch'],
])('a broken build (%s)', (how, code) => {
  it(`every cell that leaves the broken build is a regression refused with ${code}; the gate exits 1`, async () => {
    const broken = await run(how);
    const regressions = broken.cells.filter((c) => c.class === 'regression');
    // Out of the broken build: 8.0-broken -> 7.2, 8.0-broken -> 8.0, and the two round trips that come back from it.
    expect(regressions.map((c) => c.id).sort()).toEqual(
      [`${MACHINE}:${BROKEN}>7.2`, `${MACHINE}:${BROKEN}>8.0`, `${MACHINE}:7.2>${BROKEN}>7.2`, `${MACHINE}:8.0>${BROKEN}>8.0`].sort(),
    );
    for (const c of regressions) expect(c.verdict).toMatchObject({ kind: 'refused', code });
    const gate = compareWithBaseline(baseline, broken);
    expect(gateExitCode(gate)).toBe(1);
    expect(gate.newRegressions.map((f) => f.was)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });
});
