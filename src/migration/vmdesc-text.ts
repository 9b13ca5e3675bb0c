/**
 * The vmdesc text of a save, reusing the text of the last save of the same
 * section when its vmdesc tree is the same: a machine saves the same layout
 * again and again (the layout changes only with subsections sent, variable
 * array counts and buffer sizes), and writing ~100 KiB of JSON was the
 * biggest single item of a simulated save. The tree is still built by the
 * save walker and compared in full (values and key order), so the text is
 * always exactly stringifyVmdesc's.
 */
import { stringifyVmdescDevice, type VmdescDevice } from '../vmstate/index.js';

interface CachedDevice {
  tree: VmdescDevice;
  text: string;
}

/**
 * Per section (idstr, instance, vmsd name): the last few trees and their
 * texts. Keyed by name, not by description object, because machines build
 * some descriptions per boot; the key only picks candidates, the full
 * comparison decides. A few variants per key, so a matrix that alternates
 * machine types does not thrash; the map is dropped when it grows past a bound.
 */
const lastTexts = new Map<string, CachedDevice[]>();
const VARIANTS_PER_SECTION = 4;
const MAX_SECTIONS = 8192;

/** The text of `{"page_size": N, "devices": [...]}` exactly as stringifyVmdesc writes it. */
export function vmdescText(pageSize: number, devices: readonly VmdescDevice[]): string {
  return joinDevices(pageSize, devices.map(deviceText));
}

function joinDevices(pageSize: number, texts: readonly string[]): string {
  return `{"page_size": ${pageSize}, "devices": [${texts.join(', ')}]}`;
}

/** The last whole vmdesc encoded: its page size, device texts and bytes. */
let lastWhole: { pageSize: number; texts: string[]; bytes: Uint8Array } | undefined;

/**
 * vmdescText as UTF-8 bytes (a fresh copy each call). When every device
 * text is the one of the last call, the last bytes are copied instead of
 * encoding ~100 KiB again.
 */
export function vmdescBytes(pageSize: number, devices: readonly VmdescDevice[]): Uint8Array {
  const texts = devices.map(deviceText);
  const last = lastWhole;
  if (last && last.pageSize === pageSize && last.texts.length === texts.length && last.texts.every((t, i) => t === texts[i])) {
    return last.bytes.slice();
  }
  const bytes = new TextEncoder().encode(joinDevices(pageSize, texts));
  lastWhole = { pageSize, texts, bytes: bytes.slice() };
  return bytes;
}

function deviceText(tree: VmdescDevice): string {
  const key = `${tree.name}\u0000${tree.instance_id}\u0000${tree.vmsd_name ?? ''}`;
  let variants = lastTexts.get(key);
  if (variants) {
    for (const v of variants) if (sameJson(v.tree, tree)) return v.text;
  } else {
    if (lastTexts.size >= MAX_SECTIONS) lastTexts.clear();
    lastTexts.set(key, (variants = []));
  }
  const text = stringifyVmdescDevice(tree);
  // A private copy: the caller's tree ends up in the model, where it may be edited later.
  variants.unshift({ tree: structuredClone(tree), text });
  if (variants.length > VARIANTS_PER_SECTION) variants.pop();
  return text;
}

/** Same JSON text: same values, same keys in the same order (undefined values count as keys here: stricter is only a cache miss). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameJson(oa[k], ob[k])) return false;
  }
  return true;
}
