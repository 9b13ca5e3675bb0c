/**
 * The full default matrix (every simulated build, every machine type two
 * builds share, both directions, round trips and controls) with 64 MiB
 * guests, on 1 and on 2 workers: cells per second, wall time, and how the
 * pool scales. Target: the whole matrix in under 60 s on 2 cores, scaling
 * close to linear.
 *
 * The machine is shared, so wall-clock figures move with other load (the
 * load average before and after each run is recorded beside them); the CPU
 * figures move much less: the CPU time of the whole process (every thread:
 * workers, main, and V8's GC and compiler threads, which run beside the
 * JavaScript threads), cells per CPU-second, and the wall time that CPU time
 * implies on two free cores: a run cannot end before half its CPU time has
 * passed, nor before its busiest JavaScript thread is done. The 2-worker
 * run's CPU efficiency against 1 worker (cells per CPU-second, 2 / 1) says
 * what the pool adds: 1.0 would make two free cores give 2x.
 *
 * After the run, `migcompat matrix` writes the reports on the main thread:
 * that is timed too (the 2-worker result into a temporary directory).
 *
 * MIGCOMPAT_BENCH_MATRIX_SHARD=i/n runs one shard only (a smoke run; the
 * figures then say so and the 60 s target is scaled to the shard). A shard
 * pays each worker's start-up and JIT warm-up (about 1.5-2 CPU-seconds a
 * worker with the GC and compiler threads) on a fraction of the cells, so
 * its scaling figures are worse than the full matrix's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runMatrix } from '../harness/matrix/run.js';
import { parseShard } from '../harness/matrix/shard.js';
import { simulatedBuilds } from '../harness/matrix/builds.js';
import { threadCpuMs } from '../harness/matrix/thread-cpu.js';
import { writeReports } from '../harness/report/write.js';
import type { MatrixResult } from '../harness/report/model.js';
import type { Figure } from './report.js';

const TARGET_WALL_S = 60;
/** The cores the target speaks of. */
const TARGET_CORES = 2;

interface Measured {
  result: MatrixResult;
  /** 1-minute load average before and after the run, and the 5-minute one after it. */
  load: { before: number; after: number; after5: number };
}

async function timedRun(workers: number, shard: ReturnType<typeof parseShard> | undefined): Promise<Measured> {
  const before = os.loadavg()[0]!;
  const result = await runMatrix({ builds: simulatedBuilds(), ram: '64M', seed: 1, workers, ...(shard ? { shard } : {}) });
  const [after, after5] = os.loadavg();
  return { result, load: { before, after: after!, after5: after5! } };
}

function cpuMs(r: MatrixResult): number {
  return r.timings.cpu?.processMs ?? 0;
}

function cellsPerCpuSecond(r: MatrixResult): number {
  const ms = cpuMs(r);
  return ms > 0 ? (r.cells.length * 1000) / ms : 0;
}

/** CPU time of the threads that run cells: the workers, or the main thread in-process. */
function jsThreadsMs(r: MatrixResult): number[] {
  const c = r.timings.cpu;
  if (c === undefined) return [];
  return r.timings.workers > 0 ? (c.workerMs ?? []) : c.mainThreadMs !== undefined ? [c.mainThreadMs] : [];
}

/**
 * The wall time this run's CPU time implies on TARGET_CORES free cores:
 * not less than the process's CPU time spread over the cores, nor than its
 * busiest cell-running thread (ms).
 */
function freeCoresWallMs(r: MatrixResult): number {
  return Math.max(cpuMs(r) / TARGET_CORES, ...jsThreadsMs(r));
}

/** CPU of V8's GC and compiler threads (the process minus the main and worker threads), as a share of it. */
function helperShare(r: MatrixResult): number {
  const c = r.timings.cpu;
  if (c?.mainThreadMs === undefined || cpuMs(r) <= 0) return 0;
  const js = c.mainThreadMs + (c.workerMs ?? []).reduce((s, v) => s + v, 0);
  return Math.max(0, cpuMs(r) - js) / cpuMs(r);
}

/** How far apart the workers' last results came in (ms): the pool's tail. */
function finishSpreadMs(r: MatrixResult): number {
  const ends = (r.timings.workerSpans ?? []).map((s) => s.lastResultMs);
  return ends.length > 1 ? Math.max(...ends) - Math.min(...ends) : 0;
}

