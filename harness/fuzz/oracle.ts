import { TARGET_PAGE_SIZE } from '../../src/memory/index.js';
import type { Destination } from '../../src/migration/index.js';
import { isCheckCode } from '../../src/wire/index.js';
import { diffSnapshots, type DestSnapshot } from './snapshot.js';
import type { FuzzLoad } from './target.js';

/**
 * The loader's contract, as properties of one load:
 * - accepted with invariants intact, or refused with a registered code;
 * - never another exception (in-process) and never a crash (real QEMU);
 * - never a hang;
 * - never an allocation beyond the stream plus the destination's declared sizes;
 * - never a destination changed by a refused stream.
 */
export type Property = 'claim' | 'exception' | 'crash' | 'hang' | 'unregistered-code' | 'invariant' | 'changed-on-refusal' | 'allocation';

export interface Violation {
  property: Property;
  message: string;
}

export interface OracleOptions {
  /** Real QEMU refusals carry QEMU's text classified to a code, or 'qemu.unclassified'; not judged against CHECKS. */
  externalCodes?: boolean;
}

export function judge(load: FuzzLoad, opts: OracleOptions = {}): Violation[] {
  const out: Violation[] = [];
  const v = load.verdict;
  if (load.thrown !== undefined) out.push({ property: 'exception', message: v.kind === 'crash' ? v.message : String(load.thrown) });
  else if (v.kind === 'crash') out.push({ property: 'crash', message: v.message });
  if (v.kind === 'hang') out.push({ property: 'hang', message: v.message });
  if (v.kind === 'refused' && !opts.externalCodes && !isCheckCode(v.code)) {
    out.push({ property: 'unregistered-code', message: `refused with unregistered code '${v.code}'` });
  }
  if (v.kind === 'accepted' && load.destination) {
    for (const m of invariantBreaks(load.destination, load.before)) out.push({ property: 'invariant', message: m });
  }
  if (v.kind !== 'accepted' && load.before && load.after) {
    const d = diffSnapshots(load.before, load.after);
    if (d.length) out.push({ property: 'changed-on-refusal', message: d.join('; ') });
  }
  if (load.allocated !== undefined && load.allocationBound !== undefined && load.allocated > load.allocationBound) {
    out.push({ property: 'allocation', message: `load grew memory by ${load.allocated} bytes, bound ${load.allocationBound}` });
  }
  return out;
}

/** What an accepted destination must satisfy whatever the stream said. */
export function invariantBreaks(dest: Destination, before?: DestSnapshot): string[] {
  const out: string[] = [];
  for (const b of dest.ram.blocks) {
    if (b.usedLength > b.maxLength) out.push(`RAM block ${b.idstr} used_length 0x${b.usedLength.toString(16)} above max_length 0x${b.maxLength.toString(16)}`);
    const was = before && usedLengthBefore(before, b.idstr);
    if (!b.resizeable && was !== undefined && b.usedLength !== was) out.push(`fixed RAM block ${b.idstr} resized from 0x${was.toString(16)} to 0x${b.usedLength.toString(16)}`);
    if (!Number.isSafeInteger(b.usedLength) || b.usedLength < 0) out.push(`RAM block ${b.idstr} used_length ${b.usedLength}`);
    const limit = Math.ceil(b.usedLength / TARGET_PAGE_SIZE);
    for (const [index, page] of b.pages) {
      if (index < 0 || index >= limit) out.push(`RAM block ${b.idstr} holds page ${index} beyond used_length`);
      if (page.length !== TARGET_PAGE_SIZE) out.push(`RAM block ${b.idstr} page ${index} has ${page.length} bytes`);
    }
  }
  return out;
}

function usedLengthBefore(before: DestSnapshot, idstr: string): number | undefined {
  for (const x of before.ram) if (x.idstr === idstr) return x.usedLength;
  return undefined;
}
