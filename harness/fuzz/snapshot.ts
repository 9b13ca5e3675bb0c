import { sectionKey, type Destination, type DestinationSection } from '../../src/migration/index.js';

/**
 * A canonical, comparable picture of a destination: per RAM block its used
 * length and a hash of every held page (content, not identity, so a loader
 * that scribbles on a committed page in place is caught), per section the
 * identity of its state object. Cheap for the fuzzer's destinations, which
 * hold a few canary pages before a load.
 */
export interface DestSnapshot {
  ram: { idstr: string; usedLength: number; pages: number; hash: number }[];
  /** Section states by identity: the seed's states are deep-frozen, so a state can only change by being replaced. */
  sections: { key: string; id: number }[];
}

const ids = new WeakMap<object, number>();
let nextId = 1;

function identity(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mix(h: number, x: number): number {
  return Math.imul(h ^ (x & 0xff), FNV_PRIME) >>> 0;
}


/**
 * FNV-style over 32-bit words (pages are 4-aligned multiples of 4) in four
 * independent lanes folded at the end, bytewise for any tail. One lane was a
 * chain of 1024 dependent multiplies per page, hashed on every refused load;
 * four run side by side. Each lane, and the fold, is a bijection of each of
 * its words, so changing any one word still changes the hash.
 */
function hashBytes(h: number, b: Uint8Array): number {
  const words = b.byteOffset % 4 === 0 ? new Int32Array(b.buffer, b.byteOffset, b.length >> 2) : undefined;
  let i = 0;
  if (words) {
    let h0 = h;
    let h1 = h ^ 1;
    let h2 = h ^ 2;
    let h3 = h ^ 3;
    const whole = words.length & ~3;
    for (; i < whole; i += 4) {
      h0 = Math.imul(h0 ^ words[i]!, FNV_PRIME);
      h1 = Math.imul(h1 ^ words[i + 1]!, FNV_PRIME);
      h2 = Math.imul(h2 ^ words[i + 2]!, FNV_PRIME);
      h3 = Math.imul(h3 ^ words[i + 3]!, FNV_PRIME);
    }
    for (; i < words.length; i++) h0 = Math.imul(h0 ^ words[i]!, FNV_PRIME);
    h = Math.imul(Math.imul(Math.imul(h0 ^ h1, FNV_PRIME) ^ h2, FNV_PRIME) ^ h3, FNV_PRIME);
    i <<= 2;
  }
  for (; i < b.length; i++) h = Math.imul(h ^ b[i]!, FNV_PRIME);
  return h >>> 0;
}

/** Section keys by section object: a snapshot per load must not build thirty strings each time. */
const keys = new WeakMap<DestinationSection, string>();

function keyOf(s: DestinationSection): string {
  let k = keys.get(s);
  if (k === undefined || !k.startsWith(s.idstr)) {
    k = sectionKey(s.idstr, s.instanceId);
    keys.set(s, k);
  }
  return k;
}

function pagesHash(pages: ReadonlyMap<number, Uint8Array>): number {
  let h = FNV_OFFSET;
  if (pages.size === 0) return h;
  const indices = pages.size === 1 ? [pages.keys().next().value!] : [...pages.keys()].sort((x, y) => x - y);
  for (const index of indices) h = hashBytes(mix(mix(h, index), index >> 8), pages.get(index)!);
  return h;
}

/**
 * The destination's snapshot. With `like`: `like` itself when the
 * destination is still what it pictures (the comparisons sameInOrder makes,
 * on the destination directly), so a refused load that changed nothing
 * builds nothing.
 */
export function snapshotDestination(dest: Destination, like?: DestSnapshot): DestSnapshot {
  if (like && stillAs(dest, like)) return like;
  const sections: DestSnapshot['sections'] = [];
  for (const s of dest.sections) if (s.state) sections.push({ key: keyOf(s), id: identity(s.state) });
  return {
    ram: dest.ram.blocks.map((b) => ({ idstr: b.idstr, usedLength: b.usedLength, pages: b.pages.size, hash: pagesHash(b.pages) })),
    sections,
  };
}

function stillAs(dest: Destination, snap: DestSnapshot): boolean {
  const blocks = dest.ram.blocks;
  if (blocks.length !== snap.ram.length) return false;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const x = snap.ram[i]!;
    if (b.idstr !== x.idstr || b.usedLength !== x.usedLength || b.pages.size !== x.pages || pagesHash(b.pages) !== x.hash) return false;
  }
  let j = 0;
  for (const s of dest.sections) {
    if (!s.state) continue;
    const y = snap.sections[j++];
    if (!y || y.key !== keyOf(s) || y.id !== identity(s.state)) return false;
  }
  return j === snap.sections.length;
}

/** The common case, equal snapshots in the same order, without building lookup maps. */
function sameInOrder(a: DestSnapshot, b: DestSnapshot): boolean {
  if (a.ram.length !== b.ram.length || a.sections.length !== b.sections.length) return false;
  for (let i = 0; i < a.ram.length; i++) {
    const x = a.ram[i]!;
    const y = b.ram[i]!;
    if (x.idstr !== y.idstr || x.usedLength !== y.usedLength || x.pages !== y.pages || x.hash !== y.hash) return false;
  }
  for (let i = 0; i < a.sections.length; i++) if (a.sections[i]!.key !== b.sections[i]!.key || a.sections[i]!.id !== b.sections[i]!.id) return false;
  return true;
}

/** Human list of differences; empty when equal. */
export function diffSnapshots(a: DestSnapshot, b: DestSnapshot): string[] {
  if (sameInOrder(a, b)) return [];
  const out: string[] = [];
  const blocks = new Map(b.ram.map((x) => [x.idstr, x]));
  for (const x of a.ram) {
    const y = blocks.get(x.idstr);
    if (!y) out.push(`RAM block ${x.idstr} disappeared`);
    else if (x.usedLength !== y.usedLength) out.push(`RAM block ${x.idstr} used_length 0x${x.usedLength.toString(16)} -> 0x${y.usedLength.toString(16)}`);
    else if (x.pages !== y.pages || x.hash !== y.hash) out.push(`RAM block ${x.idstr} pages changed (${x.pages} -> ${y.pages} held)`);
  }
  if (b.ram.length !== a.ram.length) out.push(`RAM block count ${a.ram.length} -> ${b.ram.length}`);
  const secs = new Map(b.sections.map((x) => [x.key, x.id]));
  for (const s of a.sections) if (secs.get(s.key) !== s.id) out.push(`section ${s.key} state changed`);
  const before = new Set(a.sections.map((s) => s.key));
  for (const s of b.sections) if (!before.has(s.key)) out.push(`section ${s.key} state set`);
  return out;
}
