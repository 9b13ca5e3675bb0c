import { sectionKey, type Destination } from '../../src/migration/index.js';
import type { StateObject, Value } from '../../src/vmstate/index.js';

/**
 * A canonical, comparable picture of a destination: per RAM block its used
 * length and a hash of every held page (content, not identity, so a loader
 * that scribbles on a committed page in place is caught), per section a
 * hash of its state. Cheap for the fuzzer's destinations, which hold a few
 * canary pages and small states before a load.
 */
export interface DestSnapshot {
  ram: { idstr: string; usedLength: number; pages: number; hash: number }[];
  sections: { key: string; hash: number }[];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mix(h: number, x: number): number {
  return Math.imul(h ^ (x & 0xff), FNV_PRIME) >>> 0;
}

/** FNV-style over 32-bit words (pages are 4-aligned multiples of 4), bytewise for any tail. */
function hashBytes(h: number, b: Uint8Array): number {
  const words = b.byteOffset % 4 === 0 ? new Int32Array(b.buffer, b.byteOffset, b.length >> 2) : undefined;
  let i = 0;
  if (words) {
    for (; i < words.length; i++) h = Math.imul(h ^ words[i]!, FNV_PRIME);
    i <<= 2;
  }
  for (; i < b.length; i++) h = Math.imul(h ^ b[i]!, FNV_PRIME);
  return h >>> 0;
}

function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = mix(mix(h, s.charCodeAt(i)), s.charCodeAt(i) >> 8);
  return h;
}

function hashValue(h: number, v: Value): number {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return hashString(h, `${typeof v}:${String(v)}`);
  if (v instanceof Uint8Array) return hashBytes(mix(h, 0xb1), v);
  if (Array.isArray(v)) return v.reduce<number>((acc, x) => hashValue(mix(acc, 0xa1), x), mix(h, v.length));
  return hashState(h, v);
}

function hashState(h: number, s: StateObject): number {
  for (const k of Object.keys(s).sort()) h = hashValue(hashString(h, k), s[k]!);
  return h;
}

export function snapshotDestination(dest: Destination): DestSnapshot {
  return {
    ram: dest.ram.blocks.map((b) => {
      let h = FNV_OFFSET;
      for (const index of [...b.pages.keys()].sort((x, y) => x - y)) h = hashBytes(mix(mix(h, index), index >> 8), b.pages.get(index)!);
      return { idstr: b.idstr, usedLength: b.usedLength, pages: b.pages.size, hash: h };
    }),
    // Sections without state hash to 0 on both sides; only stateful ones are listed.
    sections: dest.sections.filter((s) => s.state).map((s) => ({ key: sectionKey(s.idstr, s.instanceId), hash: hashState(FNV_OFFSET, s.state!) })),
  };
}

/** Human list of differences; empty when equal. */
export function diffSnapshots(a: DestSnapshot, b: DestSnapshot): string[] {
  const out: string[] = [];
  const blocks = new Map(b.ram.map((x) => [x.idstr, x]));
  for (const x of a.ram) {
    const y = blocks.get(x.idstr);
    if (!y) out.push(`RAM block ${x.idstr} disappeared`);
    else if (x.usedLength !== y.usedLength) out.push(`RAM block ${x.idstr} used_length 0x${x.usedLength.toString(16)} -> 0x${y.usedLength.toString(16)}`);
    else if (x.pages !== y.pages || x.hash !== y.hash) out.push(`RAM block ${x.idstr} pages changed (${x.pages} -> ${y.pages} held)`);
  }
  if (b.ram.length !== a.ram.length) out.push(`RAM block count ${a.ram.length} -> ${b.ram.length}`);
  const secs = new Map(b.sections.map((x) => [x.key, x.hash]));
  for (const s of a.sections) if (secs.get(s.key) !== s.hash) out.push(`section ${s.key} state changed`);
  const before = new Set(a.sections.map((s) => s.key));
  for (const s of b.sections) if (!before.has(s.key)) out.push(`section ${s.key} state set`);
  return out;
}
