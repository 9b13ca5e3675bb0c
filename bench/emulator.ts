/**
 * Emulator core throughput: one migration = boot a 64 MiB pc-q35-7.2 guest
 * of the simulated 7.2 build (firmware + a workload round), save it (three
 * RAM passes with workload rounds between them), load the stream into a
 * fresh destination, and compare the two guest-visible snapshots. Reported
 * per core (this loop is single-threaded). Target: >= 500 migrations/s.
 */
import { boot, guestStateEqual, loadInto, snapshotDifferences } from '../src/vm.js';
import type { Figure } from './report.js';

const MACHINE = 'pc-q35-7.2';
const OPTS = { devices: [] as string[], ram: '64M' };

export interface MigrationTimes {
  boot: number;
  save: number;
  load: number;
  compare: number;
  bytes: number;
}

/** One migration, timed phase by phase; throws if it does not round-trip. */
export function timedMigration(seed: number): MigrationTimes {
  const t0 = performance.now();
  const src = boot('7.2', MACHINE, { ...OPTS, seed });
  const t1 = performance.now();
  const bytes = src.save();
  const t2 = performance.now();
  const r = loadInto('7.2', MACHINE, { ...OPTS, seed }, bytes);
  const t3 = performance.now();
  if (!r.accepted) throw new Error(`emulator bench: destination refused: ${r.error?.toString()}`);
  const equal = guestStateEqual(src, r.vm);
  const t4 = performance.now();
  if (!equal) throw new Error(`emulator bench: state differs at ${snapshotDifferences(src.snapshot(), r.vm.snapshot(), 1)[0]}`);
  return { boot: t1 - t0, save: t2 - t1, load: t3 - t2, compare: t4 - t3, bytes: bytes.length };
}

/** CPU-seconds this process has spent (all threads: main, GC, compiler). */
function cpuSeconds(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

/**
 * Budgets are CPU time, not wall time, and the warm-up is long enough for
 * the JIT: the figure is the steady state. The earlier 10-migration warm-up
 * and 3 s wall-clock budget measured, on a loaded machine, a few hundred
 * migrations of which the first ones still ran unoptimized while the
 * compiler threads (whose CPU time the figure counts) optimized them: a
 * 0.5 CPU-s warm-up gives ~9 ms per migration for the next second and
 * ~2 ms once about 1.5 CPU-s have gone, so that figure moved with the
 * machine's load rather than with the code.
 */
export async function emulatorBench(opts: { warmupCpuSeconds?: number; cpuSeconds?: number } = {}): Promise<Figure[]> {
  const warm0 = cpuSeconds();
  for (let i = 0; i < 10 || cpuSeconds() - warm0 < (opts.warmupCpuSeconds ?? 2); i++) timedMigration(i); // data decode, JIT
  const budget = opts.cpuSeconds ?? 3;
  const sum: MigrationTimes = { boot: 0, save: 0, load: 0, compare: 0, bytes: 0 };
  let n = 0;
  const start = performance.now();
  const cpuStart = cpuSeconds();
  while (cpuSeconds() - cpuStart < budget) {
    const t = timedMigration(1000 + n);
    for (const k of Object.keys(sum) as (keyof MigrationTimes)[]) sum[k] += t[k];
    n++;
  }
  const elapsed = performance.now() - start;
  // Per core: CPU time this process spent (user + system), so other load on the machine does not count.
  const cpuMs = (cpuSeconds() - cpuStart) * 1000;
  const perSecond = (n * 1000) / cpuMs;
  const avg = (k: keyof MigrationTimes): number => Math.round((sum[k] / n) * 1000) / 1000;
  return [
    {
      name: `migrations/s/core (${MACHINE} 64 MiB, boot+save+load+compare)`,
      value: Math.round(perSecond * 10) / 10,
      unit: 'migrations/s',
      target: '>= 500',
      met: perSecond >= 500,
      detail: { migrations: n, wallMsPerMigration: elapsed / n, cpuMsPerMigration: cpuMs / n, msBoot: avg('boot'), msSave: avg('save'), msLoad: avg('load'), msCompare: avg('compare'), streamBytes: avg('bytes') },
    },
  ];
}
