import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { RegisterCommand } from './index.js';
import { UsageError } from '../usage-error.js';
import { createOutput } from '../output.js';
import { staticCheck, staticCheckExitCode, type Severity } from '../../gate/static-check.js';

/** A -dump-vmstate file, plain or gzipped (the corpus keeps them gzipped). */
export function readDump(path: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not JSON: ${(e as Error).message}`);
  }
}

const SHOWN: Record<string, readonly Severity[]> = { error: ['error'], warning: ['error', 'warning'], info: ['error', 'warning', 'info'] };

/**
 * `migcompat check SRC DEST`: static compatibility of two -dump-vmstate
 * dumps. Exit status: the number of incompatibilities (capped at 255), as
 * QEMU's vmstate-static-checker.py; 2 is also what a usage error returns,
 * so scripts should read the count from --json when it matters.
 */
export const registerCheck: RegisterCommand = (program, setExit) => {
  program
    .command('check')
    .description('static compatibility check of two -dump-vmstate JSON dumps (source, destination)')
    .argument('<source>', 'dump of the source (JSON, or gzipped JSON)')
    .argument('<destination>', 'dump of the destination')
    .option('--reverse', 'check destination -> source instead')
    .option('--source-release <version>', 'QEMU release of the source, to compare the machine types\' compat properties')
    .option('--dest-release <version>', 'QEMU release of the destination')
    .option('--show <level>', 'error, warning or info', 'warning')
    .option('--json', 'findings as JSON on stdout')
    .action((src: string, dst: string, opts: { reverse?: boolean; sourceRelease?: string; destRelease?: string; show: string; json?: boolean }) => {
      const levels = SHOWN[opts.show];
      if (levels === undefined) throw new UsageError(`--show is error, warning or info, not '${opts.show}'`);
      const out = createOutput(opts.json === true);
      let result;
      try {
        result = staticCheck(readDump(src), readDump(dst), {
          reverse: opts.reverse === true,
          ...(opts.sourceRelease !== undefined ? { sourceRelease: opts.sourceRelease } : {}),
          ...(opts.destRelease !== undefined ? { destinationRelease: opts.destRelease } : {}),
        });
      } catch (e) {
        if (e instanceof TypeError) throw new UsageError(e.message);
        throw e;
      }
      for (const f of result.findings) if (levels.includes(f.severity)) out.say(`${f.severity}: ${f.message}`);
      out.say(`${result.incompatibilities} incompatibilit${result.incompatibilities === 1 ? 'y' : 'ies'} (${result.sourceMachine || '?'} -> ${result.destinationMachine || '?'})`);
      out.result(result);
      setExit(staticCheckExitCode(result));
    });
};
