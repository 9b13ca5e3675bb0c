import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';

/** One measured figure: what, how much, in which unit, against which target. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. ">= 1000 MB/s". */
  target?: string;
  /** Whether the target was met; absent when there is no target. */
  met?: boolean;
  detail?: Record<string, unknown>;
}

export interface BenchReport {
  suite: string;
  date: string;
  node: string;
  cpus: number;
  cpuModel: string;
  figures: Figure[];
}

export function writeBenchReport(suite: string, figures: Figure[], dir = 'reports/bench'): string {
  const cpus = os.cpus();
  const report: BenchReport = {
    suite,
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    figures,
  };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${suite}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}

export function printFigure(f: Figure): void {
  const verdict = f.met === undefined ? '' : f.met ? '  [target met]' : '  [TARGET MISSED]';
  const target = f.target ? `  (target ${f.target})` : '';
  process.stdout.write(`  ${f.name.padEnd(58)} ${formatValue(f.value).padStart(12)} ${f.unit}${target}${verdict}\n`);
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
