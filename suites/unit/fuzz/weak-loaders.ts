import { loadStream, type LoadVerdict } from '../../../src/migration/index.js';
import { findRamBlock } from '../../../src/memory/index.js';
import type { CheckCode } from '../../../src/wire/index.js';
import { allocationBound, type Loader } from '../../../harness/fuzz/profile-target.js';

/**
 * Deliberately broken loaders for the oracle's own tests. They are fakes of
 * a weakened loader (the real one needs loadStream's disabledChecks): they
 * run the real loader and lie about or damage the outcome.
 */

/** Throws a TypeError on any stream that has a PAGE record for pc.ram page 1. */
export const throwsTypeError: Loader = (bytes, dest, o) => {
  if (bytes.length > 4200) throw new TypeError("Cannot read properties of undefined (reading 'usedLength')");
  return loadStream(bytes, dest, o);
};

/** Refuses like the real loader, but writes a page into the destination first (not transactional). */
export const mutatesOnRefusal: Loader = (bytes, dest, o) => {
  const v = loadStream(bytes, dest, o);
  if (!v.accepted) dest.ram.blocks[0]!.pages.set(3, new Uint8Array(4096).fill(9));
  return v;
};

/** Scribbles on a committed page in place on refusal (content changes, identity does not). */
export const scribblesOnRefusal: Loader = (bytes, dest, o) => {
  const v = loadStream(bytes, dest, o);
  const page = dest.ram.blocks[0]!.pages.get(0);
  if (!v.accepted && page) page[17] = page[17]! ^ 1;
  return v;
};

/**
 * Accepts an oversized resizeable block: when the real loader says "Size too
 * large", applies the length anyway and reports acceptance (QEMU before the
 * max_length check).
 */
export const acceptsOversized: Loader = (bytes, dest, o) => {
  const v = loadStream(bytes, dest, o);
  if (v.accepted || v.error.code !== 'ram.length-too-large') return v;
  const idstr = v.error.path.replace(/^ram\//, '');
  const m = /: 0x([0-9a-f]+) >/.exec(v.error.message);
  const b = findRamBlock(dest.ram, idstr);
  if (b && m) b.usedLength = Number.parseInt(m[1]!, 16);
  return accepted();
};

/** What overAllocates allocated last, held so it is still live when the load is measured. */
let held: Uint8Array | undefined;

/**
 * Allocates one MiB more than the contract's bound (the stream, the
 * destination's declared sizes, the slack) and keeps it, as a loader that
 * trusts a length from the stream would, then loads normally.
 */
export const overAllocates: Loader = (bytes, dest, o) => {
  held = undefined;
  held = new Uint8Array(allocationBound(bytes, dest) + (1 << 20));
  return loadStream(bytes, dest, o);
};

/** Drops what overAllocates holds. */
export function releaseOverAllocation(): number {
  const n = held?.length ?? 0;
  held = undefined;
  return n;
}

/** A fake weakened loader: refusals with `code` become acceptances (nothing committed). */
export function ignoring(code: CheckCode): Loader {
  return (bytes, dest, o) => {
    const v = loadStream(bytes, dest, o);
    return !v.accepted && v.error.code === code ? accepted() : v;
  };
}

function accepted(): LoadVerdict {
  return { accepted: true, warnings: [], states: new Map(), sectionsLoaded: 0, pagesLoaded: 0 };
}
