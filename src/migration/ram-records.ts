import { LoadError, cString, latin1, type CheckCode, type CheckLog, type WireReader, type WireWriter } from '../wire/index.js';
import { TARGET_PAGE_SIZE, hostPageAlign } from '../memory/index.js';
import { RamFlag, RAM_FLAGS_MASK } from './constants.js';
import type { MemSizeBlock, MemSizeRecord, PageRecord, RamRecord, ZeroRecord } from './model.js';

/**
 * The body of the "ram" section (ram.c, ram_load_precopy in QEMU 7.2): a run
 * of records, each a be64 whose low 12 bits are RAM_SAVE_FLAG_* and whose
 * rest is a page-aligned offset (or, for MEM_SIZE, the total), ending with a
 * record carrying EOS.
 *
 * The checks are QEMU's, in QEMU's order, against a `RamTarget`: the stream's
 * own MEM_SIZE list when parsing, the destination's (staged) blocks when
 * loading. Page payloads are views into the input, never copies.
 */

/** What the record reader asks of the blocks it loads into. */
export interface RamTarget {
  /** qemu_ram_block_by_name; undefined for an unknown block. */
  lookup(idstr: string): RamTargetBlock | undefined;
  /**
   * One MEM_SIZE entry (already read): check and resize, or throw. Called in
   * stream order, before the total is decremented, as QEMU does.
   */
  memSizeEntry(entry: MemSizeBlock, recordOffset: number, entryOffset: number): void;
  zero?(block: string, pageIndex: number, fill: number): void;
  /** The pages of a zero run after its first record; default: `zero` per page. */
  zeroRange?(block: string, firstPage: number, count: number, fill: number): void;
  page?(block: string, pageIndex: number, data: Uint8Array): void;
}

export interface RamTargetBlock {
  /** Current used length in bytes (after any resize by this stream). */
  usedLength: number;
  migratable: boolean;
}

export interface RamReadOptions {
  /**
   * 'qemu': the MEM_SIZE loop runs while the remaining total is non-zero and
   * wraps as a 64-bit ram_addr_t, so a total that disagrees with the list
   * reads on into the next bytes exactly as QEMU 7.2 does (and usually fails
   * there with "Unknown ramblock"). 'strict' (for parsing without a
   * destination): refuse with ram.total-mismatch as soon as the list
   * overruns the total.
   */
  totalMode: 'qemu' | 'strict';
  /** x-ignore-shared on: each MEM_SIZE entry carries the block's GPA. */
  ignoreShared?: boolean;
  log?: CheckLog;
  path: string;
  /** Keep the records (default true); the loader only needs their effect. */
  keep?: boolean;
  /**
   * Refuse a ZERO record whose fill byte is not 0 ("Found a zero page with
   * value %d"), as QEMU releases after 7.2 do; 7.2 fills the page with it.
   */
  refuseNonZeroFill?: boolean;
  /** Checks skipped as if they passed (weakened loaders for the fuzzer's mutation score). */
  disabled?: ReadonlySet<CheckCode>;
}

const U64 = (1n << 64n) - 1n;
const PAGE_RECORD_FLAGS = RamFlag.ZERO | RamFlag.PAGE | RamFlag.COMPRESS_PAGE | RamFlag.XBZRLE;

/** State across the RAM sections of one stream (QEMU's last_recv_block). */
export interface RamReadState {
  lastBlock?: string;
}

function fail(code: LoadError['code'], message: string, offset: number, path: string): never {
  throw new LoadError(code, message, offset, path);
}

/** Reads records up to and including the one with EOS. */
export function readRamRecords(
  r: WireReader,
  target: RamTarget,
  st: RamReadState,
  o: RamReadOptions,
): RamRecord[] {
  const records: RamRecord[] = [];
  const keep = o.keep !== false;
  for (;;) {
    const rec = readRamRecord(r, target, st, o);
    // Runs are folded when loading too: that is the fast path for a fresh guest.
    if (rec.type === 'zero') extendZeroRun(r, target, rec);
    if (keep) records.push(rec);
    if (rec.flags & RamFlag.EOS) return records;
  }
}

const ZERO_CONTINUE_FLAGS = RamFlag.ZERO | RamFlag.CONTINUE;
const ZERO_CONTINUE = BigInt(ZERO_CONTINUE_FLAGS);

/**
 * Folds the CONTINUE|ZERO records that follow a zero record at successive
 * pages with the same fill byte into it (ZeroRecord.run). Each folded page
 * passes the same offset check a record of its own would; the first one that
 * would not is left for the normal path, which refuses it.
 */