/** Writing result.json, junit.xml, summary.md and report.html, as migcompat matrix does after the run. */
function timeReports(r: MatrixResult): { wallMs: number; cpuMs: number } {
  const dir = mkdtempSync(join(os.tmpdir(), 'migcompat-bench-'));
  try {
    const t0 = performance.now();
    const c0 = threadCpuMs();
    writeReports(r, dir);
    const c1 = threadCpuMs();
    return { wallMs: performance.now() - t0, cpuMs: c0 !== undefined && c1 !== undefined ? c1 - c0 : 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

export async function matrixBench(): Promise<Figure[]> {
  const shardText = process.env.MIGCOMPAT_BENCH_MATRIX_SHARD;
  const shard = shardText ? parseShard(shardText) : undefined;
  const fraction = shard ? 1 / shard.count : 1;
  const one = await timedRun(1, shard);
  const two = await timedRun(2, shard);
  const reports = timeReports(two.result);
  const detail = (m: Measured) => ({
    cells: m.result.cells.length,
    planCells: m.result.plan.cellCount,
    shard: shardText ?? 'all',
    totals: m.result.totals,
    workers: m.result.timings.workers,
    cpus: os.cpus().length,
    cpu: m.result.timings.cpu,
    workerSpans: m.result.timings.workerSpans,
    loadAverage: m.load,
    notes: m.result.notes,
  });
  const r1 = one.result;
  const r2 = two.result;
  const wall1 = r1.timings.wallMs / 1000;
  const wall2 = r2.timings.wallMs / 1000;
  const speedup = wall2 > 0 ? wall1 / wall2 : 0;
  const target = TARGET_WALL_S * fraction;
  const efficiency = cellsPerCpuSecond(r1) > 0 ? cellsPerCpuSecond(r2) / cellsPerCpuSecond(r1) : 0;
  const free1 = freeCoresWallMs(r1) / 1000;
  const free2 = freeCoresWallMs(r2) / 1000;
  const freeSpeedup = free2 > 0 ? free1 / free2 : 0;
  const mainShare = cpuMs(r2) > 0 ? (r2.timings.cpu?.mainThreadMs ?? 0) / cpuMs(r2) : 0;
  const sh = shard ? ` (shard ${shardText})` : '';
  const loadNote = (m: Measured): string => `load ${round1(m.load.before)} -> ${round1(m.load.after)}`;
  return [
    { name: `matrix cells${sh}`, value: r2.cells.length, unit: 'cells', detail: { totals: r2.totals } },
    { name: 'matrix cells/s, 1 worker (64 MiB guests)', value: r1.timings.cellsPerSecond, unit: 'cells/s', detail: detail(one) },
    { name: 'matrix cells/s, 2 workers', value: r2.timings.cellsPerSecond, unit: 'cells/s', detail: detail(two) },
    { name: `matrix wall time, 1 worker (${loadNote(one)})`, value: wall1, unit: 's' },
    { name: `matrix wall time, 2 workers${sh} (${loadNote(two)})`, value: wall2, unit: 's', target: `< ${target.toFixed(0)} s`, met: wall2 < target },
    { name: 'matrix speedup 2 workers / 1 (wall clock, moves with the load)', value: speedup, unit: 'x', target: '>= 1.8x', met: speedup >= 1.8 },
    { name: `matrix CPU time, 1 worker, all threads${sh}`, value: cpuMs(r1) / 1000, unit: 'CPU-s' },
    { name: `matrix CPU time, 2 workers, all threads${sh}`, value: cpuMs(r2) / 1000, unit: 'CPU-s' },
    { name: 'matrix wall time on 2 free cores implied by CPU time, 1 worker', value: free1, unit: 's' },
    { name: `matrix wall time on 2 free cores implied by CPU time, 2 workers${sh}`, value: free2, unit: 's', target: `< ${target.toFixed(0)} s`, met: free2 < target },
    { name: 'matrix speedup 2 workers / 1 implied by CPU time', value: freeSpeedup, unit: 'x', target: '>= 1.8x', met: freeSpeedup >= 1.8 },
    { name: 'matrix cells per CPU-second, 1 worker', value: cellsPerCpuSecond(r1), unit: 'cells/CPU-s' },
    { name: 'matrix cells per CPU-second, 2 workers', value: cellsPerCpuSecond(r2), unit: 'cells/CPU-s' },
    { name: 'matrix CPU efficiency 2 workers / 1 (cells per CPU-second)', value: efficiency, unit: 'x', target: '>= 0.9x', met: efficiency >= 0.9 },
    { name: 'matrix V8 GC and compiler threads share of CPU, 2 workers', value: helperShare(r2) * 100, unit: '%' },
    { name: 'matrix main thread share of CPU, 2 workers', value: mainShare * 100, unit: '%' },
    { name: 'matrix workers finish spread (first to last worker done)', value: finishSpreadMs(r2), unit: 'ms' },
    { name: `matrix report writing after the run${sh} (main thread CPU)`, value: reports.cpuMs / 1000, unit: 'CPU-s', detail: { wallMs: reports.wallMs } },
  ];
}
