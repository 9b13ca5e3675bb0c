import { TARGET_PAGE_SIZE } from '../../../src/memory/index.js';
import { encodeStream, RamFlag, type MemSizeBlock, type RamRecord, type StreamModel } from '../../../src/migration/index.js';
import type { FuzzSeed, SeedBlock } from '../seed.js';
import { memSizeSite, ramRecords, replaceItem, replaceRecord, sectionIndices, U64, type RecordSite } from './model-edit.js';
import { pick, type Expectation, type Mutated, type Mutator } from './types.js';

/**
 * RAM hazards (migration/ram.c ram_load_precopy, softmmu/physmem.c
 * qemu_ram_resize in QEMU 7.2), the ones seeds 000/004 argue about:
 * lengths against used/max length, the MEM_SIZE total, page offsets,
 * block names and flag combinations.
 */

const PAGE = BigInt(TARGET_PAGE_SIZE);

function out(model: StreamModel, note: string, expect: Expectation): Mutated {
  return { bytes: encodeStream(model), note, expect };
}

/** Replaces MEM_SIZE entry `i`'s length and keeps the total consistent (total - old + new, mod 2^64). */
function setEntryLength(model: StreamModel, i: number, length: bigint): StreamModel | undefined {
  const site = memSizeSite(model);
  const entry = site?.rec.blocks[i];
  if (!site || !entry) return undefined;
  const blocks = site.rec.blocks.slice();
  blocks[i] = { ...entry, length };
  const addr = (site.rec.addr - entry.length + length) & U64;
  return replaceRecord(model, site, [{ ...site.rec, blocks, addr }]);
}

function entryIndex(model: StreamModel, seed: FuzzSeed, pred: (b: SeedBlock) => boolean, a: number): { i: number; block: SeedBlock } | undefined {
  const site = memSizeSite(model);
  if (!site) return undefined;
  const candidates = site.rec.blocks
    .map((e, i) => ({ i, block: seed.blocks.find((b) => b.idstr === e.idstr) }))
    .filter((x): x is { i: number; block: SeedBlock } => x.block !== undefined && pred(x.block));
  return pick(candidates, a);
}

/**
 * qemu_ram_resize aligns the incoming length up to a host page, then refuses
 * "Size too large" when it exceeds max_length; exactly max_length is fine.
 */
const usedAboveMax: Mutator = {
  name: 'ram.used-above-max',
  hazard: 'resizeable block: used_length above max_length, exactly max_length, one page over, 2^63',
  aims: ['ram.length-too-large'],
  apply({ seed, model }, a, b) {
    const hit = entryIndex(model, seed, (x) => x.resizeable, a);
    if (!hit) return undefined;
    const max = BigInt(hit.block.maxLength);
    const variants: [bigint, Expectation][] = [
      [max, 'accepted'],
      // An unaligned length cannot keep the total consistent: the total shares its
      // word with the flags, so max + 1 also sets flag bit 0. Some refusal.
      [max + 1n, 'refused'],
      [max + PAGE, 'ram.length-too-large'],
      [1n << 63n, 'ram.length-too-large'],
      // Aligned already, but the consistent total wraps mod 2^64 (total - used - 4096): the
      // MEM_SIZE loop may end before this entry when the blocks after it sum to one page.
      [U64 - PAGE + 1n, 'refused'],
    ];
    const [len, expect] = variants[b % variants.length]!;
    const m = setEntryLength(model, hit.i, len);
    return m && out(m, `${hit.block.idstr} MEM_SIZE length 0x${len.toString(16)} (max 0x${max.toString(16)})`, expect);
  },
};

