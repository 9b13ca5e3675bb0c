/**
 * summary.md, written for a pull-request comment: totals, then regressions
 * (the news) with their errors and diffs, harness errors, then expected
 * breaks grouped by catalog entry with the reason. Long lists are cut with
 * a count, so a comment stays under the hosts' size limits.
 */
import type { CellResult } from '../matrix/types.js';
import type { MatrixResult } from './model.js';
import { formatBytes, routeOf, verdictText } from './cell-text.js';

export interface MarkdownOptions {
  /** Cells listed per section before "... and N more". */
  maxListed?: number;
}

function cellLine(c: CellResult): string {
  return `- \`${c.machine}\` ${routeOf(c)} (${c.direction}): ${verdictText(c).replace(/\n/g, ' ')}`;
}

function mdEscapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(result: MatrixResult, opts: MarkdownOptions = {}): string {
  const max = opts.maxListed ?? 50;
  const t = result.totals;
  const lines: string[] = [];
  const status = t.regression > 0 ? 'regressions found' : t['harness-error'] > 0 ? 'harness errors' : 'no regressions';
  lines.push(`## migcompat matrix: ${status}`, '');
  lines.push('| cells | pass | expected break | regression | harness error | wall time |', '|---:|---:|---:|---:|---:|---:|');
  lines.push(`| ${t.cells} | ${t.pass} | ${t['expected-break']} | ${t.regression} | ${t['harness-error']} | ${(result.timings.wallMs / 1000).toFixed(1)} s |`, '');
  lines.push(`Run \`${result.runId}\`, ${result.builds.length} builds (${result.builds.map((b) => b.name).join(', ')}), engine ${result.engine}.`, '');
  const regressions = result.cells.filter((c) => c.class === 'regression');
  if (regressions.length) {
    lines.push(`### Regressions (${regressions.length})`, '');
    for (const c of regressions.slice(0, max)) {
      lines.push(cellLine(c));
      if (c.diff) lines.push('', '  <details><summary>state diff</summary>', '', '  ```diff', ...c.diff.split('\n').slice(0, 60).map((l) => `  ${l}`), '  ```', '  </details>', '');
    }
    if (regressions.length > max) lines.push(`- ... and ${regressions.length - max} more (see report.html)`);
    lines.push('');
  }
  const errors = result.cells.filter((c) => c.class === 'harness-error');
  if (errors.length) {
    lines.push(`### Harness errors (${errors.length})`, '');
    errors.slice(0, max).forEach((c) => lines.push(cellLine(c)));
    if (errors.length > max) lines.push(`- ... and ${errors.length - max} more`);
    lines.push('');
  }
  const expected = result.cells.filter((c) => c.class === 'expected-break');
  if (expected.length) {
    lines.push(`### Expected breaks (${expected.length})`, '', '| break | cells | shows as | reason |', '|---|---:|---|---|');
    const byId = new Map<string, CellResult[]>();
    for (const c of expected) byId.set(c.expected?.id ?? '?', [...(byId.get(c.expected?.id ?? '?') ?? []), c]);
    for (const [id, cells] of byId) {
      const e = cells[0]?.expected;
      lines.push(`| \`${id}\` | ${cells.length} | ${mdEscapeCell(e?.manifest ?? '')} | ${mdEscapeCell(e?.reason ?? '')} |`);
    }
    lines.push('');
  }
  const bytes = result.cells.reduce((s, c) => s + c.streamBytes, 0);
  lines.push(`<sub>${result.timings.workers || 'in-process'} workers, ${result.timings.cellsPerSecond.toFixed(0)} cells/s, ${formatBytes(bytes)} of streams; migcompat ${result.tool.version}</sub>`, '');
  return lines.join('\n');
}