function extendZeroRun(r: WireReader, target: RamTarget, rec: ZeroRecord): void {
  const block = target.lookup(rec.blockResolved);
  if (!block) return;
  const buf = r.buf;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const used = block.usedLength;
  const fill = rec.fill;
  // Plain numbers in this loop: it runs once per page of a mostly-zero guest.
  // Addresses below a local used length are far below 2^53.
  let addr = Number(rec.addr) + TARGET_PAGE_SIZE;
  // The expected header word, as two be32 halves kept up to date incrementally.
  let hi = Math.floor(addr / 0x100000000);
  let lo = addr - hi * 0x100000000;
  let pos = r.pos;
  let run = 1;
  // Fill 0: whole chunks of records checked against the table of what they must be.
  if (fill === 0 && addr % TARGET_PAGE_SIZE === 0) {
    const stream = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    let page = addr / TARGET_PAGE_SIZE;
    const lastPage = Math.min(Math.floor((used - 1) / TARGET_PAGE_SIZE), ZERO_TABLE_MAX_PAGES - 1);
    if (page + ZERO_CHUNK_TAIL - 1 <= lastPage) {
      const t = zeroRecordTable(lastPage + 1);
      const table = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
      // Big chunks, then small ones up to the run's last page: a run ends at a page with data, and the
      // record-by-record loop below was paying for up to 63 records at the end of every run.
      for (const chunk of ZERO_CHUNKS) {
        while (page + chunk - 1 <= lastPage && pos + 9 * chunk <= buf.length && stream.compare(table, 9 * page, 9 * (page + chunk), pos, pos + 9 * chunk) === 0) {
          pos += 9 * chunk;
          page += chunk;
          run += chunk;
        }
      }
      addr = page * TARGET_PAGE_SIZE;
      hi = Math.floor(addr / 0x100000000);
      lo = addr - hi * 0x100000000;
    }
  }
  const end = buf.length - 9;
  while (pos <= end && addr < used && buf[pos + 8] === fill) {
    if (view.getUint32(pos + 4) !== (lo | ZERO_CONTINUE_FLAGS) >>> 0 || view.getUint32(pos) !== hi) break;
    pos += 9;
    addr += TARGET_PAGE_SIZE;
    lo += TARGET_PAGE_SIZE;
    if (lo >= 0x100000000) {
      lo -= 0x100000000;
      hi++;
    }
    run++;
  }
  if (run > 1) applyZeroRange(target, rec.blockResolved, Number(rec.addr) / TARGET_PAGE_SIZE + 1, run - 1, fill);
  r.pos = pos;
  if (run > 1) rec.run = run;
}

/** 2^32, and the bound below which a header word's high half keeps its address a safe integer. */
const TWO_32 = 0x100000000;
const SAFE_HI = 0x200000;