/** A block that is not RAM_RESIZEABLE must arrive with its own length: "Size mismatch". */
const fixedResized: Mutator = {
  name: 'ram.fixed-resized',
  hazard: 'a non-resizeable block resized',
  aims: ['ram.size-mismatch'],
  apply({ seed, model }, a, b) {
    const hit = entryIndex(model, seed, (x) => !x.resizeable, a);
    if (!hit) return undefined;
    const used = BigInt(hit.block.usedLength);
    const variants = [used + PAGE, used - PAGE, used * 2n, used + 1n, 0n];
    const len = variants[b % variants.length]!;
    if (len < 0n) return undefined;
    const m = setEntryLength(model, hit.i, len);
    // used + 1 puts bit 0 into the total's flag bits (see used-above-max): some refusal.
    // 0: when the block is the list's last, the consistent total reaches zero before
    // its entry, so QEMU stops the list there and reads the entry as a record.
    const expect: Expectation = len === used + 1n || len === 0n ? 'refused' : 'ram.size-mismatch';
    return m && out(m, `${hit.block.idstr} (fixed, 0x${used.toString(16)}) MEM_SIZE length 0x${len.toString(16)}`, expect);
  },
};

/**
 * The MEM_SIZE loop runs while the remaining total is non-zero: a total that
 * disagrees with the list makes QEMU read on into the next record (or stop
 * early and read an entry as a record header). Either way a refusal; which
 * check fires depends on those bytes.
 */
const totalMismatch: Mutator = {
  name: 'ram.total-mismatch',
  hazard: 'the MEM_SIZE total disagrees with the block list',
  aims: ['ram.unknown-block', 'ram.unknown-flags', 'wire.truncated'],
  apply({ model }, _a, b) {
    const site = memSizeSite(model);
    if (!site) return undefined;
    const deltas = [PAGE, -PAGE, 1n, -1n, 1n << 63n];
    const d = deltas[b % deltas.length]!;
    const addr = (site.rec.addr + d) & U64;
    if (addr === 0n) return undefined;
    return out(replaceRecord(model, site, [{ ...site.rec, addr }]), `MEM_SIZE total 0x${addr.toString(16)} (list sums to 0x${site.rec.addr.toString(16)})`, 'refused');
  },
};

/** A page record for block `idstr` at `addr`, named (no CONTINUE). */
function pageRec(idstr: string, addr: bigint, zero: boolean): RamRecord {
  return zero
    ? { type: 'zero', offset: 0, flags: RamFlag.ZERO, addr, block: idstr, blockResolved: idstr, fill: 0 }
    : { type: 'page', offset: 0, flags: RamFlag.PAGE, addr, block: idstr, blockResolved: idstr, data: new Uint8Array(TARGET_PAGE_SIZE).fill(0xa5) };
}

/** Inserts a record just before the EOS of the last RAM section. */
function insertBeforeLastEos(model: StreamModel, rec: RamRecord): StreamModel | undefined {
  const recs = ramRecords(model);
  const eos = [...recs].reverse().find((s) => s.rec.type === 'eos');
  if (!eos) return undefined;
  return replaceRecord(model, eos, [rec, eos.rec]);
}

/** host_from_ram_block_offset: "Illegal RAM offset" when offset >= used_length. */
const pageBeyondUsed: Mutator = {
  name: 'ram.page-beyond-used',
  hazard: 'page offsets beyond used_length',
  aims: ['ram.offset-out-of-range'],
  apply({ seed, model }, a, b) {
    const block = pick(seed.blocks, a);
    if (!block) return undefined;
    const used = BigInt(block.usedLength);
    const variants: [bigint, Expectation][] = [
      [used, 'ram.offset-out-of-range'],
      [used - PAGE, 'accepted'], // the last page: in range
      [used + PAGE * 7n, 'ram.offset-out-of-range'],
      [BigInt(block.maxLength), 'ram.offset-out-of-range'], // max_length is not used_length
      [1n << 62n, 'ram.offset-out-of-range'],
    ];
    const [addr, expect] = variants[b % variants.length]!;
    const m = insertBeforeLastEos(model, pageRec(block.idstr, addr, b % 2 === 0));
    return m && out(m, `${b % 2 === 0 ? 'ZERO' : 'PAGE'} ${block.idstr} at 0x${addr.toString(16)} (used 0x${used.toString(16)})`, expect);
  },
};

/** idstrs the destination cannot have: empty (length byte 0), 255 bytes, a near miss. */
function bogusNames(idstr: string): string[] {
  return ['', 'x'.repeat(255), `${idstr}x`, idstr.toUpperCase() === idstr ? `${idstr}_` : idstr.toUpperCase()];
}

