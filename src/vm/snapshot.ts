/**
 * The canonical, diffable view of guest-visible state.
 *
 * RAM: per block its lengths and a hash of every non-zero page (an absent
 * page and an all-zero page are the same thing to the guest). Devices: each
 * section's state as JSON-ready data, keys sorted, bytes as hex, 64-bit
 * values as decimal strings. Left out, because the guest cannot see them or
 * they are host time: timer fields (expiry in host nanoseconds), padding
 * (VMSTATE_UNUSED) and the RTC's host-clock bookkeeping (real QEMU 7.2
 * streams saved twice from one paused guest differ only in mc146818rtc's
 * base_rtc / last_update / offset / next_*_time fields).
 */
import { isAllZero, type RamBlock } from '../memory/index.js';
import type { StateObject, VMStateDescription, Value } from '../vmstate/index.js';
import type { VmCore } from './vm-core.js';

export interface RamBlockSnapshot {
  idstr: string;
  usedLength: number;
  /** page index -> 64-bit FNV-1a of the page, hex; zero pages omitted. */
  pages: Record<string, string>;
  /** A seed 001 board's block this side does not migrate (src/vm/board.ts): pages left out. */
  notMigrated?: true;
}

export interface VmSnapshot {
  machine: string;
  ram: RamBlockSnapshot[];
  /** "idstr#instance" -> canonical state. */
  devices: Record<string, unknown>;
}

/** Host-clock fields per vmsd name (beyond timer-kind fields, which are always left out). */
const HOST_TIME_FIELDS: Record<string, readonly string[]> = {
  mc146818rtc: ['next_periodic_time', 'base_rtc', 'last_update', 'offset', 'next_alarm_time'],
  // The simulated seed 002 vnic's optional data is by definition what a destination may drop
  // ("a way to send optional data that the destination can drop"): not part of the guest contract.
  vnic: ['optional', 'opt_count'],
};

export function snapshotVm(core: VmCore): VmSnapshot {
  const devices: Record<string, unknown> = {};
  // globalstate is the host's run state around migration, not guest state (and old builds have no such section).
  for (const s of core.sections) if (s.vmsd.name !== 'globalstate') devices[`${s.idstr}#${s.instanceId}`] = canonicalState(s.vmsd, s.state);
  // Block order in ram_list follows max_length, which builds set differently: not guest-visible, so by name.
  const blocks = core.ram.blocks.filter((b) => b.migratable).sort((x, y) => (x.idstr < y.idstr ? -1 : x.idstr > y.idstr ? 1 : 0));
  return { machine: core.machine, ram: blocks.map(snapshotBlockOf), devices };
}

export function snapshotBlockOf(b: RamBlock): RamBlockSnapshot {
  const pages: Record<string, string> = {};
  for (const index of [...b.pages.keys()].sort((x, y) => x - y)) {
    const page = b.pages.get(index)!;
    if (!isZero(page)) pages[String(index)] = pageHash(page);
  }
  return { idstr: b.idstr, usedLength: b.usedLength, pages };
}

const isZero = isAllZero;

/**
 * Two 32-bit multiplicative lanes over 32-bit words (64 bits in all): enough
 * to tell pages apart in a diff, and four times fewer steps than per byte.
 */
export function pageHash(p: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x2545f491;
  const n = p.length & ~3;
  for (let i = 0; i < n; i += 4) {
    const w = p[i]! | (p[i + 1]! << 8) | (p[i + 2]! << 16) | (p[i + 3]! << 24);
    a = Math.imul(a ^ w, 0x01000193);
    b = Math.imul(b ^ w, 0x5bd1e995) ^ (b >>> 15);
  }
  for (let i = n; i < p.length; i++) a = Math.imul(a ^ p[i]!, 0x01000193);
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Fields of a description that are not guest-visible. */
function hiddenKeys(vmsd: VMStateDescription): Set<string> {
  const out = new Set<string>(HOST_TIME_FIELDS[vmsd.name] ?? []);
  const visit = (d: VMStateDescription): void => {
    for (const f of d.fields) if (f.kind === 'timer' || f.kind === 'unused') out.add(f.key ?? f.name);
    for (const sub of d.subsections ?? []) visit(sub);
  };
  visit(vmsd);
  return out;
}

/**
 * States are never mutated in place (copy-on-write edits, fresh objects from
 * a load), so the canonical form of a state object can be kept: a section
 * the workload did not touch is canonicalised once, not on every snapshot.
 */
const canonicalCache = new WeakMap<StateObject, unknown>();
const hiddenCache = new WeakMap<VMStateDescription, Set<string>>();

export function canonicalState(vmsd: VMStateDescription, state: StateObject): unknown {
  let done = canonicalCache.get(state);
  if (done === undefined) {
    done = canonicalize(vmsd, state);
    canonicalCache.set(state, done);
  }
  return done;
}

/** Keys of a description's state that are not guest-visible (cached per description). */
export function hiddenKeysOf(vmsd: VMStateDescription): Set<string> {
  let hidden = hiddenCache.get(vmsd);
  if (!hidden) hiddenCache.set(vmsd, (hidden = hiddenKeys(vmsd)));
  return hidden;
}

function canonicalize(vmsd: VMStateDescription, state: StateObject): unknown {
  const hidden = hiddenKeysOf(vmsd);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(state).sort()) if (!hidden.has(key)) out[key] = canonicalValue(state[key]!);
  return out;
}

function canonicalValue(v: Value): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  // Integer arrays (e1000's 32768 MAC registers) are already canonical; states are never mutated in place.
  if (Array.isArray(v)) return v.every((e) => typeof e === 'number') ? v : v.map(canonicalValue);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v).sort()) out[key] = canonicalValue(v[key]!);
  return out;
}

/** Stable text of a snapshot (what a diff compares). */
export function snapshotText(s: VmSnapshot): string {
  return JSON.stringify(s, null, 1);
}

/** Paths where two snapshots differ (first `limit`), e.g. "devices.mc146818rtc#0.cmos_data". */
export function snapshotDifferences(a: VmSnapshot, b: VmSnapshot, limit = 20): string[] {
  const out: string[] = [];
  const path: string[] = [];
  const walk = (x: unknown, y: unknown): void => {
    if (x === y || out.length >= limit) return;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) {
      out.push(path.join('.'));
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) {
        out.push(path.join('.'));
        return;
      }
      for (let i = 0; i < x.length; i++) {
        if (x[i] === y[i]) continue;
        path.push(String(i));
        walk(x[i], y[i]);
        path.pop();
      }
      return;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    for (const k of Object.keys(xo)) {
      path.push(k);
      walk(xo[k], yo[k]);
      path.pop();
    }
    for (const k of Object.keys(yo)) {
      if (k in xo) continue;
      path.push(k);
      walk(undefined, yo[k]);
      path.pop();
    }
  };
  walk(a, b);
  return out;
}
