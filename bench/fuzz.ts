import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadStream } from '../src/migration/index.js';
import { runCampaign } from '../harness/fuzz/campaign.js';
import fc from 'fast-check';
import { fuzzCaseArb, materialize, type FuzzCase } from '../harness/fuzz/fuzz-case.js';
import { CAMPAIGN_MEASURE_EVERY, DEFAULT_IN_PROCESS_RUNS } from '../harness/fuzz/in-process-load.js';
import { ProfileTarget } from '../harness/fuzz/profile-target.js';
import { QemuFuzzTarget } from '../harness/fuzz/qemu-fuzz-target.js';
import { loadSeed, seedDestination } from '../harness/fuzz/seed.js';
import { newestBuild } from '../harness/fuzz/sim-seed.js';
import { seedForTarget, targetFromId } from '../harness/fuzz/targets.js';
import type { Figure } from './report.js';

/**
 * Fuzz throughput (npm run bench fuzz):
 * - executions per second of the default campaign (`migcompat fuzz`: the
 *   newest simulated build, pc-q35-7.2, 20,000 runs, allocation measured on
 *   every 64th load), one core in CPU time, each campaign in a fresh process:
 *   cold (the first campaign, V8's JIT warm-up included) and warm (a second
 *   campaign in the same process, what a longer `--time` campaign runs at);
 *   the same for the pc-q35-7.2 capture profile; the bare loader on the
 *   smallest valid stream (the ceiling the loader itself sets);
 * - peak RSS and the exec/s of a 100,000-run campaign of the default target,
 *   in a fresh process so maxRSS and the warm-up are its own;
 * - real QEMU loads per second with 2 workers, if the binary exists (qemuRate).
 */
const QEMU = process.env.MIGCOMPAT_QEMU ?? '/usr/bin/qemu-system-x86_64';
const SEED = 'pc-q35-7.2';
/** The rng seed of the measured campaign; the warm-up campaign uses another, so it does not replay the same inputs. */
const RNG_SEED = 20261122;
const WARMUP_RNG_SEED = 7;

type CampaignTarget = 'sim' | 'profile';

interface ChildResult {
  runs: number;
  /** Runs per CPU-second of the measured campaign (this process, all threads). */
  execsPerSec: number;
  /** The same for the first campaign of the process, when a warm-up campaign ran before the measured one. */
  coldExecsPerSec?: number;
  maxRssBytes: number;
  failed: boolean;
}

/** The default campaign's target and seed, as `migcompat fuzz` builds them (or the capture profile). */
function campaignSetup(kind: CampaignTarget): (runs: number, rngSeed: number) => Promise<{ runs: number; failed: boolean }> {
  const id = kind === 'sim' ? `sim:${newestBuild()}` : undefined;
  const seed = id ? seedForTarget(id, SEED) : loadSeed(SEED);
  const target = id ? targetFromId(id, seed, { measureEvery: CAMPAIGN_MEASURE_EVERY }) : new ProfileTarget(seed, { measureEvery: CAMPAIGN_MEASURE_EVERY });
  return async (runs, rngSeed) => {
    const r = await runCampaign({ target, seed, runs, rngSeed });
    return { runs: r.runs, failed: r.failure !== undefined };
  };
}

/** Runs per CPU-second (user + system of the whole process: V8's compiler and GC threads count). */
async function timedCampaign(run: () => Promise<{ runs: number; failed: boolean }>): Promise<{ runs: number; failed: boolean; execsPerSec: number }> {
  const cpu0 = process.cpuUsage();
  const r = await run();
  const cpu = process.cpuUsage(cpu0);
  return { ...r, execsPerSec: r.runs / ((cpu.user + cpu.system) / 1e6) };
}

/** One campaign (after a warm-up campaign of as many runs when `warm`) in this process; what the child prints. */
async function campaignCase(kind: CampaignTarget, runs: number, warm: boolean): Promise<ChildResult> {
  const run = campaignSetup(kind); // seed boot and target construction excluded
  const cold = warm ? await timedCampaign(() => run(runs, WARMUP_RNG_SEED)) : undefined;
  const r = await timedCampaign(() => run(runs, RNG_SEED));
  return {
    runs: r.runs,
    execsPerSec: r.execsPerSec,
    ...(cold ? { coldExecsPerSec: cold.execsPerSec } : {}),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    failed: r.failed || (cold?.failed ?? false),
  };
}

/** This file run in a fresh process with `args`; what it prints, parsed. */
function runSelf<T>(args: string[]): T {
  const script = fileURLToPath(import.meta.url);
  return JSON.parse(execFileSync(process.execPath, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 })) as T;
}

function runChild(kind: CampaignTarget, runs: number, warm: boolean): ChildResult {
  return runSelf<ChildResult>(['--fuzz-child', kind, String(runs), warm ? 'warm' : 'cold']);
}

