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
  // Page indices holding non-zero data, ascending (a typed array sorts numerically); everything between them is a zero run.
  const found: number[] = [];
  for (const [i, p] of b.pages) if (i < pages && !isZero(p)) found.push(i);
  const held = Float64Array.from(found).sort();
  let next = 0;
  // Object literals of one shape per kind (no spreads): two records per held page are made on every save.
  const zeroRun = (from: number, to: number): void => {
    if (to <= from) return;
    const cont = continues(b, last);
    const flags = RamFlag.ZERO | (cont ? RamFlag.CONTINUE : 0);
    const addr = BigInt(from * TARGET_PAGE_SIZE);
    const rec: RamRecord = cont
      ? { type: 'zero', offset: 0, addr, blockResolved: b.idstr, flags, fill: 0 }
      : { type: 'zero', offset: 0, addr, blockResolved: b.idstr, block: b.idstr, flags, fill: 0 };
    if (to - from > 1) rec.run = to - from;
    out.push(rec);
  };
  for (const index of held) {
    zeroRun(next, index);
    const cont = continues(b, last);
    const flags = RamFlag.PAGE | (cont ? RamFlag.CONTINUE : 0);
    const addr = BigInt(index * TARGET_PAGE_SIZE);
    const data = b.pages.get(index)!;
    out.push(
      cont
        ? { type: 'page', offset: 0, addr, blockResolved: b.idstr, flags, data }
        : { type: 'page', offset: 0, addr, blockResolved: b.idstr, block: b.idstr, flags, data },
    );
    next = index + 1;
  }
  zeroRun(next, pages);
}

/** Whether the next record continues the block the previous one named (RAM_SAVE_FLAG_CONTINUE); it names this block from now on. */
function continues(b: RamBlock, last: { block?: string }): boolean {
  const cont = last.block === b.idstr;
  last.block = b.idstr;
  return cont;
}
