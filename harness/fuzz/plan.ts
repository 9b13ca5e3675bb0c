import fc from 'fast-check';
import { TARGET_PAGE_SIZE } from '../../src/memory/index.js';
import { RamFlag, RAM_SECTION_IDSTR, RAM_SECTION_VERSION, type PageRecord, type RamRecord, type SectionItem, type ZeroRecord, type StreamModel } from '../../src/migration/index.js';
import type { FuzzSeed } from './seed.js';

/**
 * A valid stream as data: which device sections the source sends and which
 * pages, pass by pass, with what content. Plain JSON of small integers, so
 * fast-check shrinks it and a corpus entry stores it next to the bytes.
 * Every plan over a seed builds a stream its destination accepts: indices
 * are taken modulo what the seed has, so shrinking never leaves the domain.
 */
export interface StreamPlan {
  /** Indices into seed.devices, in send order (QEMU sends any subset it has; unsent devices keep reset state). */
  sections: number[];
  /** Dirty-page passes; the last one is the RAM END section. */
  passes: PageWrite[][];
  /** Append the capture's vmdesc after EOF (QEMU drains it; without one it only warns). */
  vmdesc: boolean;
}

export interface PageWrite {
  /** Index into seed.blocks (mod). */
  block: number;
  /** Page index within the block's used length (mod). */
  page: number;
  /** 0: a zero page (RAM_SAVE_FLAG_ZERO); otherwise a page whose bytes derive from this (RAM_SAVE_FLAG_PAGE). */
  content: number;
}

/** Page indices are drawn from [0, PAGE_LOW] or [0, PAGE_ANY], half and half (see pageWriteArb). */
const PAGE_LOW = 15;
const PAGE_ANY = 1 << 20;

export function pageWriteArb(): fc.Arbitrary<PageWrite> {
  return fc.record({
    block: fc.nat({ max: 31 }),
    // Bias to low pages: most blocks are small, and shrinking heads to page 0.
    page: fc.oneof(fc.nat({ max: PAGE_LOW }), fc.nat({ max: PAGE_ANY })),
    content: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 })),
  });
}

/**
 * Plans over a seed. Device sections are drawn by index; large sections
 * (e.g. ICH9LPC's 18 KB) make a load tens of times slower, so the default
 * draws at most a few.
 */
export interface PlanOptions {
  maxSections?: number;
  maxPages?: number;
  vmdesc?: boolean;
}

export function streamPlanArb(seed: FuzzSeed, o: PlanOptions = {}): fc.Arbitrary<StreamPlan> {
  const n = Math.max(1, seed.devices.length);
  return fc.record({
    // The unmapper lets fast-check shrink a plan it did not generate itself (drawPlan's): a sorted list is its own source.
    sections: fc.uniqueArray(fc.nat({ max: n - 1 }), { maxLength: o.maxSections ?? 3 }).map(
      (xs) => xs.sort((a, b) => a - b),
      (v) => {
        if (!Array.isArray(v)) throw new TypeError('not a section list');
        return v;
      },
    ),
    passes: fc.array(fc.array(pageWriteArb(), { maxLength: o.maxPages ?? 6 }), { minLength: 1, maxLength: 3 }),
    // Off by default: a vmdesc is ~40 KB of JSON to parse on every load.
    vmdesc: o.vmdesc && seed.base.vmdesc ? fc.boolean() : fc.constant(false),
  });
}

/**
 * fast-check's integer generation (IntegerArbitrary.generate): with
 * probability 1/bias a value within log2 of the range from min (two times
 * in three) or from max. The bias is what sends a mutation's site and
 * variant numbers to the first bytes of a body (a PCI section's version)
 * often enough; drawPlan and the case arbitrary keep it.
 */
export function drawInt(mrng: fc.Random, min: number, max: number, bias: number | undefined): number {
  if (bias === undefined || min === max || mrng.nextInt(1, bias) !== 1) return mrng.nextInt(min, max);
  const gap = Math.floor(Math.log(max - min) / Math.log(2));
  return mrng.nextInt(-2, 0) < 0 ? mrng.nextInt(min, min + gap) : mrng.nextInt(max - gap, max);
}

