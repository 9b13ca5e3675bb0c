/**
 * Test helper: finds the body of every device section of a real QEMU stream
 * from its trailing vmdesc. It does not parse the stream (that is
 * src/migration's job); it looks, in stream order, for each device's FULL
 * section header as QEMU's save_section_header writes it:
 *   0x04, be32 section_id, u8 len, idstr, be32 instance_id, be32 version_id
 * and returns where its body starts.
 */
import { parseVmdesc, type Vmdesc, type VmdescDevice } from '../../../src/vmstate/vmdesc.js';

export interface FoundSection {
  device: VmdescDevice;
  bodyStart: number;
  /** Where the next item starts: footer (0x7e) or the next section header. */
  version: number;
}

export function vmdescOf(stream: Uint8Array): { vmdesc: Vmdesc; jsonStart: number } {
  // QEMU_VM_VMDESCRIPTION (0x06), be32 length, JSON that runs to the end.
  const text = new TextDecoder('latin1').decode(stream);
  const jsonStart = text.lastIndexOf('{"page_size"');
  if (jsonStart < 5) throw new Error('no vmdesc in stream');
  return { vmdesc: parseVmdesc(stream.subarray(jsonStart), jsonStart), jsonStart };
}

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function indexOf(hay: Uint8Array, needle: number[], from: number, to: number): number {
  outer: for (let i = from; i + needle.length <= to; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export function findSections(stream: Uint8Array): FoundSection[] {
  const { vmdesc, jsonStart } = vmdescOf(stream);
  const out: FoundSection[] = [];
  let pos = 0;
  for (const device of vmdesc.devices) {
    const version = device.version ?? 0;
    const name = [...device.name].map((c) => c.charCodeAt(0));
    const needle = [name.length, ...name, ...be32(device.instance_id), ...be32(version)];
    let at = indexOf(stream, needle, pos, jsonStart);
    while (at >= 0 && stream[at - 5] !== 0x04) at = indexOf(stream, needle, at + 1, jsonStart);
    if (at < 0) throw new Error(`section ${device.name} not found`);
    const bodyStart = at + needle.length;
    out.push({ device, bodyStart, version });
    pos = bodyStart;
  }
  return out;
}
