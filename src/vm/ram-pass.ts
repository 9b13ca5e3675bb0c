/**
 * The first precopy pass, built straight into run-length form.
 *
 * QEMU's first pass sends every page of every migratable block: a 64 MiB
 * guest is 16384 records, almost all ZERO. buildStream would make one
 * object (with a bigint address) per page and fold them afterwards; here
 * consecutive absent or all-zero pages become one ZeroRecord with `run`
 * directly, which encodes to exactly the same bytes (see ZeroRecord.run:
 * the first record names the block or continues it, the rest of the run is
 * CONTINUE|ZERO at the following pages). Clears the blocks' dirty logs, as
 * passAllPages does.
 */
import { TARGET_PAGE_SIZE, isAllZero, migratableBlocks, type RamBlock, type RamList } from '../memory/index.js';
import { RamFlag, type RamRecord } from '../migration/index.js';

const isZero = isAllZero;

/** Records of one full pass; `last` is the block the previous record named (CONTINUE across passes). */
export function fullPassRecords(list: RamList, last: { block?: string } = {}): RamRecord[] {
  const out: RamRecord[] = [];
  for (const b of migratableBlocks(list)) blockRecords(b, out, last);
  for (const b of migratableBlocks(list)) b.dirty = new Set();
  return out;
}

function blockRecords(b: RamBlock, out: RamRecord[], last: { block?: string }): void {
  const pages = Math.ceil(b.usedLength / TARGET_PAGE_SIZE);
  // Page indices holding non-zero data, ascending; everything between them is a zero run.
  const held = [...b.pages.entries()].filter(([i, p]) => i < pages && !isZero(p)).sort((x, y) => x[0] - y[0]);
  let next = 0;
  const header = (index: number, zero: boolean): { flags: number; named: { block?: string } } => {
    const cont = last.block === b.idstr;
    last.block = b.idstr;
    return { flags: (zero ? RamFlag.ZERO : RamFlag.PAGE) | (cont ? RamFlag.CONTINUE : 0), named: cont ? {} : { block: b.idstr } };
  };
  const zeroRun = (from: number, to: number): void => {
    if (to <= from) return;
    const { flags, named } = header(from, true);
    const rec: RamRecord = { type: 'zero', offset: 0, addr: BigInt(from * TARGET_PAGE_SIZE), blockResolved: b.idstr, ...named, flags, fill: 0 };
    if (to - from > 1) rec.run = to - from;
    out.push(rec);
  };
  for (const [index, data] of held) {
    zeroRun(next, index);
    const { flags, named } = header(index, false);
    out.push({ type: 'page', offset: 0, addr: BigInt(index * TARGET_PAGE_SIZE), blockResolved: b.idstr, ...named, flags, data });
    next = index + 1;
  }
  zeroRun(next, pages);
}
