/**
 * The matrix, report, gate and check commands as a user runs them (the
 * built CLI). Engines: the simulated builds for a small real matrix, and
 * the fake engine (suites/unit/matrix/fixtures) through `--engine` to make
 * regressions on purpose.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'migcompat-matrix-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FAKE = fileURLToPath(new URL('../unit/matrix/fixtures/fake-engine.mjs', import.meta.url));

/** An engine module with rules baked in (the CLI passes no options). */
function engineFile(name: string, rules: unknown[]): string {
  const file = join(tmp, `${name}.mjs`);
  writeFileSync(file, `import { createEngine as fake } from ${JSON.stringify(FAKE)};\nexport const createEngine = () => fake({ rules: ${JSON.stringify(rules)} });\n`);
  return file;
}

const clean = engineFile('clean', []);
const broken = engineFile('broken', [{ machine: 'pc-q35-7.2', from: '8.0', to: '7.2', verdict: { kind: 'refused', code: 'vmstate.section-version', message: 'savevm: unsupported version 5 for e1000' } }]);
const FILTER = ['--builds', '7.2,8.0,8.1', '--machines', 'pc-q35-7.2'];

describe('migcompat matrix', () => {
  it('simulated builds: 7.2 and 8.0 on pc-q35-7.2 all pass, and every report is written', async () => {
    const out = join(tmp, 'sim');
    const r = await runCli(['matrix', '--builds', '7.2,8.0', '--machines', 'pc-q35-7.2', '--workers', '1', '--out', out]);
    expect(r.stderr).toContain('5 cells: 5 pass');
    expect(r.exitCode).toBe(0);
    for (const f of ['result.json', 'junit.xml', 'summary.md', 'report.html']) expect(existsSync(join(out, f))).toBe(true);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.cells.map((c: { id: string }) => c.id)).toEqual([
      'pc-q35-7.2:7.2>7.2',
      'pc-q35-7.2:7.2>8.0',
      'pc-q35-7.2:8.0>7.2',
      'pc-q35-7.2:7.2>8.0>7.2',
      'pc-q35-7.2:8.0>8.0',
    ]);
    expect(result.cells.every((c: { streamBytes: number }) => c.streamBytes > 0)).toBe(true);
  });

  it('exit 1 with a regression, and it is named on stderr', async () => {
    const r = await runCli(['matrix', ...FILTER, '--engine', broken, '--workers', '1', '--out', join(tmp, 'broken')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('regression: pc-q35-7.2 8.0 -> 7.2 (backward): refused: vmstate.section-version');
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['matrix', '--builds', '9.9'])).exitCode).toBe(2);
    expect((await runCli(['matrix', '--shard', '3/2'])).exitCode).toBe(2);
    expect((await runCli(['matrix', '--direction', 'sideways'])).exitCode).toBe(2);
  });
});

describe('shards and report merge', () => {
  it('two shards merged equal the unsharded run', async () => {
    const whole = join(tmp, 'whole');
    await runCli(['matrix', ...FILTER, '--engine', broken, '--workers', '1', '--out', whole]);
    for (const i of [1, 2]) await runCli(['matrix', ...FILTER, '--engine', broken, '--workers', '1', '--shard', `${i}/2`, '--out', join(tmp, `shard${i}`)]);
    const merged = join(tmp, 'merged');
    const r = await runCli(['report', 'merge', join(tmp, 'shard2', 'result.json'), join(tmp, 'shard1', 'result.json'), '--out', merged]);
    expect(r.exitCode).toBe(1);
    const a = JSON.parse(readFileSync(join(whole, 'result.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(merged, 'result.json'), 'utf8'));
    expect(b.cells.map((c: { id: string }) => c.id)).toEqual(a.cells.map((c: { id: string }) => c.id));
    expect(b.totals).toEqual(a.totals);
    expect(existsSync(join(merged, 'report.html'))).toBe(true);
    const again = await runCli(['report', 'merge', join(tmp, 'shard1', 'result.json'), join(tmp, 'shard1', 'result.json'), '--out', join(tmp, 'dup')]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('shard 1 given twice');
  });

  it('report markdown/junit render a result on stdout', async () => {
    const md = await runCli(['report', 'markdown', join(tmp, 'whole', 'result.json')]);
    expect(md.stdout).toContain('### Regressions (2)');
    const xml = await runCli(['report', 'junit', join(tmp, 'whole', 'result.json')]);
    expect(xml.stdout).toMatch(/^<\?xml/);
  });
});

describe('migcompat gate', () => {
  it('0 against itself, 1 on a new regression, 2 on a missing or bad file; --update-baseline is atomic', async () => {
    const base = join(tmp, 'gate-base');
    const cur = join(tmp, 'gate-cur');
    await runCli(['matrix', ...FILTER, '--engine', clean, '--workers', '1', '--out', base]);
    await runCli(['matrix', ...FILTER, '--engine', broken, '--workers', '1', '--out', cur]);
    const baseline = join(tmp, 'baseline.json');
    const upd = await runCli(['gate', '--baseline', baseline, '--current', join(base, 'result.json'), '--update-baseline']);
    expect(upd.exitCode).toBe(0);
    expect((await runCli(['gate', '--baseline', baseline, '--current', join(base, 'result.json')])).exitCode).toBe(0);
    const bad = await runCli(['gate', '--baseline', baseline, '--current', join(cur, 'result.json')]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('gate: 2 new regression(s)');
    expect(bad.stderr).toContain('pc-q35-7.2 8.0 -> 7.2 (backward): was pass, now regression: refused: vmstate.section-version');
    const before = readFileSync(baseline, 'utf8');
    expect((await runCli(['gate', '--baseline', join(tmp, 'missing.json'), '--current', join(cur, 'result.json')])).exitCode).toBe(2);
    writeFileSync(join(tmp, 'garbage.json'), 'not json');
    const g = await runCli(['gate', '--baseline', baseline, '--current', join(tmp, 'garbage.json'), '--update-baseline']);
    expect(g.exitCode).toBe(2);
    expect(g.stderr).toContain('invalid JSON');
    expect(readFileSync(baseline, 'utf8')).toBe(before);
  });
});

describe('migcompat check', () => {
  it('real dumps: exit with the number of incompatibilities', async () => {
    const q35 = 'corpus/qemu-7.2/pc-q35-7.2.vmstate.json.gz';
    const same = await runCli(['check', q35, q35]);
    expect(same.exitCode).toBe(0);
    const dump = JSON.parse(
      (await import('node:zlib')).gunzipSync(readFileSync(q35)).toString('utf8'),
    ) as Record<string, { version_id: number; Description: { version_id: number } }>;
    delete (dump as Record<string, unknown>)['e1000'];
    // rtl8139 is version 5 in 7.2: a destination section at 4 cannot load it.
    dump['rtl8139']!.version_id = 4;
    const edited = join(tmp, 'edited.json');
    writeFileSync(edited, JSON.stringify(dump));
    const r = await runCli(['check', q35, edited, '--json']);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.incompatibilities).toBe(r.exitCode);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: Section "e1000" does not exist in dest');
    expect(r.stderr).toContain('error: Section "rtl8139" version error: 5 > 4');
  });
});