function readRamRecord(r: WireReader, target: RamTarget, st: RamReadState, o: RamReadOptions): RamRecord {
  const offset = r.pos;
  // The be64 header word as two halves (r.u64's check and wording): plain-number flags, and the
  // address as a number where it is below 2^53 (always, for a page a destination can hold), so a
  // record costs one bigint (its addr) instead of a handful of bigint operations.
  r.need(8, 'u64');
  const buf = r.buf;
  const hi = ((buf[offset]! << 24) | (buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!) >>> 0;
  const lo = ((buf[offset + 4]! << 24) | (buf[offset + 5]! << 16) | (buf[offset + 6]! << 8) | buf[offset + 7]!) >>> 0;
  r.pos = offset + 8;
  const flags = lo & RAM_FLAGS_MASK;
  const addrLo = lo - flags;
  const addrNum = hi < SAFE_HI ? hi * TWO_32 + addrLo : undefined;
  const addr = addrNum !== undefined ? BigInt(addrNum) : (BigInt(hi) << 32n) | BigInt(addrLo);
  const path = o.path;

  o.log?.reached('ram.unknown-flags');
  if (flags & RamFlag.COMPRESS_PAGE) {
    // Compression is off by default, so QEMU 7.2 treats the flag as invalid.
    fail('ram.unknown-flags', 'Received an unexpected compressed page', offset, path);
  }

  let blockName: string | undefined;
  let resolved: string | undefined;
  let pageIndex = 0;
  if (flags & PAGE_RECORD_FLAGS) {
    ({ blockName, resolved } = readBlockRef(r, target, st, flags, offset, o));
    pageIndex = checkPageOffset(target, resolved, addr, addrNum, offset, o);
  }

  switch (flags & ~RamFlag.CONTINUE) {
    case RamFlag.MEM_SIZE:
      return readMemSize(r, target, addr, flags, offset, o);
    case RamFlag.ZERO: {
      const fill = r.u8();
      // QEMU 7.2 accepts any fill byte (ram_handle_compressed memsets it).
      o.log?.reached('ram.zero-page-nonzero');
      if (fill !== 0 && o.refuseNonZeroFill) fail('ram.zero-page-nonzero', `Found a zero page with value ${fill}`, offset, `${path}/${resolved!}`);
      if (pageIndex >= 0) target.zero?.(resolved!, pageIndex, fill);
      const rec: ZeroRecord = { type: 'zero', offset, flags, addr, blockResolved: resolved!, fill };
      if (blockName !== undefined) rec.block = blockName;
      return rec;
    }
    case RamFlag.PAGE: {
      const data = r.bytes(TARGET_PAGE_SIZE, 'RAM page');
      if (pageIndex >= 0) target.page?.(resolved!, pageIndex, data);
      const rec: PageRecord = { type: 'page', offset, flags, addr, blockResolved: resolved!, data };
      if (blockName !== undefined) rec.block = blockName;
      return rec;
    }
    case RamFlag.EOS:
      return { type: 'eos', offset, flags, addr };
    default:
      if (flags & RamFlag.XBZRLE && (flags & ~(RamFlag.CONTINUE | RamFlag.XBZRLE)) === 0) {
        // QEMU can decode XBZRLE pages; migcompat does not model the cache.
        o.log?.reached('ram.unsupported-encoding');
        fail('ram.unsupported-encoding', `XBZRLE page at ${addr.toString(16)} not supported by migcompat`, offset, path);
      }
      if (flags & RamFlag.HOOK) {
        // Without RDMA, ram_control_load_hook sets -EINVAL on the file and prints nothing.
        o.log?.reached('ram.unsupported-encoding');
        fail('ram.unsupported-encoding', `RAM_SAVE_FLAG_HOOK without an RDMA transport (flags 0x${flags.toString(16)}): Invalid argument`, offset, path);
      }
      fail('ram.unknown-flags', `Unknown combination of migration flags: 0x${flags.toString(16)}`, offset, path);
  }
}

/** ram_block_from_stream: CONTINUE reuses the last block, otherwise an idstr follows. */
function readBlockRef(
  r: WireReader,
  target: RamTarget,
  st: RamReadState,
  flags: number,
  offset: number,
  o: RamReadOptions,
): { blockName: string | undefined; resolved: string } {
  if (flags & RamFlag.CONTINUE) {
    o.log?.reached('ram.continue-without-block');
    if (st.lastBlock === undefined) fail('ram.continue-without-block', 'Ack, bad migration stream!', offset, o.path);
    return { blockName: undefined, resolved: st.lastBlock };
  }
  // ram_block_from_stream: `id[len] = 0`, then qemu_ram_block_by_name (strcmp) and %s in the
  // messages, so the block is the name up to a NUL; the bytes as sent stay in the record.
  const sent = r.shortString('RAM block idstr');
  const name = cString(sent);
  const block = target.lookup(name);
  o.log?.reached('ram.bad-block-name');
  if (!block) fail('ram.bad-block-name', `Can't find block ${name}`, offset, `${o.path}/${name}`);
  o.log?.reached('ram.block-not-migratable');
  if (!block.migratable && !o.disabled?.has('ram.block-not-migratable')) fail('ram.block-not-migratable', `block ${name} should not be migrated !`, offset, `${o.path}/${name}`);
  st.lastBlock = name;
  return { blockName: sent, resolved: name };
}

/** host_from_ram_block_offset: the page must start below used_length (`addrNum`: addr when below 2^53). */
function checkPageOffset(target: RamTarget, block: string, addr: bigint, addrNum: number | undefined, offset: number, o: RamReadOptions): number {
  const b = target.lookup(block);
  o.log?.reached('ram.offset-out-of-range');
  // A used length is at most 2^53 - 1: an address of 2^53 or more is beyond it.
  if (!b || addrNum === undefined || addrNum >= b.usedLength) {
    // Disabled: the page is read but lands nowhere (-1), never out of bounds.
    if (b && o.disabled?.has('ram.offset-out-of-range')) return -1;
    fail('ram.offset-out-of-range', `Illegal RAM offset ${addr.toString(16)}`, offset, `${o.path}/${block}`);
  }
  return addrNum / TARGET_PAGE_SIZE;
}

/** RAM_SAVE_FLAG_MEM_SIZE: the block list, read while the remaining total is non-zero. */
function readMemSize(
  r: WireReader,
  target: RamTarget,
  total: bigint,
  flags: number,
  offset: number,
  o: RamReadOptions,
): MemSizeRecord {
  const blocks: MemSizeBlock[] = [];
  let remaining = total;
  while (remaining !== 0n) {
    const entryOffset = r.pos;
    const sent = latin1(r.bytes(r.u8(), 'RAM block idstr'));
    // ram_load_precopy reads the name as ram_block_from_stream does (`id[len] = 0`, strcmp, %s).
    const idstr = cString(sent);
    const length = r.u64();
    const entry: MemSizeBlock = { idstr: sent, length };
    if (o.ignoreShared) entry.gpa = r.u64();
    target.memSizeEntry(sent === idstr ? entry : { ...entry, idstr }, offset, entryOffset);
    blocks.push(entry);
    o.log?.reached('ram.total-mismatch');
    if (o.totalMode === 'strict' && length > remaining) {
      fail(
        'ram.total-mismatch',
        `RAM block list overruns the MEM_SIZE total 0x${total.toString(16)} at block "${idstr}"`,
        entryOffset,
        `${o.path}/${idstr}`,
      );
    }
    remaining = (remaining - length) & U64;
  }
  return { type: 'mem-size', offset, flags, addr: total, blocks };
}

/** A RamTarget over the stream's own MEM_SIZE list: what parsing checks against. */
export function streamRamTarget(): RamTarget & { blocks: Map<string, RamTargetBlock> } {
  const blocks = new Map<string, RamTargetBlock>();
  return {
    blocks,
    lookup: (idstr) => blocks.get(idstr),
    memSizeEntry(entry) {
      // QEMU resizes the local block to the aligned incoming length, so that
      // is what later page offsets are checked against. A length beyond 2^53
      // cannot be a real block; it is kept as Infinity-free max safe value.
      const aligned = hostPageAlign(entry.length);
      const used = aligned > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(aligned);
      blocks.set(entry.idstr, { usedLength: used, migratable: true });
    },
  };
}

function applyZeroRange(target: RamTarget, block: string, first: number, count: number, fill: number): void {
  if (target.zeroRange) target.zeroRange(block, first, count, fill);
  else if (target.zero) for (let i = first; i < first + count; i++) target.zero(block, i, fill);
}

/** Folds successive CONTINUE|ZERO records into runs (see ZeroRecord.run); lossless for encodeStream. */
export function foldZeroRuns(records: Iterable<RamRecord>): RamRecord[] {
  const out: RamRecord[] = [];
  let last: ZeroRecord | undefined;
  for (const rec of records) {
    if (
      last &&
      rec.type === 'zero' &&
      rec.flags === (RamFlag.ZERO | RamFlag.CONTINUE) &&
      rec.fill === last.fill &&
      rec.addr === last.addr + BigInt((last.run ?? 1) * TARGET_PAGE_SIZE)
    ) {
      last.run = (last.run ?? 1) + 1;
      continue;
    }
    out.push(rec);
    last = rec.type === 'zero' ? rec : undefined;
  }
  return out;
}

/** Writes records exactly as they were read (flags, idstr presence, payloads). */
export function writeRamRecords(w: WireWriter, records: RamRecord[]): void {
  for (const rec of records) {
    writeHeaderWord(w, rec.addr, rec.flags);
    switch (rec.type) {
      case 'mem-size':
        for (const b of rec.blocks) {
          w.shortString(b.idstr);
          w.u64(b.length);
          if (b.pageSize !== undefined) w.u64(b.pageSize);
          if (b.gpa !== undefined) w.u64(b.gpa);
        }
        break;
      case 'zero':
        if (rec.block !== undefined) w.shortString(rec.block);
        w.u8(rec.fill);
        writeZeroRunTail(w, rec);
        break;
      case 'page':
        if (rec.block !== undefined) w.shortString(rec.block);
        w.bytes(rec.data);
        break;
      case 'eos':
        break;
    }
  }
}

const SAFE_ADDR = 1n << 53n;

/** be64 `addr | flags`; as two be32 halves computed with numbers when addr is below 2^53 (every real record). */
function writeHeaderWord(w: WireWriter, addr: bigint, flags: number): void {
  if (addr < 0n || addr >= SAFE_ADDR || !(flags >= 0 && flags <= 0xffffffff && Number.isInteger(flags))) {
    w.u64(addr | BigInt(flags));
    return;
  }
  const n = Number(addr);
  const hi = Math.floor(n / TWO_32);
  w.u32(hi).u32(((n - hi * TWO_32) | flags) >>> 0);
}

/** The records a zero run stands for after its first, with plain-number arithmetic (one per page). */
function writeZeroRunTail(w: WireWriter, rec: ZeroRecord): void {
  const run = rec.run ?? 1;
  if (run <= 1) return;
  const first = Number(rec.addr) / TARGET_PAGE_SIZE + 1;
  const fill = rec.fill & 0xff;
  // The records of fill-0 runs are slices of one table: record k of it is
  // the CONTINUE|ZERO record of page k (static bytes, a 64 MiB guest's first
  // pass is 16383 of them).
  if (fill === 0 && Number.isInteger(first) && first + run - 1 <= ZERO_TABLE_MAX_PAGES) {
    w.bytes(zeroRecordTable(first + run - 1).subarray(9 * first, 9 * (first + run - 1)));
    return;
  }
  const out = new Uint8Array(9 * (run - 1));
  layOutZeroRecords(out, first, run - 1, fill);
  w.bytes(out);
}

/** `count` CONTINUE|ZERO records from page `first` on, with `fill`, into `out` (9 bytes each). */
function layOutZeroRecords(out: Uint8Array, first: number, count: number, fill: number): void {
  const addr = first * TARGET_PAGE_SIZE;
  let hi = Math.floor(addr / 0x100000000);
  let lo = addr - hi * 0x100000000;
  for (let k = 0, at = 0; k < count; k++, at += 9) {
    const low = (lo | ZERO_CONTINUE_FLAGS) >>> 0;
    out[at] = hi >>> 24;
    out[at + 1] = (hi >>> 16) & 0xff;
    out[at + 2] = (hi >>> 8) & 0xff;
    out[at + 3] = hi & 0xff;
    out[at + 4] = low >>> 24;
    out[at + 5] = (low >>> 16) & 0xff;
    out[at + 6] = (low >>> 8) & 0xff;
    out[at + 7] = low & 0xff;
    out[at + 8] = fill;
    lo += TARGET_PAGE_SIZE;
    if (lo >= 0x100000000) {
      lo -= 0x100000000;
      hi++;
    }
  }
}

/** Records compared at once against the table when folding a zero run on load. */
const ZERO_CHUNK = 64;
/** The chunk the end of a run is matched in. */
const ZERO_CHUNK_TAIL = 8;
const ZERO_CHUNKS = [ZERO_CHUNK, ZERO_CHUNK_TAIL] as const;

/** Pages the zero-record table covers at most (1 GiB of guest RAM: 2.4 MiB of table). */
const ZERO_TABLE_MAX_PAGES = 1 << 18;
let zeroTable = new Uint8Array(0);

/** The table of fill-0 CONTINUE|ZERO records for pages [0, pages) at least (grown by doubling). */
function zeroRecordTable(pages: number): Uint8Array {
  if (zeroTable.length < 9 * pages) {
    let n = Math.max(4096, zeroTable.length / 9);
    while (n < pages) n *= 2;
    n = Math.min(n, ZERO_TABLE_MAX_PAGES);
    const next = new Uint8Array(9 * n);
    layOutZeroRecords(next, 0, n, 0);
    zeroTable = next;
  }
  return zeroTable;
}

/** Exact encoded size of records, so the writer never grows (and never over-allocates). */
export function ramRecordsSize(records: RamRecord[]): number {
  let n = 0;
  for (const rec of records) {
    n += 8;
    switch (rec.type) {
      case 'mem-size':
        for (const b of rec.blocks) n += 1 + b.idstr.length + 8 + (b.pageSize !== undefined ? 8 : 0) + (b.gpa !== undefined ? 8 : 0);
        break;
      case 'zero':
        n += (rec.block !== undefined ? 1 + rec.block.length : 0) + 1 + 9 * ((rec.run ?? 1) - 1);
        break;
      case 'page':
        n += (rec.block !== undefined ? 1 + rec.block.length : 0) + rec.data.length;
        break;
      case 'eos':
        break;
    }
  }
  return n;
}