function bareLoaderRate(): number {
  const seed = loadSeed(SEED);
  const bytes = materialize(seed, { plan: { sections: [], passes: [[]], vmdesc: false } }).bytes;
  const n = 5000;
  for (let i = 0; i < 500; i++) loadStream(bytes, seedDestination(seed));
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) loadStream(bytes, seedDestination(seed));
  const cpu = process.cpuUsage(cpu0);
  return n / ((cpu.user + cpu.system) / 1e6);
}

/**
 * The default campaign, simulated target: the target is a rate, so
 * the figure held against it is the warm one (a campaign after one warm-up
 * campaign in the same process: what a fuzzing session runs at once V8 has
 * compiled the loader); the cold figure (the first 20,000 runs of a fresh
 * process, ~1.2 CPU-s of them V8 compiling) is reported beside it.
 */
function simFigures(): Figure[] {
  const id = `sim:${newestBuild()}`;
  const r = runChild('sim', DEFAULT_IN_PROCESS_RUNS, true);
  return [
    {
      name: `fuzz: simulated target exec/s per core, warm (${id}, pc-q35-7.2, 20,000 runs after a 20,000-run warm-up, CPU time)`,
      value: Math.round(r.execsPerSec),
      unit: 'exec/s',
      target: '>= 10,000 exec/s',
      met: r.execsPerSec >= 10_000,
      detail: { runs: r.runs, rngSeed: RNG_SEED, warmupRngSeed: WARMUP_RNG_SEED, failed: r.failed },
    },
    {
      name: `fuzz: simulated target exec/s per core, cold (first 20,000 runs of a fresh process, JIT warm-up included)`,
      value: Math.round(r.coldExecsPerSec ?? 0),
      unit: 'exec/s',
      detail: { runs: r.runs, rngSeed: WARMUP_RNG_SEED },
    },
  ];
}

const QEMU_RUNS = 200;

/**
 * Real QEMU: the first QEMU_RUNS inputs of the default campaign's mix (every
 * mutator, seed 7: valid, refused, accepted after a long vmdesc drain, the odd
 * crash), materialized and loaded `concurrency` (2) at a time the way the
 * campaign's pooled loop does, but without stopping at a finding: wall-clock
 * loads/s. Left out: inputs 7.2 hangs on (ENABLE_COLO: it loads, then waits
 * for COLO checkpoints forever; suites/qemu/commands.test.ts), which cost the
 * timeout by definition and end a campaign anyway. On a shared machine the
 * wall clock says as much about the neighbours, so the CPU a load costs
 * (QEMU and setpriv as reaped children, + this process) and the ceiling that
 * sets on 2 cores are reported beside it, and the same for start-up alone
 * (`startOnly`: loads QEMU refuses at its first bytes), which is most of it.
 * `qemuStart` says whether the pool forked its destinations from a zygote
 * (harness/targets/qemu-zygote.ts), and from which fork point, or exec'd them.
 */
