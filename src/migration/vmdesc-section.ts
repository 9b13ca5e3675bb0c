import { LoadError, type WireReader, type WireWriter } from '../wire/index.js';
import { parseVmdesc, type VmdescDevice } from '../vmstate/index.js';
import { SectionType } from './constants.js';
import type { VmdescSection } from './model.js';

/**
 * The trailing QEMU_VM_VMDESCRIPTION: 0x06, be32 length, JSON text.
 *
 * Device sections are decoded with the vmdesc, but it comes after them. It is
 * found first the way scripts/analyze-migration.py finds it: the JSON holds
 * no NUL byte, so it starts at the first '{' after the last NUL of the
 * stream, and the 5 bytes before it must be 0x06 and a be32 length that
 * fits. The walker later confirms the vmdesc really sits right after EOF.
 */
export function locateVmdesc(bytes: Uint8Array): { offset: number; raw: Uint8Array } | undefined {
  const nul = bytes.lastIndexOf(0);
  if (nul < 0) return undefined;
  // The be32 length itself may hold a 0x7b byte after its last zero byte,
  // so try each brace within the 4 bytes that can still belong to it.
  for (let brace = bytes.indexOf(0x7b, nul); brace >= 0 && brace <= nul + 5; brace = bytes.indexOf(0x7b, brace + 1)) {
    if (brace < 5 || bytes[brace - 5] !== SectionType.VMDESCRIPTION) continue;
    const len = ((bytes[brace - 4]! << 24) | (bytes[brace - 3]! << 16) | (bytes[brace - 2]! << 8) | bytes[brace - 1]!) >>> 0;
    if (len <= bytes.length - brace) return { offset: brace - 5, raw: bytes.subarray(brace, brace + len) };
  }
  return undefined;
}

/** Reads a vmdesc after its 0x06 byte has been seen (not consumed). */
export function readVmdescSection(r: WireReader): VmdescSection {
  const offset = r.pos;
  r.u8();
  const len = r.u32();
  const raw = r.bytes(len, 'vmdesc');
  const section: VmdescSection = { offset, raw };
  try {
    section.json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    // Kept as raw bytes; a consumer that needs the JSON refuses it then.
  }
  return section;
}

export function writeVmdescSection(w: WireWriter, raw: Uint8Array): void {
  w.u8(SectionType.VMDESCRIPTION).u32(raw.length).bytes(raw);
}

export function vmdescInvalid(offset: number, message: string): LoadError {
  return new LoadError('stream.vmdesc-invalid', message, offset, 'vmdesc');
}

/** The devices of the stream's vmdesc by "idstr#instance", if the stream ends with a valid one. */
export function vmdescDeviceMap(bytes: Uint8Array): Map<string, VmdescDevice> | undefined {
  const found = locateVmdesc(bytes);
  if (!found) return undefined;
  try {
    return new Map(parseVmdesc(found.raw, found.offset + 5).devices.map((d) => [`${d.name}#${d.instance_id}`, d]));
  } catch {
    // An invalid vmdesc decodes nothing; sections fall back to footers.
    return undefined;
  }
}
