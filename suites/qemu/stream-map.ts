import { WireReader, latin1 } from '../../src/wire/index.js';

/**
 * A minimal map of where things are in a real QEMU stream, so the mutations
 * can hit structural boundaries without a full codec.
 *
 * RAM sections are self-describing and walked record by record. Device
 * sections carry no length; for streams with section footers (machine types
 * 2.4+) a section ends at `0x7e <its id>` followed by something that parses as
 * the next section header or EOF, which is unambiguous in practice. Older
 * streams have no footers; there a device section ends where the next
 * plausible FULL header (a later section id, a printable idstr, small
 * instance and version) or the final EOF begins.
 */

export const SECTION = { START: 0x01, PART: 0x02, END: 0x03, FULL: 0x04, VMDESC: 0x06, CONFIG: 0x07, FOOTER: 0x7e, EOF: 0x00 } as const;

const RAM_FLAG = { ZERO: 0x02, MEM_SIZE: 0x04, PAGE: 0x08, EOS: 0x10, CONTINUE: 0x20 } as const;
const PAGE_SIZE = 4096;

export interface RamBlockEntry {
  idstr: string;
  /** Offset of the idstr length byte. */
  nameOffset: number;
  /** Offset of the be64 used_length. */
  lengthOffset: number;
  length: bigint;
}

/** One RAM page record (ZERO or PAGE) in a PART/END section. */
export interface PageRecord {
  /** Offset of the be64 `addr | flags` word. */
  offset: number;
  addr: bigint;
  flags: number;
  /** The block it names, or (CONTINUE) the one named before. */
  block: string;
  /** Offset of the idstr length byte when the record names its block. */
  nameOffset?: number;
  /** One past the record. */
  end: number;
}

export interface SectionEntry {
  type: number;
  id: number;
  /** Offset of the type byte. */
  offset: number;
  /** START/FULL only. */
  name?: string;
  instance?: number;
  version?: number;
  nameOffset?: number;
  versionOffset?: number;
  /** Offset of the 0x7e footer byte; equal to `end` in streams without footers. */
  footerOffset: number;
  /** One past the footer (or the content). */
  end: number;
}

export interface StreamMap {
  version: number;
  /** Machine types 2.4+ end every section with 0x7e <id>. */
  footers: boolean;
  /** One past the version word. */
  headerEnd: number;
  /** One past the configuration section, or undefined if the stream has none. */
  configEnd?: number;
  machine?: string;
  /** Offset of the be64 `total | MEM_SIZE` word in the RAM START section. */
  ramTotalOffset: number;
  ramTotal: bigint;
  ramBlocks: RamBlockEntry[];
  pages: PageRecord[];
  sections: SectionEntry[];
  eofOffset: number;
  /** Offset of the 0x06 VMDESCRIPTION byte, if present. */
  vmdescOffset?: number;
  vmdescLength?: number;
}

export function mapStream(buf: Uint8Array): StreamMap {
  const r = new WireReader(buf);
  if (r.u32() !== 0x5145564d) throw new Error('not a QEVM stream');
  const version = r.u32();
  const map: StreamMap = { version, footers: true, headerEnd: r.pos, ramTotalOffset: -1, ramTotal: 0n, ramBlocks: [], pages: [], sections: [], eofOffset: -1 };
  if (r.peekU8() === SECTION.CONFIG) {
    r.u8();
    const len = r.u32();
    map.machine = latin1(r.bytes(len));
    map.configEnd = r.pos;
  }
  const started = new Map<number, string>();
  for (;;) {
    const offset = r.pos;
    const type = r.u8();
    if (type === SECTION.EOF) {
      map.eofOffset = offset;
      break;
    }
    const entry = readSectionHeader(r, type, offset);
    if (entry.name !== undefined) started.set(entry.id, entry.name);
    const name = entry.name ?? started.get(entry.id);
    if (name === 'ram') {
      readRamContent(r, map, type === SECTION.START);
      if (map.sections.length === 0) map.footers = r.peekU8() === SECTION.FOOTER;
    } else {
      r.pos = map.footers ? findFooter(buf, r.pos, entry.id) : findNextHeader(buf, r.pos, entry.id);
    }
    entry.footerOffset = r.pos;
    if (map.footers && (r.u8() !== SECTION.FOOTER || r.u32() !== entry.id)) {
      throw new Error(`no footer for section ${entry.id} at ${entry.footerOffset}`);
    }
    entry.end = r.pos;
    map.sections.push(entry);
  }
  if (r.peekU8() === SECTION.VMDESC) {
    map.vmdescOffset = r.pos;
    r.u8();
    map.vmdescLength = r.u32();
  }
  return map;
}

