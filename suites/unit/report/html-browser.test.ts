/**
 * report.html in a real browser: Debian's chromium, headless, driven by
 * playwright-core (.ci/run installs chromium). Checks the matrix renders
 * with the right counts, that a regression square opens its cells with the
 * state diff, that the filters work, and saves a screenshot under reports/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../../harness/report/html.js';
import { packageRoot } from '../../../harness/corpus/package-root.js';
import { sampleResult } from './sample-result.js';

const CHROMIUM = '/usr/bin/chromium';

// CI (MIGCOMPAT_REQUIRE_CHROMIUM=1, set by .ci/run) must run this, not skip it.
if (!existsSync(CHROMIUM) && process.env.MIGCOMPAT_REQUIRE_CHROMIUM === '1') {
  describe('report.html in headless Chromium', () => {
    it('needs Debian chromium at /usr/bin/chromium (MIGCOMPAT_REQUIRE_CHROMIUM=1)', () => {
      expect.fail(`${CHROMIUM} not found`);
    });
  });
}

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'migcompat-html-'));
  let context: BrowserContext;

  beforeAll(async () => {
    const file = join(tmp, 'report.html');
    writeFileSync(file, renderHtml(await sampleResult()));
    // A persistent context on a fresh directory is Chromium's --user-data-dir.
    context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // No request may leave the file: the report is self-contained.
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(file).href);
    (globalThis as { __page?: typeof page; __errors?: string[] }).__page = page;
    (globalThis as { __errors?: string[] }).__errors = errors;
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const page = () => (globalThis as { __page?: import('playwright-core').Page }).__page!;

  it('renders the totals and one matrix per machine family', async () => {
    const p = page();
    expect(await p.textContent('#count-total')).toBe('24');
    expect(await p.textContent('#count-regression')).toBe('4');
    expect(await p.textContent('#count-pass')).toBe('20');
    expect(await p.textContent('#shown-count')).toBe('24');
    expect(await p.locator('section.family').count()).toBe(2);
    // Per family: 3 builds, so a 3 x 3 matrix; every square has cells (controls on the diagonal).
    expect(await p.locator('section[data-family="pc-q35"] td[data-from]').count()).toBe(9);
    // Two red squares per family: the backward square and the round trip's square.
    expect(await p.locator('td[data-class="regression"]').count()).toBe(4);
    expect((globalThis as { __errors?: string[] }).__errors).toEqual([]);
  });

  it('a regression square opens its cells with verdict and state diff; markup in messages stays text', async () => {
    const p = page();
    await p.click('section[data-family="pc-i440fx"] td[data-from="8.1"][data-to="8.0"]');
    const cell = p.locator('#details .cell[data-class="regression"]');
    expect(await cell.count()).toBe(1);
    expect(await cell.locator('pre.diff').textContent()).toContain('+reg.b 0x1');
    await p.click('section[data-family="pc-q35"] td[data-from="8.0"][data-to="7.2"]');
    const verdict = await p.locator('#details .cell .verdict').first().textContent();
    expect(verdict).toBe('verdict: refused: pci.bad-config-data: get_pci_config_device: Bad config data </script><b>x</b> & "q"');
    expect(await p.locator('#details b').count()).toBe(0);
  });

  it('filters by class and by machine type', async () => {
    const p = page();
    await p.selectOption('#filter-class', 'regression');
    expect(await p.textContent('#shown-count')).toBe('4');
    await p.selectOption('#filter-machine', 'pc-q35-7.2');
    expect(await p.textContent('#shown-count')).toBe('2');
    expect(await p.locator('section.family').count()).toBe(1);
    await p.selectOption('#filter-class', '');
    expect(await p.textContent('#shown-count')).toBe('12');
    await p.selectOption('#filter-machine', '');
    await p.click('section[data-family="pc-i440fx"] td[data-from="8.1"][data-to="8.0"]');
    const dir = join(packageRoot(), 'reports');
    mkdirSync(dir, { recursive: true });
    await p.screenshot({ path: join(dir, 'report-html.png'), fullPage: true });
    expect(existsSync(join(dir, 'report-html.png'))).toBe(true);
  });
});
