import { join } from 'node:path';
import type { RegisterCommand } from './index.js';
import { createOutput } from '../output.js';
import { UsageError } from '../usage-error.js';
import { packageRoot } from '../../corpus/package-root.js';
import { CAMPAIGN_MEASURE_EVERY, DEFAULT_IN_PROCESS_RUNS } from '../../fuzz/in-process-load.js';
import { formatCampaign, formatMutationScore, mutationScore, newestBuild, runCampaign, seedForTarget, simulatedAvailable, targetFromId, type CampaignResult } from '../../fuzz/index.js';

/**
 * `migcompat fuzz`: a property campaign against one target. Exit 0 when no
 * property was violated, 1 when one was (the shrunk input is saved and the
 * replay command printed), 2 for usage errors.
 */
interface FuzzOptions {
  target?: string;
  against?: string;
  machine: string;
  device: string[];
  runs?: string;
  time?: string;
  seed?: string;
  out: string;
  save: boolean;
  timeout: string;
  mutationScore?: boolean;
  json?: boolean;
}

/** `60s`, `2m`, `500ms`, or plain seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new UsageError(`--time: '${s}' is not a duration (e.g. 60s, 2m, 500ms)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

function positiveInt(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${flag}: '${s}' is not a non-negative integer`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const registerFuzz: RegisterCommand = (program, setExit) => {
  program
    .command('fuzz')
    .description('property-fuzz incoming streams: valid streams from a real capture plus hazard mutators, judged by the loader contract')
    .option('--target <id>', 'sim:VERSION (simulated build; default the newest), profile:<capture> (codec loader into a real capture\'s profile), qemu:PATH (real binary)')
    .option('--against <id>', 'differential mode: also feed every input to this target and compare verdicts')
    .option('--machine <type>', 'machine type or capture name the streams are built for', 'pc-q35-7.2')
    .option('--device <spec>', 'a device the capture was made with (repeatable; selects the capture)', collect, [])
    .option('--runs <n>', 'number of inputs (default 20000 in-process, 100 for qemu)')
    .option('--time <duration>', 'stop after this long (e.g. 60s)')
    .option('--seed <n>', 'fast-check seed (printed; reuse to reproduce)')
    .option('--out <dir>', 'corpus root: shrunk failures go to <dir>/<target>/<check-or-crash>/', join(packageRoot(), 'corpus'))
    .option('--no-save', 'do not save the shrunk failure')
    .option('--timeout <ms>', 'qemu targets: classify a load as a hang after this many ms', '10000')
    .option('--mutation-score', 'also run the weakened-loader variants and print the detection rate')
    .option('--json', 'machine-readable result on stdout')
    .action(async (opts: FuzzOptions) => {
      const out = createOutput(opts.json === true);
      const requested = opts.target ?? (simulatedAvailable() ? `sim:${newestBuild()}` : 'profile');
      const seed = seedForTarget(requested, opts.machine, opts.device);
      const targetId = requested === 'profile' ? `profile:${seed.name}` : requested === 'sim' ? `sim:${newestBuild()}` : requested;
      // Heap + external growth is measured on every CAMPAIGN_MEASURE_EVERY-th in-process load (a reading is cheap, not free).
      const tOpts = { qemuTimeoutMs: positiveInt(opts.timeout, '--timeout'), measureEvery: CAMPAIGN_MEASURE_EVERY };
      const target = targetFromId(targetId, seed, tOpts);
      const against = opts.against ? targetFromId(opts.against, seed, tOpts) : undefined;
      const runs = opts.runs !== undefined ? positiveInt(opts.runs, '--runs') : opts.time ? Number.MAX_SAFE_INTEGER : target.inProcess ? DEFAULT_IN_PROCESS_RUNS : 100;
      const result: CampaignResult = await runCampaign({
        target,
        seed,
        runs,
        ...(opts.time ? { timeMs: parseDuration(opts.time) } : {}),
        ...(opts.seed !== undefined ? { rngSeed: positiveInt(opts.seed, '--seed') } : {}),
        ...(opts.save ? { outDir: opts.out } : {}),
        ...(against ? { against } : {}),
        onProgress: (n) => {
          if (!opts.json && process.stderr.isTTY) process.stderr.write(`\r  ${n} runs`);
        },
      });
      if (!opts.json && process.stderr.isTTY) process.stderr.write('\r');
      for (const line of formatCampaign(result)) out.say(line);
      let score;
      if (opts.mutationScore) {
        score = await mutationScore({
          seed,
          runs: Math.min(runs, DEFAULT_IN_PROCESS_RUNS),
          rngSeed: result.rngSeed,
          // Same kind of target as the campaign, with one check disabled.
          targetFor: (code) => targetFromId(targetId, seed, { ...tOpts, disabledChecks: new Set([code]), variant: `no:${code}` }),
        });
        for (const line of formatMutationScore(score)) out.say(line);
      }
      out.result(score ? { ...result, mutationScore: score } : result);
      setExit(result.failure ? 1 : 0);
    });
};
