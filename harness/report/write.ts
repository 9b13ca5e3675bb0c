/** Writes a result and every report made from it into one directory. */
import { join } from 'node:path';
import type { MatrixResult } from './model.js';
import { resultJson, writeFileAtomic } from './io.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';

export interface WrittenReports {
  dir: string;
  result: string;
  junit: string;
  markdown: string;
  html: string;
}

export function writeReports(result: MatrixResult, dir: string): WrittenReports {
  const files: WrittenReports = {
    dir,
    result: join(dir, 'result.json'),
    junit: join(dir, 'junit.xml'),
    markdown: join(dir, 'summary.md'),
    html: join(dir, 'report.html'),
  };
  writeFileAtomic(files.result, resultJson(result));
  writeFileAtomic(files.junit, renderJunit(result));
  writeFileAtomic(files.markdown, renderMarkdown(result));
  writeFileAtomic(files.html, renderHtml(result));
  return files;
}
