/**
 * Default NIC MAC addresses. QEMU gives every NIC created without `mac=`
 * 52:54:00:12:34:56 + n, n counting such NICs in creation order
 * (net/net.c qemu_macaddr_default_if_unset). The recorded layouts come from
 * one capture with e1000 created first (…:56) and virtio-net-pci second
 * (…:57), so a machine whose NICs come in another order, or with `mac=`,
 * needs its MAC rewritten: virtio-net's mac field, decoded by
 * src/devices/virtio, and e1000's EEPROM words and receive address registers.
 */
import type { StateObject, Value } from '../vmstate/index.js';
import { isPlainState } from './state-edit.js';
import { virtioNetWithMac, virtioPciLayoutOfField } from '../devices/virtio/index.js';

/** Index each NIC had in the recorded capture (OPTIONAL_DEVICES order: e1000, virtio-net-pci). */
export const RECORDED_NIC_INDEX: Record<string, number> = { e1000: 0, 'virtio-net-pci': 1 };

const PREFIX = [0x52, 0x54, 0x00, 0x12, 0x34];

export function defaultMac(index: number): number[] {
  return [...PREFIX, (0x56 + index) & 0xff];
}

/** Parses a mac= property ("52:54:00:aa:bb:cc"); undefined when malformed. */
export function parseMac(text: string): number[] | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  return parts.map((p) => parseInt(p, 16));
}

function sameBytes(a: Uint8Array, at: number, b: number[]): boolean {
  for (let i = 0; i < b.length; i++) if (a[at + i] !== b[i]) return false;
  return true;
}

/** Every occurrence of MAC `from` in byte buffers replaced by `to` (copy-on-write). */
function replaceInBytes(v: Uint8Array, from: number[], to: number[]): Uint8Array {
  let out: Uint8Array | undefined;
  for (let i = v.indexOf(from[0]!); i >= 0 && i + 6 <= v.length; i = v.indexOf(from[0]!, i + 1)) {
    if (!sameBytes(v, i, from)) continue;
    out ??= v.slice();
    out.set(to, i);
  }
  return out ?? v;
}

function word(lo: number, hi: number): number {
  return lo | (hi << 8);
}

/** e1000: EEPROM words 0..2 and RAL0/RAH0 (in the RA sub-array and the full register file). */
function replaceE1000(state: StateObject, from: number[], to: number[]): StateObject {
  let s = state;
  const ee = s['eeprom_data'];
  if (Array.isArray(ee) && [0, 1, 2].every((k) => ee[k] === word(from[2 * k]!, from[2 * k + 1]!))) {
    const copy = ee.slice();
    for (const k of [0, 1, 2]) copy[k] = word(to[2 * k]!, to[2 * k + 1]!);
    s = { ...s, eeprom_data: copy };
  }
  const ral = (m: number[]): number => (m[0]! | (m[1]! << 8) | (m[2]! << 16) | (m[3]! << 24)) >>> 0;
  const rah = (m: number[]): number => (m[4]! | (m[5]! << 8) | 0x80000000) >>> 0;
  const swap = (arr: Value[], at: number): Value[] => {
    if (arr[at] !== ral(from) || arr[at + 1] !== rah(from)) return arr;
    const copy = arr.slice();
    copy[at] = ral(to);
    copy[at + 1] = rah(to);
    return copy;
  };
  const ra = s['mac_reg[0]'];
  if (Array.isArray(ra)) s = { ...s, 'mac_reg[0]': swap(ra, 0) };
  const full = s['mac_reg'];
  if (Array.isArray(full)) s = { ...s, mac_reg: swap(full, 0x5400 >> 2) };
  return s;
}

function replaceDeep(state: StateObject, from: number[], to: number[]): StateObject {
  let out = state;
  for (const [k, v] of Object.entries(state)) {
    let nv: Value = v;
    if (v instanceof Uint8Array) nv = replaceInBytes(v, from, to);
    else if (isPlainState(v)) nv = replaceDeep(v, from, to);
    if (nv !== v) out = { ...out, [k]: nv };
  }
  return out;
}

/** The section state with the NIC's MAC changed from the recorded one to `to`. */
export function withMac(driver: string, state: StateObject, to: number[]): StateObject {
  const recorded = RECORDED_NIC_INDEX[driver];
  if (recorded === undefined) return state;
  const from = defaultMac(recorded);
  if (from.every((b, i) => b === to[i])) return state;
  if (driver === 'e1000') return replaceE1000(replaceDeep(state, from, to), from, to);
  const field = state['virtio'];
  return field instanceof Uint8Array ? { ...state, virtio: virtioNetWithMac(field, virtioPciLayoutOfField(field), to) } : state;
}
