/**
 * One codec measurement in its own process, so its peak RSS (maxRSS) is its
 * own: `node dist/bench/codec-case.js <case> [file]` prints one JSON object.
 */
import { readFileSync } from 'node:fs';
import { encodeStream, loadStream, parseStream, RamFlag, SectionType, QEMU_VM_FILE_MAGIC } from '../src/migration/index.js';
import { loadVMState, type VMStateDescription } from '../src/vmstate/index.js';
import { LoadError, WireReader, WireWriter } from '../src/wire/index.js';
import { corpusDestination, corpusEntry } from '../harness/corpus/qemu-corpus.js';

interface CaseResult {
  case: string;
  bytes?: number;
  seconds?: number;
  mbPerSecond?: number;
  iterations?: number;
  maxRssBytes: number;
  /** maxRSS above the bare process: what the stream and its model cost. */
  peakGrowthBytes: number;
  rssGrowthBytes?: number;
  verdict?: string;
}

const MB = 1e6;
/** RSS of the bare process (node, modules) before any stream is read. */
const BASELINE_RSS = process.memoryUsage().rss;

function maxRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function peaks(): { maxRssBytes: number; peakGrowthBytes: number } {
  const max = maxRss();
  return { maxRssBytes: max, peakGrowthBytes: max - BASELINE_RSS };
}

/** Repeats `fn` for at least `minSeconds` (and at least once); returns seconds per iteration. */
function timeIt(fn: () => void, minSeconds: number): { perIteration: number; iterations: number } {
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    fn();
    iterations++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < minSeconds);
  return { perIteration: elapsed / iterations, iterations };
}

function readInput(file: string): Uint8Array {
  const b = readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function parseCase(file: string): CaseResult {
  const bytes = readInput(file);
  // Peak memory first, from one parse whose model stays alive, before the
  // timing loop leaves garbage around that a GC would reclaim anyway.
  const model = parseStream(bytes);
  const memory = peaks();
  if (model.items.length === 0) throw new Error('parsed nothing');
  let items = 0;
  const t = timeIt(() => {
    items = parseStream(bytes).items.length;
  }, 3);
  if (items === 0) throw new Error('parsed nothing');
  return { case: 'parse', bytes: bytes.length, seconds: t.perIteration, mbPerSecond: bytes.length / MB / t.perIteration, iterations: t.iterations, ...memory };
}

function rewriteCase(file: string): CaseResult {
  const bytes = readInput(file);
  const once = encodeStream(parseStream(bytes));
  const memory = peaks();
  let out: Uint8Array = once;
  const t = timeIt(() => {
    out = encodeStream(parseStream(bytes));
  }, 3);
  if (Buffer.compare(Buffer.from(out.buffer, out.byteOffset, out.byteLength), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) !== 0) {
    throw new Error('rewrite is not byte-identical');
  }
  return { case: 'rewrite', bytes: bytes.length, seconds: t.perIteration, mbPerSecond: bytes.length / MB / t.perIteration, iterations: t.iterations, ...memory };
}

/**
 * A pc-q35-7.2 stream whose MEM_SIZE list claims pc.ram is 2^62 bytes
 * (total adjusted to match), loaded into the real machine's profile: the
 * destination must refuse it from the header alone.
 */
function hostileRamCase(): CaseResult {
  const w = new WireWriter();
  const huge = 1n << 62n;
  w.u32(QEMU_VM_FILE_MAGIC).u32(3).u8(SectionType.CONFIGURATION).u32(10);
  for (const c of 'pc-q35-7.2') w.u8(c.charCodeAt(0));
  w.u8(SectionType.START).u32(2).shortString('ram').u32(0).u32(4);
  w.u64(huge | BigInt(RamFlag.MEM_SIZE)).shortString('pc.ram').u64(huge);
  w.u64(RamFlag.EOS).u8(SectionType.FOOTER).u32(2).u8(SectionType.EOF);
  const dest = corpusDestination(corpusEntry('pc-q35-7.2'));
  const before = process.memoryUsage().rss;
  const verdict = loadStream(w.finish(), dest);
  const growth = process.memoryUsage().rss - before;
  if (verdict.accepted) throw new Error('a 2^62-byte pc.ram was accepted');
  return { case: 'hostile-ram-2^62', ...peaks(), rssGrowthBytes: growth, verdict: `${verdict.error.code}: ${verdict.error.message}` };
}

/** A variable array whose count field says 2^32-1 elements of 8 bytes, in a 12-byte body. */
function hostileArrayCase(): CaseResult {
  const vmsd: VMStateDescription = {
    name: 'hostile',
    version_id: 1,
    minimum_version_id: 1,
    fields: [
      { name: 'count', kind: 'int', type: 'uint32' },
      // An honest local bound would be small; the point here is the engine
      // must not allocate from the count even when the bound is huge.
      { name: 'entries', kind: 'varray', of: { kind: 'int', type: 'uint64' }, countField: 'count', max: 0xffffffff },
    ],
  };
  const body = new WireWriter().u32(0xffffffff).u64(1n).finish();
  const before = process.memoryUsage().rss;
  let verdict = 'accepted';
  try {
    loadVMState(new WireReader(body), vmsd, 1, {});
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    verdict = `${e.code}: ${e.message}`;
  }
  const growth = process.memoryUsage().rss - before;
  if (verdict === 'accepted') throw new Error('a 2^32-element array was accepted');
  return { case: 'hostile-array-2^32', ...peaks(), rssGrowthBytes: growth, verdict };
}

const [, , name, file] = process.argv;
const cases: Record<string, () => CaseResult> = {
  parse: () => parseCase(file!),
  rewrite: () => rewriteCase(file!),
  'hostile-ram': hostileRamCase,
  'hostile-array': hostileArrayCase,
};
const run = cases[name ?? ''];
if (!run) {
  process.stderr.write(`usage: codec-case.js ${Object.keys(cases).join('|')} [file]\n`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(run()) + '\n');
