import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { packageRoot } from '../../harness/corpus/package-root.js';

/**
 * Runs the built `migcompat` binary the way a user does (`npm test` builds
 * dist/ first), so these suites test the command, not just its functions.
 */
export const CLI = join(packageRoot(), 'dist', 'harness', 'cli.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { timeoutMs?: number } = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run \`npm run build\` (npm test does)`);
  const r = await execa(process.execPath, [CLI, ...args], { reject: false, timeout: opts.timeoutMs ?? 60_000, cwd: packageRoot() });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