/** ram_load_precopy MEM_SIZE: 'Unknown ramblock "%s", cannot accept migration'. */
const unknownBlock: Mutator = {
  name: 'ram.unknown-block',
  hazard: 'unknown block names and idstr lengths 0 and 255 in the MEM_SIZE list',
  aims: ['ram.unknown-block'],
  apply({ model }, a, b) {
    const site = memSizeSite(model);
    const i = site ? a % Math.max(1, site.rec.blocks.length) : 0;
    const entry = site?.rec.blocks[i];
    if (!site || !entry) return undefined;
    const name = pick(bogusNames(entry.idstr), b)!;
    const blocks: MemSizeBlock[] = site.rec.blocks.slice();
    blocks[i] = { ...entry, idstr: name };
    return out(replaceRecord(model, site, [{ ...site.rec, blocks }]), `MEM_SIZE entry ${i} renamed '${name.slice(0, 20)}' (length ${name.length})`, 'ram.unknown-block');
  },
};

/** ram_block_from_stream: "Can't find block %s" for a page record. */
const pageUnknownBlock: Mutator = {
  name: 'ram.page-unknown-block',
  hazard: 'a page record names an unknown block',
  aims: ['ram.bad-block-name'],
  apply({ seed, model }, a, b) {
    const block = pick(seed.blocks, a);
    if (!block) return undefined;
    const name = pick(bogusNames(block.idstr), b)!;
    const m = insertBeforeLastEos(model, pageRec(name, 0n, true));
    return m && out(m, `ZERO page naming '${name.slice(0, 20)}' (length ${name.length})`, 'ram.bad-block-name');
  },
};

/**
 * The list names a block twice (total includes it twice): QEMU 7.2 has no
 * duplicate check; the second entry resizes to the same length again.
 */
const duplicateBlock: Mutator = {
  name: 'ram.duplicate-block',
  hazard: 'duplicate block names in the MEM_SIZE list',
  aims: [],
  apply({ model }, a) {
    const site = memSizeSite(model);
    const entry = site && pick(site.rec.blocks, a);
    if (!site || !entry) return undefined;
    const blocks = [...site.rec.blocks, entry];
    const addr = (site.rec.addr + entry.length) & U64;
    return out(replaceRecord(model, site, [{ ...site.rec, blocks, addr }]), `MEM_SIZE lists ${entry.idstr} twice`, undefined);
  },
};

/**
 * Flag words QEMU 7.2 refuses: FULL (0x01, obsolete), COMPRESS_PAGE without
 * compression ("Received an unexpected compressed page"), XBZRLE and HOOK
 * (not modelled: ram.unsupported-encoding), and combinations no case matches
 * ("Unknown combination of migration flags").
 */
const FLAG_VARIANTS = [0x01, RamFlag.COMPRESS_PAGE, RamFlag.XBZRLE, RamFlag.HOOK, 0x200, 0x400, 0x800, RamFlag.ZERO | RamFlag.MEM_SIZE, RamFlag.EOS | RamFlag.MEM_SIZE | 0x01, 0];

const unknownFlags: Mutator = {
  name: 'ram.unknown-flags',
  hazard: 'unknown RAM flag combinations',
  aims: ['ram.unknown-flags', 'ram.unsupported-encoding'],
  apply({ model }, a, b) {
    const sites = ramRecords(model).filter((s) => s.rec.type !== 'mem-size');
    const site = pick(sites, a);
    if (!site) return undefined;
    const flags = FLAG_VARIANTS[b % FLAG_VARIANTS.length]!;
    // ZERO/PAGE/XBZRLE bits make QEMU read a block reference first (ram_load_precopy), so
    // what fails depends on the bytes after. COMPRESS_PAGE is refused before that.
    const readsBlock = (flags & (RamFlag.ZERO | RamFlag.PAGE | RamFlag.XBZRLE)) !== 0 && (flags & RamFlag.COMPRESS_PAGE) === 0;
    const expect: Expectation = flags === RamFlag.HOOK ? 'ram.unsupported-encoding' : flags === 0 || readsBlock ? 'refused' : 'ram.unknown-flags';
    return out(replaceRecord(model, site, [{ ...site.rec, flags } as RamRecord]), `${site.rec.type} record flags 0x${flags.toString(16)}`, expect);
  },
};