/** fast-check's array length (ArrayArbitrary.generate), and the bias its items get. */
function drawLength(mrng: fc.Random, min: number, max: number, bias: number | undefined): { n: number; itemBias: number | undefined } {
  if (bias === undefined || mrng.nextInt(1, bias) !== 1) return { n: mrng.nextInt(min, max), itemBias: undefined };
  if (mrng.nextInt(1, bias) !== 1) return { n: mrng.nextInt(min, max), itemBias: bias };
  const biasedMax = min === max ? min : min + Math.floor(Math.log(max - min) / Math.log(2));
  return { n: drawInt(mrng, min, biasedMax, bias), itemBias: bias };
}

/**
 * A plan drawn straight from fast-check's random source, in the shapes,
 * ranges and biases of streamPlanArb: what the campaign's arbitrary
 * generates with, at a fraction of the cost of composing fast-check
 * arbitraries per page write. streamPlanArb still shrinks the plans (every
 * drawn plan is one of its values).
 */
export function drawPlan(mrng: fc.Random, seed: FuzzSeed, o: PlanOptions = {}, bias?: number): StreamPlan {
  const n = Math.max(1, seed.devices.length);
  const sections: number[] = [];
  const want = drawLength(mrng, 0, Math.min(o.maxSections ?? 3, n), bias);
  // uniqueArray: draws until it has as many distinct indices (or gives up after a run of repeats).
  for (let misses = 0; sections.length < want.n && misses < 3; ) {
    const i = drawInt(mrng, 0, n - 1, want.itemBias);
    if (sections.includes(i)) misses++;
    else {
      sections.push(i);
      misses = 0;
    }
  }
  sections.sort((a, b) => a - b);
  const passes: PageWrite[][] = [];
  const passCount = drawLength(mrng, 1, 3, bias);
  for (let p = passCount.n; p > 0; p--) {
    const pass: PageWrite[] = [];
    const writes = drawLength(mrng, 0, o.maxPages ?? 6, passCount.itemBias);
    for (let k = writes.n; k > 0; k--) {
      const b = writes.itemBias;
      const block = drawInt(mrng, 0, 31, b);
      const page = drawInt(mrng, 0, mrng.nextBoolean() ? PAGE_LOW : PAGE_ANY, b);
      const content = mrng.nextBoolean() ? 0 : drawInt(mrng, 1, 255, b);
      pass.push({ block, page, content });
    }
    passes.push(pass);
  }
  return { sections, passes, vmdesc: o.vmdesc === true && seed.base.vmdesc !== undefined && mrng.nextBoolean() };
}

/** 31 * 223 = 6913 = 27 * 256 + 1: the inverse of 31 modulo 256. */
const INV31 = 223;
/** Per content byte c: (31j) & 0xff for j < 4096 + 256, with c for its zeros (one in 256). Built on first use. */
const periods: (Uint8Array | undefined)[] = [];

function periodOf(c: number): Uint8Array {
  let buf = periods[c];
  if (!buf) {
    buf = new Uint8Array(TARGET_PAGE_SIZE + 256);
    for (let j = 0; j < buf.length; j++) buf[j] = (31 * j) & 0xff || c;
    periods[c] = buf;
  }
  return buf;
}

/**
 * The bytes of a non-zero page: byte i is (c + page + 31i) & 0xff, or c
 * where that is 0 (never all zero). Since 31 is invertible modulo 256 this
 * is the sequence (31j) & 0xff from j0 = (c + page) * 223 mod 256 on, so a
 * page is a view into one buffer per content byte: no allocation per page
 * (pages are never mutated in place, see src/memory/pages.ts).
 */
export function pageBytes(content: number, page: number): Uint8Array {
  const c = content & 0xff || 1;
  const j0 = (((c + page) & 0xff) * INV31) & 0xff;
  return periodOf(c).subarray(j0, j0 + TARGET_PAGE_SIZE);
}

