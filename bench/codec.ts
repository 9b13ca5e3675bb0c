import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureStream } from '../harness/targets/index.js';
import { packageRoot } from '../harness/corpus/package-root.js';
import type { Figure } from './report.js';
import { writePageHeavyStream } from './synthetic-stream.js';

const QEMU = process.env.MIGCOMPAT_QEMU ?? '/usr/bin/qemu-system-x86_64';
const GiB = 1 << 30;

interface CaseResult {
  case: string;
  bytes?: number;
  mbPerSecond?: number;
  maxRssBytes: number;
  peakGrowthBytes: number;
  rssGrowthBytes?: number;
  verdict?: string;
}

/** Runs one case in a fresh process so its maxRSS is its own. */
function runCase(name: string, file?: string): CaseResult {
  const script = join(packageRoot(), 'dist', 'bench', 'codec-case.js');
  const args = ['--max-old-space-size=8192', script, name, ...(file ? [file] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 })) as CaseResult;
}

function workDir(): string {
  const dir = join(packageRoot(), '.tmp', 'bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The 1 GiB all-pages-non-zero stream, made once and reused. */
function pageHeavyFile(): string {
  const file = join(workDir(), 'page-heavy-1g.bin');
  if (!existsSync(file)) writePageHeavyStream(file, GiB);
  return file;
}

/** A real 4 GiB pc-q35-7.2 capture (needs QEMU; made once and reused). */
async function realFourGigFile(): Promise<string | undefined> {
  const file = join(workDir(), 'pc-q35-7.2-4G.bin');
  if (existsSync(file)) return file;
  if (!existsSync(QEMU)) return undefined;
  const cap = await captureStream(QEMU, { machine: 'pc-q35-7.2', ram: '4G' }, { timeoutMs: 180_000 });
  writeFileSync(file, cap.stream);
  return file;
}

function throughputFigures(label: string, file: string): Figure[] {
  const size = statSync(file).size;
  const parse = runCase('parse', file);
  const rewrite = runCase('rewrite', file);
  const page = label.includes('1 GiB');
  return [
    {
      name: `parse ${label}`,
      value: round(parse.mbPerSecond!),
      unit: 'MB/s',
      ...(page ? { target: '>= 1000 MB/s', met: parse.mbPerSecond! >= 1000 } : {}),
      detail: { bytes: size },
    },
    {
      // Growth over the bare node process (~45 MB), which no stream size can
      // be compared with; the absolute maxRSS is in the detail.
      name: `parse peak RSS growth / stream size, ${label}`,
      value: round(parse.peakGrowthBytes / size),
      unit: 'x',
      target: '< 2x',
      met: parse.peakGrowthBytes < 2 * size,
      detail: { maxRssBytes: parse.maxRssBytes, peakGrowthBytes: parse.peakGrowthBytes, bytes: size },
    },
    { name: `rewrite (parse + encode) ${label}`, value: round(rewrite.mbPerSecond!), unit: 'MB/s', detail: { bytes: size } },
    {
      name: `rewrite peak RSS growth / stream size, ${label}`,
      value: round(rewrite.peakGrowthBytes / size),
      unit: 'x',
      detail: { maxRssBytes: rewrite.maxRssBytes, peakGrowthBytes: rewrite.peakGrowthBytes, bytes: size, note: 'holds the input and the re-encoded output at once' },
    },
  ];
}

function hostileFigure(name: string, label: string): Figure {
  const r = runCase(name);
  const mb = r.rssGrowthBytes! / (1 << 20);
  return { name: `RSS growth refusing ${label}`, value: round(mb), unit: 'MiB', target: '< 50 MiB', met: mb < 50, detail: { verdict: r.verdict } };
}

export async function codecBench(): Promise<Figure[]> {
  const figures: Figure[] = [];
  figures.push(...throughputFigures('1 GiB synthetic, every page non-zero', pageHeavyFile()));
  const real = await realFourGigFile();
  if (real) figures.push(...throughputFigures('real QEMU 7.2 pc-q35-7.2 -m 4G capture', real));
  else figures.push({ name: 'real 4 GiB capture', value: 0, unit: 'skipped', detail: { reason: `no QEMU at ${QEMU}` } });
  figures.push(hostileFigure('hostile-ram', 'a 2^62-byte pc.ram claim'));
  figures.push(hostileFigure('hostile-array', 'a 2^32-element array claim'));
  return figures;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