async function qemuRate(): Promise<Figure | undefined> {
  if (!existsSync(QEMU)) return undefined;
  const seed = loadSeed(SEED);
  const start = await qemuStartCost(seed.machine);
  const target = new QemuFuzzTarget(QEMU, { machine: seed.machine, ram: '32M' });
  const hangs = (c: FuzzCase): boolean => materialize(seed, c).note.includes('ENABLE_COLO');
  const cases = fc.sample(fuzzCaseArb(seed), { seed: 7, numRuns: QEMU_RUNS * 2 }).filter((c) => !hangs(c)).slice(0, QEMU_RUNS);
  const verdicts: Record<string, number> = {};
  const durations: number[] = [];
  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuMs();
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < cases.length; i = next++) {
      const r = await target.load(materialize(seed, cases[i]!).bytes);
      verdicts[r.verdict.kind] = (verdicts[r.verdict.kind] ?? 0) + 1;
      durations.push(r.durationMs);
    }
  };
  await Promise.all(Array.from({ length: target.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await target.close(); // the 2 started ahead and never used count against the loads (reaped here)
  const children = childrenCpuMs();
  const forkPoint = target.forkPoint;
  const rate = cases.length / seconds;
  const ownMs = (cpu.user + cpu.system) / 1000 / cases.length;
  const qemuMs = children0 !== undefined && children !== undefined ? (children - children0) / cases.length : undefined;
  durations.sort((a, b) => a - b);
  return {
    name: 'fuzz: real QEMU 7.2 loads/s, 2 workers (wall clock)',
    value: Math.round(rate * 10) / 10,
    unit: 'loads/s',
    target: '>= 80 loads/s',
    met: rate >= 80,
    detail: {
      runs: cases.length,
      verdicts,
      loadMs: { p50: durations[durations.length >> 1], p90: durations[Math.floor(durations.length * 0.9)], max: durations[durations.length - 1] },
      qemuStart: forkPoint === 'late' ? 'forked from a zygote at QEMU\'s first io_uring (QOM types registered, classes initialized)' : forkPoint === 'main' ? 'forked from a zygote stopped at main()' : 'exec',
      cpuMsPerLoad: { qemu: qemuMs === undefined ? undefined : round1(qemuMs), harness: round1(ownMs) },
      cpuCeilingOn2Cores: qemuMs === undefined ? undefined : Math.round(2000 / (qemuMs + ownMs)),
      // The part of the above every load pays before its stream matters; the rest is QEMU loading (a 4 GiB vmdesc length drains for ~0.5 s).
      startOnly: start,
      loadAverage: loadavg()[0],
    },
  };
}

const START_RUNS = 60;

/**
 * CPU of a destination start alone, as the mix's loads pay it: START_RUNS
 * loads, 2 at a time, of 8 bytes QEMU refuses at once (no migration magic),
 * in a target of their own (a zygote's children count once it is reaped;
 * its own start, once, is in the figure).
 */
async function qemuStartCost(machine: string): Promise<{ qemuCpuMs?: number; harnessCpuMs: number; cpuCeilingOn2Cores?: number }> {
  const target = new QemuFuzzTarget(QEMU, { machine, ram: '32M' });
  const bytes = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 3]);
  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuMs();
  let left = START_RUNS;
  const worker = async (): Promise<void> => {
    while (left-- > 0) await target.load(bytes);
  };
  await Promise.all(Array.from({ length: target.concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  await target.close();
  const children = childrenCpuMs();
  const harnessCpuMs = (cpu.user + cpu.system) / 1000 / START_RUNS;
  if (children0 === undefined || children === undefined) return { harnessCpuMs: round1(harnessCpuMs) };
  const qemuCpuMs = (children - children0) / START_RUNS;
  return { qemuCpuMs: round1(qemuCpuMs), harnessCpuMs: round1(harnessCpuMs), cpuCeilingOn2Cores: Math.round(2000 / (qemuCpuMs + harnessCpuMs)) };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** CPU ms of this process's reaped children (utime + stime of /proc/self/stat), where Linux has it. */
function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[13]) + Number(fields[14]); // cutime, cstime (fields 16, 17 of proc(5))
    return (ticks * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

export async function fuzzBench(): Promise<Figure[]> {
  const figures: Figure[] = simFigures();
  const profile = runChild('profile', DEFAULT_IN_PROCESS_RUNS, true);
  figures.push({
    name: `fuzz: capture-profile target exec/s per core, warm (${SEED} profile, CPU time)`,
    value: Math.round(profile.execsPerSec),
    unit: 'exec/s',
    detail: { runs: profile.runs, coldExecsPerSec: Math.round(profile.coldExecsPerSec ?? 0), failed: profile.failed },
  });
  const bare = bareLoaderRate();
  figures.push({ name: 'fuzz: bare loadStream on the smallest valid stream (CPU time)', value: Math.round(bare), unit: 'loads/s', detail: { note: 'ceiling set by the loader + destination construction' } });
  const big = runChild('sim', 100_000, false);
  figures.push({
    name: 'fuzz: peak RSS of a 100,000-run campaign',
    value: Math.round(big.maxRssBytes / (1 << 20)),
    unit: 'MB',
    target: '< 500 MB',
    met: big.maxRssBytes < 500 * (1 << 20),
    detail: { runs: big.runs, target: `sim:${newestBuild()}`, failed: big.failed },
  });
  figures.push({
    name: 'fuzz: exec/s per core of that 100,000-run campaign (fresh process, warm-up included)',
    value: Math.round(big.execsPerSec),
    unit: 'exec/s',
    target: '>= 10,000 exec/s',
    met: big.execsPerSec >= 10_000,
    detail: { runs: big.runs },
  });
  const q = qemuRateInChild();
  if (q) figures.push(q);
  return figures;
}

/**
 * qemuRate in a fresh process, as `migcompat fuzz --target qemu:` runs: each
 * spawn forks the driver, and after the in-process campaigns above this
 * process is several times larger (a fork copies its page tables while the
 * event loop waits), which would measure the bench's own heap, not the target.
 */
function qemuRateInChild(): Figure | undefined {
  if (!existsSync(QEMU)) return undefined;
  return runSelf<Figure>(['--qemu-child']);
}

if (process.argv[2] === '--qemu-child') {
  // The loop draining before the figure is printed means a load awaited something that kept nothing alive: say so, never print nothing.
  process.once('beforeExit', () => {
    process.stderr.write('qemu child: the event loop drained before the figure was printed\n');
    process.exit(70);
  });
  qemuRate().then(
    (f) => {
      process.stdout.write(JSON.stringify(f) + '\n');
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(String(e) + '\n');
      process.exit(1);
    },
  );
}

if (process.argv[2] === '--fuzz-child') {
  const kind: CampaignTarget = process.argv[3] === 'profile' ? 'profile' : 'sim';
  campaignCase(kind, Number(process.argv[4]), process.argv[5] === 'warm').then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (e: unknown) => {
      process.stderr.write(String(e) + '\n');
      process.exitCode = 1;
    },
  );
}