/** CONTINUE on the first page record: no block yet ("Ack, bad migration stream!"). */
const continueFirst: Mutator = {
  name: 'ram.continue-first',
  hazard: 'RAM_SAVE_FLAG_CONTINUE before any block was named',
  aims: ['ram.continue-without-block'],
  apply({ seed, model }, a) {
    const first = ramRecords(model).find((s) => s.rec.type === 'zero' || s.rec.type === 'page');
    let m: StreamModel | undefined = model;
    let site: RecordSite | undefined = first;
    if (!site) {
      const block = pick(seed.blocks, a);
      if (!block) return undefined;
      m = insertBeforeLastEos(model, pageRec(block.idstr, 0n, true));
      site = m && ramRecords(m).find((s) => s.rec.type === 'zero');
    }
    if (!m || !site || (site.rec.type !== 'zero' && site.rec.type !== 'page')) return undefined;
    const { block: _drop, ...rest } = site.rec;
    const rec = { ...rest, flags: site.rec.flags | RamFlag.CONTINUE } as RamRecord;
    return out(replaceRecord(m, site, [rec]), 'first page record carries CONTINUE', 'ram.continue-without-block');
  },
};

/** ram_handle_compressed memsets any fill byte: QEMU 7.2 accepts a non-zero ZERO page. */
const zeroFill: Mutator = {
  name: 'ram.zero-fill',
  hazard: 'ZERO page with a non-zero fill byte',
  aims: [],
  apply({ seed, model }, a, b) {
    const block = pick(seed.blocks, a);
    if (!block) return undefined;
    const fill = (b % 255) + 1;
    const rec: RamRecord = { type: 'zero', offset: 0, flags: RamFlag.ZERO, addr: 0n, block: block.idstr, blockResolved: block.idstr, fill };
    const m = insertBeforeLastEos(model, rec);
    return m && out(m, `ZERO ${block.idstr} page 0 fill 0x${fill.toString(16)}`, 'accepted');
  },
};

/** A block the destination did not register for migration: "block %s should not be migrated !". */
const notMigratable: Mutator = {
  name: 'ram.not-migratable',
  hazard: 'a block not registered for migration (boards without registered RAM)',
  aims: ['ram.block-not-migratable'],
  apply({ seed, model }, a) {
    const b = pick(
      seed.profile.ramBlocks.filter((x) => !x.migratable),
      a,
    );
    const site = memSizeSite(model);
    if (!b || !site) return undefined;
    const length = BigInt(b.usedLength);
    const blocks = [...site.rec.blocks, { idstr: b.idstr, length }];
    const m = replaceRecord(model, site, [{ ...site.rec, blocks, addr: (site.rec.addr + length) & U64 }]);
    return out(m, `MEM_SIZE lists non-migratable ${b.idstr}`, 'ram.block-not-migratable');
  },
};

/** ram_load refuses any RAM section version but 4 (-EINVAL, savevm's generic message). */
const ramVersion: Mutator = {
  name: 'ram.section-version',
  hazard: 'RAM section version other than 4',
  aims: ['section.version-too-old', 'section.version-too-new'],
  apply({ model }, a, b) {
    const idx = pick(sectionIndices(model, (s) => s.idstr === 'ram' && (s.type === 'start' || s.type === 'full')), a);
    const it = idx === undefined ? undefined : model.items[idx];
    if (idx === undefined || !it || it.kind !== 'section') return undefined;
    const versionId = [3, 5, 0, 0x7fffffff][b % 4]!;
    const expect: Expectation = versionId > 4 ? 'section.version-too-new' : 'section.version-too-old';
    return out(replaceItem(model, idx, { ...it, versionId }), `ram section version ${versionId}`, expect);
  },
};

export const RAM_MUTATORS: Mutator[] = [
  usedAboveMax,
  fixedResized,
  totalMismatch,
  pageBeyondUsed,
  unknownBlock,
  pageUnknownBlock,
  duplicateBlock,
  unknownFlags,
  continueFirst,
  zeroFill,
  notMigratable,
  ramVersion,
];
