#!/usr/bin/env node
/**
 * The migcompat command. Exit codes everywhere: 0 success / accepted / no
 * regression, 1 refused / failed / regression found, 2 usage or environment
 * error.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './cli/commands/index.js';
import { UsageError } from './cli/usage-error.js';
import { isLoadError } from '../src/wire/index.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('migcompat')
    .description('Migration-compatibility test harness and fuzzer for QEMU-style live migration')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError();
  let exitCode = 0;
  for (const register of COMMANDS) {
    register(program, (code) => {
      exitCode = code;
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    return exitCodeFor(e);
  }
}

function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    // --help and --version are successes; every other parse failure is usage.
    return e.exitCode === 0 ? 0 : 2;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`migcompat: ${e.message}\n`);
    return 2;
  }
  if (isLoadError(e)) {
    process.stderr.write(`refused: ${e.code}: ${e.message}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR')) {
    process.stderr.write(`migcompat: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`migcompat: internal error: ${err?.stack ?? String(e)}\n`);
  return 2;
}

// Run only when executed as a program, not when imported by tests.
const invokedAs = process.argv[1] ?? '';
if (/cli\.(js|ts)$/.test(invokedAs) || invokedAs.endsWith('/migcompat')) {
  // `migcompat analyze x | head` closes our stdout early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`migcompat: internal error: ${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
