import { describe, expect, it } from 'vitest';
import { renderJunit, renderMarkdown, renderHtml, renderTerminalSummary, jsonForScript, validateResult, ResultFileError, createProgress } from '../../../harness/report/index.js';
import { sampleResult } from './sample-result.js';

const result = await sampleResult();

describe('sample result', () => {
  it('has the counts its rules make', () => {
    expect(result.totals).toEqual({ cells: 24, pass: 20, 'expected-break': 0, regression: 4, 'harness-error': 0 });
  });
});

describe('junit.xml', () => {
  const xml = renderJunit(result);
  it('has one testcase per cell and failures for regressions', () => {
    expect(xml.match(/<testcase /g)).toHaveLength(24);
    expect(xml.match(/<failure /g)).toHaveLength(4);
    expect(xml).toContain('<testsuites name="migcompat matrix 00000000-0000-4000-8000-000000000001" tests="24" failures="4" errors="0" skipped="0"');
    expect(xml).toContain('<testsuite name="pc-i440fx-7.2" tests="12" failures="2"');
  });
  it('escapes markup in messages and carries the diff', () => {
    expect(xml).not.toContain('</script><b>');
    expect(xml).toContain('Bad config data &lt;/script&gt;&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot;');
    expect(xml).toContain('+reg.b 0x1');
  });
});

describe('summary.md', () => {
  const md = renderMarkdown(result);
  it('puts totals first and regressions before anything else', () => {
    expect(md).toContain('## migcompat matrix: regressions found');
    expect(md).toContain('| 24 | 20 | 0 | 4 | 0 |');
    expect(md.indexOf('### Regressions (4)')).toBeGreaterThan(md.indexOf('| 24 |'));
    expect(md).toContain('```diff');
  });
  it('cuts long lists', () => {
    expect(renderMarkdown(result, { maxListed: 1 })).toContain('- ... and 3 more (see report.html)');
  });
});

describe('report.html', () => {
  const html = renderHtml(result);
  it('is self-contained: no external URLs, scripts or stylesheets', () => {
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/https?:\/\//);
  });
  it('embeds the data so that no message can close the script element', () => {
    const scripts = html.match(/<\/script>/g) ?? [];
    // Exactly the two closing tags of the data and the page script.
    expect(scripts).toHaveLength(2);
    expect(JSON.parse(jsonForScript({ a: '</script>&\u2028' }))).toEqual({ a: '</script>&\u2028' });
  });
});

describe('terminal summary', () => {
  it('lists regressions with their verdicts', () => {
    const text = renderTerminalSummary(result);
    expect(text).toContain('24 cells');
    expect(text).toMatch(/regression.*pc-q35-7\.2 8\.0 -> 7\.2 \(backward\): refused: pci\.bad-config-data/);
  });
  it('progress: plain lines when not a TTY (failures as they happen, a count every N)', () => {
    const lines: string[] = [];
    const p = createProgress({ isTTY: false, write: (s: string) => lines.push(s) }, 10);
    result.cells.forEach((c, i) => p.update(c, i + 1, result.cells.length));
    p.finish();
    expect(lines.filter((l) => l.startsWith('regression:'))).toHaveLength(4);
    // Plan order: pc-i440fx-7.2's 12 cells first; its regressions are cells 10 (8.1 -> 8.0) and 11
    // (8.0 -> 8.1 -> 8.0); pc-q35-7.2's are cells 15 (8.0 -> 7.2) and 16 (7.2 -> 8.0 -> 7.2).
    expect(lines.filter((l) => l.startsWith('progress '))).toEqual([
      'progress 10/24 pass=9 expected=0 regression=1 error=0\n',
      'progress 20/24 pass=16 expected=0 regression=4 error=0\n',
      'progress 24/24 pass=20 expected=0 regression=4 error=0\n',
    ]);
  });
});

describe('validateResult', () => {
  it('refuses other schemas and broken cells with a reason', () => {
    expect(() => validateResult({ schema: 'x' })).toThrow(ResultFileError);
    expect(() => validateResult({ ...result, schemaVersion: 2 })).toThrow(/schemaVersion 2/);
    expect(() => validateResult({ ...result, cells: [{ id: 'a', class: 'weird' }] })).toThrow(/class "weird"/);
    expect(validateResult(JSON.parse(JSON.stringify(result))).cells).toHaveLength(24);
  });
});
