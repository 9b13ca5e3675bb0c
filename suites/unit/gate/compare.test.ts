import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithBaseline, gateExitCode, isNewRegression, baselineOf, loadGateFile, writeBaseline, GateFileError, recordLatest, latestResultPath } from '../../../harness/gate/index.js';
import { runMatrix } from '../../../harness/matrix/run.js';
import { createEngine, type FakeRule } from '../matrix/fixtures/fake-engine.mjs';
import { THREE_BUILDS } from '../matrix/fixtures/sample.js';

const refuse = (from: string, to: string, machine = 'm1'): FakeRule => ({ machine, from, to, verdict: { kind: 'refused', code: 'vmstate.version-too-new', message: 'x' } });
const run = (rules: FakeRule[]) => runMatrix({ builds: THREE_BUILDS, engine: createEngine({ rules }), workers: 1 });

const tmp = mkdtempSync(join(tmpdir(), 'migcompat-gate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('isNewRegression', () => {
  it('only what got worse counts', () => {
    expect(isNewRegression('pass', 'regression')).toBe(true);
    expect(isNewRegression('expected-break', 'regression')).toBe(true);
    expect(isNewRegression('absent', 'regression')).toBe(true);
    expect(isNewRegression('pass', 'expected-break')).toBe(true);
    expect(isNewRegression('regression', 'regression')).toBe(false);
    expect(isNewRegression('expected-break', 'expected-break')).toBe(false);
    expect(isNewRegression('regression', 'pass')).toBe(false);
    expect(isNewRegression('absent', 'pass')).toBe(false);
    expect(isNewRegression('regression', 'harness-error')).toBe(true);
  });
});

describe('compareWithBaseline', () => {
  it('the same run against itself has nothing new', async () => {
    const a = await run([refuse('3.0', '1.0')]);
    const r = compareWithBaseline(a, a);
    expect(gateExitCode(r)).toBe(0);
    // 3.0 -> 1.0 and the round trip through 3.0 are known.
    expect(r.known.map((f) => f.id)).toEqual(['m1:3.0>1.0', 'm1:1.0>3.0>1.0']);
  });

  it('a pass that became a regression is new; a fixed cell is reported', async () => {
    const base = await run([refuse('3.0', '1.0')]);
    const now = await run([refuse('2.0', '1.0')]);
    const r = compareWithBaseline(base, now);
    expect(gateExitCode(r)).toBe(1);
    expect(r.newRegressions.map((f) => [f.id, f.was, f.now])).toEqual([
      ['m1:2.0>1.0', 'pass', 'regression'],
      ['m1:1.0>2.0>1.0', 'pass', 'regression'],
    ]);
    expect(r.fixed.map((f) => f.id)).toEqual(['m1:3.0>1.0', 'm1:1.0>3.0>1.0']);
  });

  it('cells the run does not have are listed, not judged', async () => {
    const base = await run([]);
    const now = await runMatrix({ builds: THREE_BUILDS, machines: ['m2'], engine: createEngine(), workers: 1 });
    const r = compareWithBaseline(base, now);
    expect(r.missing).toHaveLength(12);
    expect(gateExitCode(r)).toBe(0);
  });
});

describe('baseline files', () => {
  it('writes atomically (no temp file left) and drops wall-clock noise', async () => {
    const a = await run([]);
    const file = join(tmp, 'baseline.json');
    writeBaseline(file, a);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const back = loadGateFile(file, 'baseline');
    expect(back.cells.every((c) => c.timings.totalMs === 0)).toBe(true);
    expect(back).toEqual(JSON.parse(JSON.stringify(baselineOf(a))));
    // One cell a line, so a baseline update reviews as a line diff.
    expect(readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"id":'))).toHaveLength(a.cells.length);
  });

  it('a missing or broken file is a GateFileError naming the side and the reason', () => {
    expect(() => loadGateFile(join(tmp, 'nope.json'), 'baseline')).toThrow(/baseline: cannot read .*nope\.json: ENOENT/);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"schema": "something-else"}');
    expect(() => loadGateFile(bad, 'current')).toThrow(GateFileError);
    expect(() => loadGateFile(bad, 'current')).toThrow(/current: .*schema is "something-else"/);
    expect(existsSync(bad) && readFileSync(bad, 'utf8')).toBe('{"schema": "something-else"}');
  });
});

describe('reports/LATEST', () => {
  it('points at the last run directory, wherever --out put it', () => {
    const reports = join(tmp, 'reports');
    expect(() => latestResultPath(reports)).toThrow(/does not exist \(run migcompat matrix first\)/);
    recordLatest(join(tmp, 'elsewhere', 'run1'), reports);
    expect(readFileSync(join(reports, 'LATEST'), 'utf8')).toBe('../elsewhere/run1\n');
    expect(latestResultPath(reports)).toBe(join(tmp, 'elsewhere', 'run1', 'result.json'));
  });
});