function readSectionHeader(r: WireReader, type: number, offset: number): SectionEntry {
  if (type !== SECTION.START && type !== SECTION.PART && type !== SECTION.END && type !== SECTION.FULL) {
    throw new Error(`unexpected section type ${type} at ${offset}`);
  }
  const id = r.u32();
  const entry: SectionEntry = { type, id, offset, footerOffset: -1, end: -1 };
  if (type === SECTION.START || type === SECTION.FULL) {
    entry.nameOffset = r.pos;
    entry.name = r.shortString();
    entry.instance = r.u32();
    entry.versionOffset = r.pos;
    entry.version = r.u32();
  }
  return entry;
}

function readRamContent(r: WireReader, map: StreamMap, isStart: boolean): void {
  for (;;) {
    const at = r.pos;
    const word = r.u64();
    const flags = Number(word & 0xfffn);
    if (flags & RAM_FLAG.EOS) return;
    if (flags & RAM_FLAG.MEM_SIZE) {
      if (!isStart) throw new Error('MEM_SIZE outside the RAM START section');
      map.ramTotalOffset = at;
      map.ramTotal = word & ~0xfffn;
      let left = map.ramTotal;
      while (left > 0n) {
        const nameOffset = r.pos;
        const idstr = r.shortString();
        const lengthOffset = r.pos;
        const length = r.u64();
        map.ramBlocks.push({ idstr, nameOffset, lengthOffset, length });
        left -= length;
      }
      continue;
    }
    const rec: PageRecord = { offset: at, addr: word & ~0xfffn, flags, block: map.pages[map.pages.length - 1]?.block ?? '', end: -1 };
    if (!(flags & RAM_FLAG.CONTINUE)) {
      rec.nameOffset = r.pos;
      rec.block = r.shortString();
    }
    if (flags & RAM_FLAG.ZERO) r.u8();
    else if (flags & RAM_FLAG.PAGE) r.skip(PAGE_SIZE);
    else throw new Error(`unexpected RAM flags 0x${flags.toString(16)} at ${at}`);
    rec.end = r.pos;
    map.pages.push(rec);
  }
}

/** The offset of `0x7e <id>` that is followed by a plausible next section or EOF. */
function findFooter(buf: Uint8Array, from: number, id: number): number {
  for (let i = from; i + 5 <= buf.length; i++) {
    if (buf[i] !== SECTION.FOOTER) continue;
    const v = new DataView(buf.buffer, buf.byteOffset + i + 1, 4).getUint32(0);
    if (v === id && plausibleNext(buf, i + 5)) return i;
  }
  throw new Error(`footer for section ${id} not found after ${from}`);
}

/** Old streams: the next FULL header with a later id, or the EOF byte that ends the stream (or precedes its vmdesc). */
function findNextHeader(buf: Uint8Array, from: number, id: number): number {
  for (let i = from; i < buf.length; i++) {
    const t = buf[i];
    if (t === SECTION.EOF && isFinalEof(buf, i)) return i;
    if (t !== SECTION.FULL || !plausibleNext(buf, i)) continue;
    const v = new DataView(buf.buffer, buf.byteOffset + i + 1);
    const nextId = v.getUint32(0);
    const len = buf[i + 5]!;
    const instance = v.getUint32(5 + len);
    const version = v.getUint32(9 + len);
    if (nextId > id && nextId < id + 64 && instance < 256 && version < 1000) return i;
  }
  throw new Error(`end of section ${id} not found after ${from}`);
}

function isFinalEof(buf: Uint8Array, at: number): boolean {
  if (at + 1 === buf.length) return true;
  if (buf[at + 1] !== SECTION.VMDESC || at + 6 > buf.length) return false;
  const len = new DataView(buf.buffer, buf.byteOffset + at + 2, 4).getUint32(0);
  return at + 6 + len === buf.length;
}

function plausibleNext(buf: Uint8Array, at: number): boolean {
  const t = buf[at];
  if (t === SECTION.EOF) return isFinalEof(buf, at);
  if (t === SECTION.PART || t === SECTION.END) return at + 5 <= buf.length;
  if (t !== SECTION.FULL && t !== SECTION.START) return false;
  const len = buf[at + 5];
  if (len === undefined || len === 0 || at + 6 + len + 8 > buf.length) return false;
  for (let k = 0; k < len; k++) {
    const c = buf[at + 6 + k]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
