import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RegisterCommand } from './index.js';
import { UsageError } from '../usage-error.js';
import { createOutput } from '../output.js';
import {
  parseDeviceSet,
  parseShard,
  qemuBuild,
  runMatrix,
  selectBuilds,
  simulatedBuilds,
  splitList,
  type BuildRef,
  type EngineSpec,
} from '../../matrix/index.js';
import { createProgress, renderTerminalSummary, writeReports } from '../../report/index.js';
import { recordLatest } from '../../gate/baseline.js';

interface MatrixOpts {
  builds?: string;
  machines: string[];
  direction: string;
  devices: string[];
  roundTrip: boolean;
  control: boolean;
  ram: string;
  smp?: string;
  seed: string;
  workers?: string;
  shard?: string;
  qemu: string[];
  out?: string;
  engine?: string;
  json?: boolean;
  progress: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function intOption(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} wants an integer >= ${min}, got '${text}'`);
  return n;
}

async function buildsFor(opts: MatrixOpts): Promise<BuildRef[]> {
  const real: BuildRef[] = [];
  for (const path of opts.qemu) {
    let b: BuildRef;
    try {
      b = await qemuBuild(path);
    } catch (e) {
      throw new UsageError(`--qemu ${path}: ${(e as Error).message}`);
    }
    // Two binaries of one version (a distribution build and a local one) stay two builds.
    const same = real.filter((r) => r.version === b.version).length;
    if (same > 0) b = { ...b, name: `${b.name}#${same + 1}` };
    real.push(b);
  }
  const { builds, unknown } = selectBuilds([...simulatedBuilds(), ...real], opts.builds);
  if (unknown.length) throw new UsageError(`unknown build(s) in --builds: ${unknown.join(', ')}`);
  if (builds.length === 0) throw new UsageError('no builds selected');
  // Real binaries always join, whatever --builds selected among the simulated ones.
  return [...builds, ...real.filter((r) => !builds.includes(r))];
}

function engineFor(opts: MatrixOpts, builds: readonly BuildRef[]): EngineSpec {
  if (opts.engine !== undefined) return { kind: 'module', url: pathToFileURL(resolve(opts.engine)).href };
  const qemu = Object.fromEntries(builds.filter((b) => b.kind === 'qemu').map((b) => [b.name, b.path ?? '']));
  return Object.keys(qemu).length ? { kind: 'targets', qemu } : { kind: 'sim' };
}

/**
 * `migcompat matrix`: plan, run and report the cross-version matrix. Exit 0
 * without regressions or harness errors, 1 with any, 2 on usage errors.
 */
export const registerMatrix: RegisterCommand = (program, setExit) => {
  program
    .command('matrix')
    .description('migrate every machine type between every pair of builds, both ways, and classify each cell')
    .option('--builds <list>', "builds to include: '6.2,7.2,8.2', ranges '2.4..7.2', '..3.0', '8.0..'")
    .option('--machines <glob>', "machine types, shell globs: 'pc-q35-*' (repeatable, comma-separated)", collect, [])
    .option('--direction <dir>', 'forward (old to new), backward, or both (adds round trips)', 'both')
    .option('--devices <set>', "an extra device set in -device words, e.g. 'e1000,vmgenid' (repeatable: one set each)", collect, [])
    .option('--no-round-trip', 'skip A -> B -> A cells')
    .option('--no-control', 'skip same-build control cells')
    .option('--ram <size>', 'guest RAM in QEMU -m syntax', '32M')
    .option('--smp <words>', "CPUs in QEMU -smp syntax for every cell, e.g. '1,maxcpus=12' (possible CPUs size the ACPI tables)")
    .option('--seed <n>', 'workload seed of the run', '1')
    .option('--workers <n>', 'worker threads (default: the number of cores; 1 runs in-process)')
    .option('--shard <i/n>', 'run only shard i of n (CI job matrices); join with `migcompat report merge`')
    .option('--qemu <path>', 'a real QEMU binary joins as a build named by its version (repeatable)', collect, [])
    .option('--out <dir>', 'report directory (default reports/<run id>)')
    .option('--engine <module>', 'an ES module exporting createEngine(options): your own migration engine')
    .option('--no-progress', 'no progress output')
    .option('--json', 'print result.json on stdout')
    .action(async (opts: MatrixOpts) => {
      if (!['forward', 'backward', 'both'].includes(opts.direction)) throw new UsageError(`--direction is forward, backward or both, not '${opts.direction}'`);
      let shard;
      try {
        shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const out = createOutput(opts.json === true);
      const builds = await buildsFor(opts);
      const progress = opts.progress ? createProgress(process.stderr) : undefined;
      const result = await runMatrix({
        builds,
        machines: splitList(opts.machines),
        direction: opts.direction as 'forward' | 'backward' | 'both',
        roundTrip: opts.roundTrip && opts.direction === 'both',
        control: opts.control,
        deviceSets: opts.devices.map(parseDeviceSet),
        ram: opts.ram,
        ...(opts.smp ? { smp: opts.smp } : {}),
        seed: intOption('--seed', opts.seed, 0),
        engine: engineFor(opts, builds),
        ...(opts.workers !== undefined ? { workers: intOption('--workers', opts.workers, 0) } : {}),
        ...(shard ? { shard } : {}),
        ...(progress ? { onResult: (r, done, total) => progress.update(r, done, total) } : {}),
      });
      progress?.finish();
      if (result.cells.length === 0) process.stderr.write('migcompat: the plan has no cells (check --builds and --machines)\n');
      const dir = opts.out ?? join('reports', result.runId);
      const files = writeReports(result, dir);
      recordLatest(dir);
      process.stderr.write(renderTerminalSummary(result));
      out.say(`reports: ${files.result} ${files.junit} ${files.markdown} ${files.html}`);
      out.result(result);
      const t = result.totals;
      setExit(t.regression > 0 || t['harness-error'] > 0 ? 1 : 0);
    });
};
