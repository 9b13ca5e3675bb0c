import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { RegisterCommand } from './index.js';
import { UsageError } from '../usage-error.js';
import { createOutput } from '../output.js';
import { existsSync } from 'node:fs';
import { staticCheck, staticCheckExitCode, type Severity, type SubsectionNeeded } from '../../gate/static-check.js';
import { parseBuildMachine, simulatedDump } from '../../gate/simulated-dump.js';

interface Side {
  dump: unknown;
  release?: string;
  needed?: SubsectionNeeded;
}

/** A dump file, or BUILD:MACHINE for a simulated build (booted with the devices). */
function side(arg: string, devices: readonly string[]): Side {
  const bm = existsSync(arg) ? undefined : parseBuildMachine(arg);
  if (bm === undefined) return { dump: readDump(arg) };
  try {
    const d = simulatedDump(bm.build, bm.machine, devices);
    return { dump: d.dump, release: bm.build, needed: d.needed };
  } catch (e) {
    throw new UsageError(`${arg}: ${(e as Error).message}`);
  }
}

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
    .argument('<source>', 'dump of the source (JSON, or gzipped JSON), or BUILD:MACHINE of a simulated build')
    .argument('<destination>', 'dump of the destination, or BUILD:MACHINE')
    .option('--device <spec>', 'devices for BUILD:MACHINE sides (repeatable)', (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--reverse', 'check destination -> source instead')
    .option('--source-release <version>', 'QEMU release of the source, to compare the machine types\' compat properties')
    .option('--dest-release <version>', 'QEMU release of the destination')
    .option('--show <level>', 'error, warning or info', 'warning')
    .option('--json', 'findings as JSON on stdout')
    .action((src: string, dst: string, opts: { reverse?: boolean; sourceRelease?: string; destRelease?: string; show: string; json?: boolean; device: string[] }) => {
      const levels = SHOWN[opts.show];
      if (levels === undefined) throw new UsageError(`--show is error, warning or info, not '${opts.show}'`);
      const out = createOutput(opts.json === true);
      const a = side(src, opts.device);
      const b = side(dst, opts.device);
      const sourceRelease = opts.sourceRelease ?? a.release;
      const destinationRelease = opts.destRelease ?? b.release;
      // `needed` is the sending side's: the source, or the destination with --reverse.
      const needed = opts.reverse ? b.needed : a.needed;
      let result;
      try {
        result = staticCheck(a.dump, b.dump, {
          reverse: opts.reverse === true,
          ...(sourceRelease !== undefined ? { sourceRelease } : {}),
          ...(destinationRelease !== undefined ? { destinationRelease } : {}),
          ...(needed !== undefined ? { subsectionNeeded: needed } : {}),
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
