/**
 * Guest-visible equality of two machines without building snapshots: the
 * same rules as snapshot.ts (non-zero pages by content, section states
 * without timers, padding, RTC host-clock fields and globalstate), but pages
 * are compared with memcmp and states walked in place. The matrix and the
 * bench compare thousands of pairs; a snapshot is only needed to show a diff.
 */
import { TARGET_PAGE_SIZE, type RamBlock } from '../memory/index.js';
import type { StateObject, Value } from '../vmstate/index.js';
import { hiddenKeysOf } from './snapshot.js';
import type { VmCore, VmSection } from './vm-core.js';

const ZERO = Buffer.alloc(TARGET_PAGE_SIZE);

// Buffer.compare takes plain Uint8Arrays: no Buffer view is made per page (two per page were made before).
function pageOf(b: RamBlock, i: number): Uint8Array {
  return b.pages.get(i) ?? ZERO;
}

function blocksEqual(a: RamBlock, b: RamBlock): boolean {
  if (a.usedLength !== b.usedLength) return false;
  for (const [i, p] of a.pages) if (Buffer.compare(p, pageOf(b, i)) !== 0) return false;
  for (const [i, p] of b.pages) if (!a.pages.has(i) && Buffer.compare(p, ZERO) !== 0) return false;
  return true;
}

function valuesEqual(x: Value | undefined, y: Value | undefined): boolean {
  if (x === y) return true;
  if (x === undefined || y === undefined) return false;
  // Two different integer numbers: unequal without two bigints (non-integers still take the BigInt route below).
  if (typeof x === 'number' && typeof y === 'number' && Number.isInteger(x) && Number.isInteger(y)) return false;
  if ((typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint')) return BigInt(x) === BigInt(y);
  if (x instanceof Uint8Array && y instanceof Uint8Array) return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  if (Array.isArray(x) && Array.isArray(y)) return arraysEqual(x, y);
  if (typeof x === 'object' && typeof y === 'object' && !(x instanceof Uint8Array) && !(y instanceof Uint8Array) && !Array.isArray(x) && !Array.isArray(y)) {
    return statesEqual(x, y, NO_HIDDEN);
  }
  return false;
}

const NO_HIDDEN: ReadonlySet<string> = new Set();

// A plain loop: arrays here run to 16384 elements (ICH9LPC chip_config), compared on every migration.
function arraysEqual(x: Value[], y: Value[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === b) continue;
    // Array.prototype.every (used before) skips holes of x; so does this.
    if (!(i in x)) continue;
    if (!valuesEqual(a, b)) return false;
  }
  return true;
}

/**
 * The last state each state object was found equal to (with which hidden
 * keys). States are never mutated in place, so two objects found equal stay
 * equal: a source's untouched default and the state a destination's load
 * of it gave (the loaders keep what a default loads as, src/vmstate) are
 * compared once, not on every migration.
 */
const equalTo = new WeakMap<StateObject, { other: StateObject; hidden: ReadonlySet<string> }>();

function statesEqual(a: StateObject, b: StateObject, hidden: ReadonlySet<string>): boolean {
  if (a === b) return true;
  const known = equalTo.get(a);
  if (known && known.other === b && known.hidden === hidden) return true;
  for (const k of Object.keys(a)) if (!hidden.has(k) && !valuesEqual(a[k], b[k])) return false;
  for (const k of Object.keys(b)) if (!hidden.has(k) && !(k in a)) return false;
  equalTo.set(a, { other: b, hidden });
  return true;
}

function visible(sections: VmSection[]): Map<string, VmSection> {
  return new Map(sections.filter((s) => s.vmsd.name !== 'globalstate').map((s) => [`${s.idstr}#${s.instanceId}`, s]));
}

/** True when the guest could not tell the two machines apart (see snapshot.ts for what counts). */
export function guestStateEqual(a: VmCore, b: VmCore): boolean {
  const ra = a.ram.blocks.filter((x) => x.migratable);
  const rb = new Map(b.ram.blocks.filter((x) => x.migratable).map((x) => [x.idstr, x]));
  if (ra.length !== rb.size) return false;
  for (const blk of ra) {
    const other = rb.get(blk.idstr);
    if (!other || !blocksEqual(blk, other)) return false;
  }
  const sa = visible(a.sections);
  const sb = visible(b.sections);
  if (sa.size !== sb.size) return false;
  for (const [key, s] of sa) {
    const t = sb.get(key);
    if (!t || !statesEqual(s.state, t.state, hiddenKeysOf(s.vmsd))) return false;
  }
  return true;
}
