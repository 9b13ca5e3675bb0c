/**
 * The full default matrix (every simulated build, every machine type two
 * builds share, both directions, round trips and controls) with 64 MiB
 * guests, on 1 and on 2 workers: cells per second, wall time, and how the
 * pool scales. Target: the whole matrix in under 60 s on 2 cores, scaling
 * close to linear.
 *
 * The machine is shared, so wall-clock figures move with other load; the
 * CPU figures do not: cells per CPU-second of the whole process (every
 * thread: workers, main, GC and compiler threads), the main thread's share
 * of that CPU (what the pool costs beside the cells), and the 2-worker run's
 * CPU efficiency against 1 worker (cells per CPU-second, 2 workers / 1: 1.0
 * means the pool adds no work, so two free cores would give 2x).
 *
 * MIGCOMPAT_BENCH_MATRIX_SHARD=i/n runs one shard only (a quick look; the
 * figures then say so and the 60 s target is scaled to the shard).
 */
import os from 'node:os';
import { runMatrix } from '../harness/matrix/run.js';
import { parseShard } from '../harness/matrix/shard.js';
import { simulatedBuilds } from '../harness/matrix/builds.js';
import type { MatrixResult } from '../harness/report/model.js';
import type { Figure } from './report.js';

const TARGET_WALL_S = 60;

async function timedRun(workers: number, shard: ReturnType<typeof parseShard> | undefined): Promise<MatrixResult> {
  return runMatrix({ builds: simulatedBuilds(), ram: '64M', seed: 1, workers, ...(shard ? { shard } : {}) });
}

function cpuMs(r: MatrixResult): number {
  return r.timings.cpu?.processMs ?? 0;
}

function cellsPerCpuSecond(r: MatrixResult): number {
  const ms = cpuMs(r);
  return ms > 0 ? (r.cells.length * 1000) / ms : 0;
}

export async function matrixBench(): Promise<Figure[]> {
  const shardText = process.env.MIGCOMPAT_BENCH_MATRIX_SHARD;
  const shard = shardText ? parseShard(shardText) : undefined;
  const fraction = shard ? 1 / shard.count : 1;
  const load0 = os.loadavg()[0];
  const one = await timedRun(1, shard);
  const two = await timedRun(2, shard);
  const detail = (r: MatrixResult) => ({
    cells: r.cells.length,
    planCells: r.plan.cellCount,
    shard: shardText ?? 'all',
    totals: r.totals,
    workers: r.timings.workers,
    cpus: os.cpus().length,
    cpu: r.timings.cpu,
    loadAverage: [load0, os.loadavg()[0]],
    notes: r.notes,
  });
  const speedup = two.timings.wallMs > 0 ? one.timings.wallMs / two.timings.wallMs : 0;
  const wall2 = two.timings.wallMs / 1000;
  const target = TARGET_WALL_S * fraction;
  const efficiency = cellsPerCpuSecond(one) > 0 ? cellsPerCpuSecond(two) / cellsPerCpuSecond(one) : 0;
  const mainShare = cpuMs(two) > 0 ? (two.timings.cpu?.mainThreadMs ?? 0) / cpuMs(two) : 0;
  const shardNote = shard ? ` (shard ${shardText})` : '';
  return [
    { name: 'matrix cells/s, 1 worker (64 MiB guests)', value: one.timings.cellsPerSecond, unit: 'cells/s', detail: detail(one) },
    { name: 'matrix cells/s, 2 workers', value: two.timings.cellsPerSecond, unit: 'cells/s', detail: detail(two) },
    { name: 'matrix wall time, 1 worker', value: one.timings.wallMs / 1000, unit: 's' },
    { name: `matrix wall time, 2 workers${shardNote}`, value: wall2, unit: 's', target: `< ${target.toFixed(0)} s`, met: wall2 < target },
    { name: 'matrix speedup 2 workers / 1 (wall clock)', value: speedup, unit: 'x', target: '>= 1.8x', met: speedup >= 1.8 },
    { name: `matrix CPU time, 2 workers, all threads${shardNote}`, value: cpuMs(two) / 1000, unit: 'CPU-s' },
    { name: 'matrix cells per CPU-second, 1 worker', value: cellsPerCpuSecond(one), unit: 'cells/CPU-s' },
    { name: 'matrix cells per CPU-second, 2 workers', value: cellsPerCpuSecond(two), unit: 'cells/CPU-s' },
    { name: 'matrix CPU efficiency 2 workers / 1 (cells per CPU-second)', value: efficiency, unit: 'x', target: '>= 0.9x', met: efficiency >= 0.9 },
    { name: 'matrix main thread share of CPU, 2 workers', value: mainShare * 100, unit: '%' },
  ];
}