/** The stream a source of the seed's machine would write for this plan (QEMU 7.2's order and encodings). */
export function buildFromPlan(seed: FuzzSeed, plan: StreamPlan): StreamModel {
  const items: SectionItem[] = [];
  addRamSections(items, seed, plan);
  for (const i of plan.sections) {
    const d = seed.devices[i % Math.max(1, seed.devices.length)];
    if (d) items.push(d);
  }
  const model: StreamModel = { version: seed.base.version, items, eofOffset: 0 };
  if (seed.base.configuration) model.configuration = seed.base.configuration;
  if (plan.vmdesc && seed.base.vmdesc) model.vmdesc = seed.base.vmdesc;
  return model;
}

function footers(seed: FuzzSeed): boolean {
  return seed.profile.sendSectionFooter;
}

function ramSection(seed: FuzzSeed, type: SectionItem['type'], records: RamRecord[]): SectionItem {
  return {
    kind: 'section',
    type,
    offset: 0,
    sectionId: seed.ramSectionId,
    idstr: RAM_SECTION_IDSTR,
    instanceId: 0,
    versionId: RAM_SECTION_VERSION,
    bodyOffset: 0,
    body: { kind: 'ram', records },
    footer: footers(seed),
    end: 0,
  };
}

/** The RAM START section (MEM_SIZE list of every migratable block, EOS): the same for every plan of a seed. */
const startCache = new WeakMap<FuzzSeed, SectionItem>();

function ramStart(seed: FuzzSeed): SectionItem {
  let s = startCache.get(seed);
  if (!s) {
    const total = seed.blocks.reduce((n, b) => n + BigInt(b.usedLength), 0n);
    const memSize: RamRecord = {
      type: 'mem-size',
      offset: 0,
      flags: RamFlag.MEM_SIZE,
      addr: total,
      blocks: seed.blocks.map((b) => ({ idstr: b.idstr, length: BigInt(b.usedLength) })),
    };
    s = ramSection(seed, 'start', [memSize, eos()]);
    startCache.set(seed, s);
  }
  return s;
}

/** The RAM START, then a PART per pass and the END, into `items` (plain loops: this runs for every case). */
function addRamSections(items: SectionItem[], seed: FuzzSeed, plan: StreamPlan): void {
  if (seed.blocks.length === 0) return;
  items.push(ramStart(seed));
  const last: { block?: string } = {};
  const passes = plan.passes;
  for (let i = 0; i < passes.length; i++) {
    const pass = passes[i]!;
    const records: RamRecord[] = [];
    for (let k = 0; k < pass.length; k++) records.push(pageRecord(seed, pass[k]!, last));
    records.push(eos());
    items.push(ramSection(seed, i === passes.length - 1 ? 'end' : 'part', records));
  }
}

function eos(): RamRecord {
  return { type: 'eos', offset: 0, flags: RamFlag.EOS, addr: 0n };
}

/** save_page_header: the idstr only when the block changes, else CONTINUE. */
function pageRecord(seed: FuzzSeed, w: PageWrite, last: { block?: string }): RamRecord {
  const b = seed.blocks[w.block % seed.blocks.length]!;
  const index = w.page % Math.max(1, b.pages);
  const cont = last.block === b.idstr;
  last.block = b.idstr;
  const addr = BigInt(index * TARGET_PAGE_SIZE);
  const flags = cont ? RamFlag.CONTINUE : 0;
  // One object shape per record kind (no spreads): `block` only when the record names it.
  const rec: ZeroRecord | PageRecord =
    w.content === 0
      ? { type: 'zero', offset: 0, addr, blockResolved: b.idstr, flags: RamFlag.ZERO | flags, fill: 0 }
      : { type: 'page', offset: 0, addr, blockResolved: b.idstr, flags: RamFlag.PAGE | flags, data: pageBytes(w.content, index) };
  if (!cont) rec.block = b.idstr;
  return rec;
}

