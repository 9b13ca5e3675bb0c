import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerFuzz, parseDuration } from '../../../harness/cli/commands/fuzz.js';
import { registerReplay } from '../../../harness/cli/commands/replay.js';
import { UsageError } from '../../../harness/cli/usage-error.js';
import { packageRoot } from '../../../harness/corpus/package-root.js';
import { listCorpusRecords } from '../../../harness/fuzz/corpus-store.js';
import { newestBuild } from '../../../harness/fuzz/sim-seed.js';

/** Runs the two commands the way harness/cli.ts does (exit codes 0/1/2), capturing stdout. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let code = 0;
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const program = new Command('migcompat').exitOverride();
    registerFuzz(program, (c) => void (code = c));
    registerReplay(program, (c) => void (code = c));
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof UsageError) {
      stderr += e.message;
      code = 2;
    } else throw e;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { code, stdout, stderr };
}

describe('migcompat fuzz / replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migcompat-fuzz-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fuzz --runs 100 --json: the newest simulated build by default, exit 0, the campaign on stdout', async () => {
    const r = await run(['fuzz', '--runs', '100', '--seed', '3', '--out', dir, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { target: string; machine: string; runs: number; rngSeed: number; coverage: unknown[] };
    expect(j).toMatchObject({ target: `sim:${newestBuild()}`, machine: 'pc-q35-7.2', runs: 100, rngSeed: 3 });
    expect(r.stderr).toContain('checks reached:');
  });

  it('fuzz --target profile: the real capture of the machine, in-process', async () => {
    const r = await run(['fuzz', '--target', 'profile', '--machine', 'pc-q35-7.2', '--runs', '100', '--seed', '3', '--no-save', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'profile:pc-q35-7.2', runs: 100 });
  });

  it('fuzz --target sim:BUILD with a machine the build cannot boot is a usage error', async () => {
    const r = await run(['fuzz', '--target', 'sim:7.2', '--machine', 'pc-q35-9.9', '--runs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot boot pc-q35-9.9 on simulated build 7.2');
  });

  it('an unknown machine and a bad --time are usage errors', async () => {
    expect((await run(['fuzz', '--target', 'profile', '--machine', 'pc-q35-9.9', '--runs', '1'])).code).toBe(2);
    expect(() => parseDuration('soon')).toThrow(UsageError);
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
  });

  it('replay of committed corpus entries: exit 0, one ok line each', async () => {
    const files = listCorpusRecords(join(packageRoot(), 'corpus')).slice(0, 3);
    const r = await run(['replay', ...files]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('ok  '))).toHaveLength(files.length);
  });
});
