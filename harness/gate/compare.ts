/**
 * The gate's judgement: compare a run with the committed baseline, cell by
 * cell (joined on the cell id). Only what got worse fails the gate:
 *  - a regression or harness error in a cell the baseline had passing, as
 *    an expected break, or not at all;
 *  - a cell that passed in the baseline and is now an expected break (the
 *    catalog documents such a break, but this migration used to work).
 * A cell that was broken in the same way in the baseline is known, not new;
 * a cell that got better is reported as fixed (update the baseline).
 */
import type { CellClass, CellResult } from '../matrix/types.js';
import type { MatrixResult } from '../report/model.js';

export interface GateFinding {
  id: string;
  machine: string;
  from: string;
  to: string;
  direction: string;
  was: CellClass | 'absent';
  now: CellClass;
  verdict: string;
}

export interface GateReport {
  newRegressions: GateFinding[];
  /** Still failing the same way as in the baseline. */
  known: GateFinding[];
  /** Better than the baseline (a regression that passes now, an expected break that passes). */
  fixed: GateFinding[];
  /** Baseline cells this run did not have (another filter or shard): not judged. */
  missing: string[];
  judged: number;
}

const FAILING: ReadonlySet<CellClass> = new Set<CellClass>(['regression', 'harness-error']);
const RANK: Record<CellClass, number> = { pass: 0, 'expected-break': 1, 'harness-error': 2, regression: 3 };

function finding(c: CellResult, was: CellClass | 'absent'): GateFinding {
  const v = c.verdict;
  const verdict = v.kind === 'accepted' ? (c.diff ? 'accepted, state differs' : 'accepted') : v.kind === 'refused' ? `refused: ${v.code}: ${v.message}` : `${v.kind}: ${v.message}`;
  return { id: c.id, machine: c.machine, from: c.from, to: c.to, direction: c.direction, was, now: c.class, verdict };
}

export function isNewRegression(was: CellClass | 'absent', now: CellClass): boolean {
  if (FAILING.has(now)) return was !== now;
  return now === 'expected-break' && was === 'pass';
}

export function compareWithBaseline(baseline: MatrixResult, current: MatrixResult): GateReport {
  const before = new Map(baseline.cells.map((c) => [c.id, c] as const));
  const report: GateReport = { newRegressions: [], known: [], fixed: [], missing: [], judged: current.cells.length };
  const seen = new Set<string>();
  for (const c of current.cells) {
    seen.add(c.id);
    const was = before.get(c.id)?.class ?? 'absent';
    if (isNewRegression(was, c.class)) report.newRegressions.push(finding(c, was));
    else if (FAILING.has(c.class)) report.known.push(finding(c, was));
    else if (was !== 'absent' && RANK[c.class] < RANK[was]) report.fixed.push(finding(c, was));
  }
  for (const id of before.keys()) if (!seen.has(id)) report.missing.push(id);
  return report;
}

export function gateExitCode(report: GateReport): 0 | 1 {
  return report.newRegressions.length > 0 ? 1 : 0;
}
