/**
 * Prints the Markdown table of the last `npm run bench` figures
 * (reports/bench/*.json): the README's benchmark table is this output.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport } from './report.js';

const SUITES = ['codec', 'emulator', 'matrix', 'fuzz'];

function formatValue(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

const rows = ['| suite | figure | value | target |', '|---|---|---|---|'];
for (const suite of SUITES) {
  const file = join('reports', 'bench', `${suite}.json`);
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  for (const f of report.figures) {
    const target = f.target ? `${f.target} (${f.met ? 'met' : '**missed**'})` : '';
    rows.push(`| ${suite} | ${f.name} | ${formatValue(f.value)} ${f.unit} | ${target} |`);
  }
}
process.stdout.write(rows.join('\n') + '\n');
