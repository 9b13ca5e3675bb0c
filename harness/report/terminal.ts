/**
 * Terminal output: a progress bar on a TTY, plain lines otherwise (CI
 * logs), and a coloured summary at the end. Colours follow chalk's own
 * detection (NO_COLOR, FORCE_COLOR, not a TTY).
 */
import chalk from 'chalk';
import type { CellClass, CellResult } from '../matrix/types.js';
import type { MatrixResult } from './model.js';
import { routeOf, verdictText } from './cell-text.js';

const PAINT: Record<CellClass, (s: string) => string> = {
  pass: (s) => chalk.green(s),
  'expected-break': (s) => chalk.yellow(s),
  regression: (s) => chalk.red.bold(s),
  'harness-error': (s) => chalk.magenta(s),
};

export interface Progress {
  update(result: CellResult, done: number, total: number): void;
  finish(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

/**
 * On a TTY: one redrawn line (bar, counts, rate). Otherwise: a plain line
 * per regression or harness error as it happens (the first `maxFailureLines`)
 * and one every `every` cells.
 */
export function createProgress(out: ProgressStream = process.stderr, every = 500, maxFailureLines = 50): Progress {
  let failureLines = 0;
  const t0 = Date.now();
  const counts: Record<CellClass, number> = { pass: 0, 'expected-break': 0, regression: 0, 'harness-error': 0 };
  const tty = out.isTTY === true;
  let lastDraw = 0;
  return {
    update(r, done, total) {
      counts[r.class]++;
      if (!tty) {
        if (r.class === 'regression' || r.class === 'harness-error') {
          // A CI log needs the first failures, not thousands: the reports carry them all.
          if (failureLines < maxFailureLines) out.write(`${r.class}: ${r.machine} ${routeOf(r)} (${r.direction}): ${verdictText(r)}\n`);
          else if (failureLines === maxFailureLines) out.write(`(further failures are in the reports only)\n`);
          failureLines++;
        }
        if (done % every === 0 || done === total) out.write(`progress ${done}/${total} pass=${counts.pass} expected=${counts['expected-break']} regression=${counts.regression} error=${counts['harness-error']}\n`);
        return;
      }
      const now = Date.now();
      if (now - lastDraw < 80 && done !== total) return;
      lastDraw = now;
      const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 60));
      const filled = Math.round((done / Math.max(1, total)) * width);
      const rate = done / Math.max(0.001, (now - t0) / 1000);
      const bar = chalk.cyan('█'.repeat(filled)) + chalk.dim('░'.repeat(width - filled));
      out.write(`\r${bar} ${done}/${total} ${PAINT.pass(String(counts.pass))} ${PAINT['expected-break'](String(counts['expected-break']))} ${PAINT.regression(String(counts.regression))} ${PAINT['harness-error'](String(counts['harness-error']))} ${rate.toFixed(0)}/s\x1b[K`);
    },
    finish() {
      if (tty) out.write('\n');
    },
  };
}

export function renderTerminalSummary(result: MatrixResult, maxListed = 20): string {
  const t = result.totals;
  const lines: string[] = [];
  lines.push(chalk.bold(`migcompat matrix ${result.runId}`));
  lines.push(
    `  ${t.cells} cells: ${PAINT.pass(`${t.pass} pass`)}, ${PAINT['expected-break'](`${t['expected-break']} expected break`)}, ` +
      `${PAINT.regression(`${t.regression} regression`)}, ${PAINT['harness-error'](`${t['harness-error']} harness error`)}` +
      `  (${(result.timings.wallMs / 1000).toFixed(1)} s, ${result.timings.cellsPerSecond.toFixed(0)} cells/s)`,
  );
  const bad = result.cells.filter((c) => c.class === 'regression' || c.class === 'harness-error');
  for (const c of bad.slice(0, maxListed)) lines.push(`  ${PAINT[c.class](c.class.padEnd(13))} ${c.machine} ${routeOf(c)} (${c.direction}): ${verdictText(c)}`);
  if (bad.length > maxListed) lines.push(chalk.dim(`  ... and ${bad.length - maxListed} more`));
  const ids = new Map<string, number>();
  for (const c of result.cells) if (c.expected) ids.set(c.expected.id, (ids.get(c.expected.id) ?? 0) + 1);
  for (const [id, n] of ids) lines.push(`  ${PAINT['expected-break']('expected'.padEnd(13))} ${id}: ${n} cells`);
  for (const n of result.notes) lines.push(chalk.dim(`  note: ${n}`));
  return lines.join('\n') + '\n';
}
