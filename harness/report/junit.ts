/**
 * JUnit XML: one testsuite per machine type, one testcase per cell. A
 * regression is a failure (with the verdict and the state diff), a harness
 * error an error, an expected break is skipped with the catalog reason (it
 * did not pass, and it is not news).
 */
import type { CellResult } from '../matrix/types.js';
import type { MatrixResult } from './model.js';
import { routeOf, verdictText } from './cell-text.js';

export function escapeXml(s: string): string {
  // Characters XML 1.0 cannot carry at all are dropped, the rest escaped.
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function testcase(c: CellResult): string {
  const attrs = `classname="${escapeXml(c.machine)}" name="${escapeXml(`${routeOf(c)} (${c.direction})`)}" time="${(c.timings.totalMs / 1000).toFixed(3)}"`;
  const detail = [verdictText(c), c.note, c.diff ?? ''].filter((s) => s !== '').join('\n');
  switch (c.class) {
    case 'pass':
      return `    <testcase ${attrs}/>`;
    case 'expected-break':
      return `    <testcase ${attrs}>\n      <skipped message="${escapeXml(`expected break ${c.expected?.id ?? ''}: ${c.expected?.reason ?? ''}`)}"/>\n    </testcase>`;
    case 'regression':
      return `    <testcase ${attrs}>\n      <failure message="${escapeXml(verdictText(c))}" type="regression">${escapeXml(detail)}</failure>\n    </testcase>`;
    case 'harness-error':
      return `    <testcase ${attrs}>\n      <error message="${escapeXml(verdictText(c))}" type="harness-error">${escapeXml(detail)}</error>\n    </testcase>`;
  }
}

export function renderJunit(result: MatrixResult): string {
  const byMachine = new Map<string, CellResult[]>();
  for (const c of result.cells) {
    const list = byMachine.get(c.machine) ?? [];
    list.push(c);
    byMachine.set(c.machine, list);
  }
  const suites = [...byMachine].map(([machine, cells]) => {
    const count = (k: CellResult['class']): number => cells.filter((c) => c.class === k).length;
    const time = cells.reduce((s, c) => s + c.timings.totalMs, 0) / 1000;
    return [
      `  <testsuite name="${escapeXml(machine)}" tests="${cells.length}" failures="${count('regression')}" errors="${count('harness-error')}" skipped="${count('expected-break')}" time="${time.toFixed(3)}">`,
      ...cells.map(testcase),
      '  </testsuite>',
    ].join('\n');
  });
  const t = result.totals;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="migcompat matrix ${escapeXml(result.runId)}" tests="${t.cells}" failures="${t.regression}" errors="${t['harness-error']}" skipped="${t['expected-break']}" time="${(result.timings.wallMs / 1000).toFixed(3)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
