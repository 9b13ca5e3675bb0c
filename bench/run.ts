/**
 * `npm run bench [-- suite...]`: prints figures and writes
 * reports/bench/<suite>.json. Benchmarks are measurements, never timed
 * tests: a missed target is printed, not thrown.
 */
import { codecBench } from './codec.js';
import { emulatorBench } from './emulator.js';
import { fuzzBench } from './fuzz.js';
import { matrixBench } from './matrix.js';
import { printFigure, writeBenchReport, type Figure } from './report.js';

const SUITES: Record<string, () => Promise<Figure[]>> = {
  codec: codecBench,
  emulator: () => emulatorBench(),
  matrix: matrixBench,
  fuzz: fuzzBench,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(SUITES);
  for (const name of names) {
    const suite = SUITES[name];
    if (!suite) {
      process.stderr.write(`unknown bench suite '${name}' (have: ${Object.keys(SUITES).join(', ')})\n`);
      process.exitCode = 2;
      return;
    }
    process.stdout.write(`${name}:\n`);
    const figures = await suite();
    figures.forEach(printFigure);
    process.stdout.write(`  -> ${writeBenchReport(name, figures)}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
