import { TARGET_PAGE_SIZE } from '../../src/memory/index.js';
import { encodeStream, type ConfigurationSection, type RamRecord, type SectionItem, type StreamItem, type StreamModel } from '../../src/migration/index.js';

/**
 * A stream's bytes with the boundaries a mutator aims at: the header (magic,
 * version, configuration), each item, the tail (EOF, vmdesc, trailing). Each
 * piece is encoded on its own with the codec's encoder, so the offsets are
 * exact without re-parsing, and a byte patch lands on the field it names.
 */
export interface Chunk {
  kind: 'header' | 'item' | 'tail';
  /** Index into model.items for an item chunk. */
  item?: number;
  start: number;
  length: number;
}

export interface StreamLayout {
  bytes: Uint8Array;
  chunks: Chunk[];
}

const EMPTY: StreamItem[] = [];

/**
 * The stream encoded once, its chunks measured: an item's length is its
 * header, body and footer as the encoder writes them (lengths below). A
 * device section saved from its state (no bytes) has no length short of
 * encoding it: such a model is laid out piece by piece.
 */
export function layoutStream(model: StreamModel): StreamLayout {
  const lengths: number[] = [];
  for (const item of model.items) {
    const n = itemLength(item);
    if (n === undefined) return layoutByPieces(model);
    lengths.push(n);
  }
  const header = headerLength(model);
  const bytes = encodeStream(model);
  const chunks: Chunk[] = [{ kind: 'header', start: 0, length: header }];
  let at = header;
  lengths.forEach((length, i) => {
    chunks.push({ kind: 'item', item: i, start: at, length });
    at += length;
  });
  // The tail as encodeStream writes it: EOF, the vmdesc (type, be32 length, JSON), trailing bytes.
  const tail = (model.eofOffset !== undefined || model.vmdesc || model.trailing ? 1 : 0) + (model.vmdesc ? 5 + model.vmdesc.raw.length : 0) + (model.trailing?.length ?? 0);
  if (at + tail !== bytes.length) return layoutByPieces(model);
  chunks.push({ kind: 'tail', start: at, length: tail });
  return { bytes, chunks };
}

/** Header lengths by configuration section (the seed's is shared by every case). */
const headerLengths = new WeakMap<ConfigurationSection, number>();

/** Magic, version and the configuration section as encodeStream writes them. */
function headerLength(model: StreamModel): number {
  const configuration = model.configuration;
  if (!configuration) return 8;
  let n = headerLengths.get(configuration);
  if (n === undefined) {
    n = encodeStream({ version: model.version, items: EMPTY, configuration }).length;
    headerLengths.set(configuration, n);
  }
  return n;
}

/** Encoded length of one item, when it follows from the item (a body with bytes or records). */
function itemLength(item: StreamItem): number | undefined {
  if (item.kind === 'command') return 1 + 2 + 2 + item.data.length;
  const body = item.body;
  let n: number;
  // A page record writes its data as it is (a mutator may have cut it).
  if (body.kind === 'ram') n = body.records.reduce((sum, rec) => sum + (rec.type === 'page' ? ramRecordLength(rec) - TARGET_PAGE_SIZE + rec.data.length : ramRecordLength(rec)), 0);
  else if (body.bytes) n = body.bytes.length;
  else return undefined;
  return sectionHeaderLength(item) + n + (item.footer ? 5 : 0);
}

/** Each piece encoded on its own and concatenated (the reference layoutStream's lengths are checked against). */
export function layoutByPieces(model: StreamModel): StreamLayout {
  const header = encodeStream({ version: model.version, items: EMPTY, ...(model.configuration ? { configuration: model.configuration } : {}) });
  const pieces: Uint8Array[] = [header];
  const chunks: Chunk[] = [{ kind: 'header', start: 0, length: header.length }];
  let at = header.length;
  model.items.forEach((item, i) => {
    const b = encodeStream({ version: model.version, items: [item] }).subarray(8);
    pieces.push(b);
    chunks.push({ kind: 'item', item: i, start: at, length: b.length });
    at += b.length;
  });
  const tailModel: StreamModel = { version: model.version, items: EMPTY };
  if (model.eofOffset !== undefined) tailModel.eofOffset = 0;
  if (model.vmdesc) tailModel.vmdesc = model.vmdesc;
  if (model.trailing) tailModel.trailing = model.trailing;
  const tail = encodeStream(tailModel).subarray(8);
  pieces.push(tail);
  chunks.push({ kind: 'tail', start: at, length: tail.length });
  const bytes = new Uint8Array(at + tail.length);
  let o = 0;
  for (const p of pieces) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, chunks };
}

/** Length of a section header on the wire (savevm.c save_section_header). */
export function sectionHeaderLength(s: SectionItem): number {
  return s.type === 'start' || s.type === 'full' ? 1 + 4 + 1 + s.idstr.length + 4 + 4 : 1 + 4;
}

/** Encoded length of one RAM record (ram-records.ts writeRamRecords). */
export function ramRecordLength(rec: RamRecord): number {
  const name = (n: string | undefined) => (n === undefined ? 0 : 1 + n.length);
  switch (rec.type) {
    case 'mem-size':
      return 8 + rec.blocks.reduce((n, b) => n + 1 + b.idstr.length + 8 + (b.pageSize !== undefined ? 8 : 0) + (b.gpa !== undefined ? 8 : 0), 0);
    case 'zero':
      return 8 + name(rec.block) + 1 + 9 * ((rec.run ?? 1) - 1);
    case 'page':
      return 8 + name(rec.block) + TARGET_PAGE_SIZE;
    case 'eos':
      return 8;
  }
}

/**
 * Every structural boundary of a laid-out stream: chunk starts, section
 * body starts, each RAM record start, footers, and the end. Truncation at
 * each of these is a hazard of its own (the reader must refuse, never read on).
 */
export function boundaries(model: StreamModel, lay: StreamLayout): number[] {
  const out = new Set<number>([0, 4, 8, lay.bytes.length]);
  for (const c of lay.chunks) {
    out.add(c.start);
    if (c.kind !== 'item' || c.item === undefined) continue;
    const item = model.items[c.item];
    if (!item || item.kind !== 'section') continue;
    let at = c.start + sectionHeaderLength(item);
    out.add(at);
    if (item.body.kind === 'ram') {
      for (const rec of item.body.records) {
        at += ramRecordLength(rec);
        out.add(at);
      }
    }
    if (item.footer) out.add(c.start + c.length - 5);
  }
  return [...out].filter((x) => x <= lay.bytes.length).sort((a, b) => a - b);
}
