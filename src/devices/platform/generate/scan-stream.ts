/**
 * A minimal reader of a real QEMU 7.2 stream, for the generator: it finds the
 * configuration, the RAM block list (MEM_SIZE), every device section with its
 * header and raw body, and the trailing vmdesc. Device bodies are measured by
 * decoding them with the layout the vmdesc itself gives, so a capture whose
 * vmdesc does not account for every byte fails here instead of producing
 * wrong data. Not the project's stream codec (src/migration owns that).
 */
import { LoadError, WireReader, latin1 } from '../../../wire/index.js';
import { decodeBody } from '../body-codec.js';
import { schemaFromVmdesc, type Vmdesc, type VmdescSection } from '../schema.js';
import type { StateObject } from '../../../vmstate/description.js';

const MAGIC = 0x5145564d; // "QEVM"
enum T { EOF = 0, START = 1, PART = 2, END = 3, FULL = 4, VMDESC = 6, CONFIG = 7, FOOTER = 0x7e }
const RAM_FLAG = { ZERO: 0x02, MEM_SIZE: 0x04, PAGE: 0x08, EOS: 0x10, CONTINUE: 0x20 } as const;
const PAGE_SIZE = 4096;

export interface ScannedSection {
  idstr: string;
  instance_id: number;
  version_id: number;
  body: Uint8Array;
  state: StateObject;
  vmdesc: VmdescSection;
}

export interface ScannedStream {
  machine?: string;
  footers: boolean;
  ramSection?: { idstr: string; instance_id: number; version_id: number };
  ramBlocks: { idstr: string; used_length: number }[];
  sections: ScannedSection[];
  vmdesc: Vmdesc;
}

export function scanStream(buf: Uint8Array): ScannedStream {
  const r = new WireReader(buf);
  if (r.u32() !== MAGIC || r.u32() !== 3) throw new LoadError('stream.bad-magic', 'not a QEVM v3 stream', 0);
  const vmdesc = readVmdesc(buf);
  const out: ScannedStream = { footers: false, ramBlocks: [], sections: [], vmdesc };
  let nextDesc = 0;
  for (;;) {
    const type = r.u8();
    if (type === T.EOF) break;
    if (type === T.CONFIG) {
      out.machine = latin1(r.bytes(r.u32()));
      continue;
    }
    if (type === T.START || type === T.FULL) {
      r.u32(); // section id
      const idstr = r.shortString();
      const instance_id = r.u32();
      const version_id = r.u32();
      if (type === T.START) {
        if (idstr !== 'ram') throw new LoadError('stream.unknown-section', `unexpected iterable section ${idstr}`, r.pos);
        out.ramSection = { idstr, instance_id, version_id };
        readRam(r, out);
      } else {
        const desc = vmdesc.devices[nextDesc++];
        if (!desc || desc.name !== idstr || desc.instance_id !== instance_id) {
          throw new LoadError('stream.vmdesc-invalid', `section ${idstr} does not match vmdesc entry ${desc?.name}`, r.pos);
        }
        const start = r.pos;
        const state = decodeBody(schemaFromVmdesc(desc), r, idstr);
        out.sections.push({ idstr, instance_id, version_id, body: buf.slice(start, r.pos), state, vmdesc: desc });
      }
    } else if (type === T.PART || type === T.END) {
      r.u32();
      readRam(r, out);
    } else {
      throw new LoadError('stream.unknown-section-type', `Unknown savevm section type ${type}`, r.pos - 1);
    }
    if (r.peekU8() === T.FOOTER) {
      out.footers = true;
      r.skip(5);
    }
  }
  return out;
}

function readRam(r: WireReader, out: ScannedStream): void {
  for (;;) {
    const word = r.u64();
    const flags = Number(word & 0xfffn);
    if (flags & RAM_FLAG.EOS) return;
    if (flags & RAM_FLAG.MEM_SIZE) {
      let total = word & ~0xfffn;
      while (total > 0n) {
        const idstr = r.shortString('block name');
        const len = r.u64();
        out.ramBlocks.push({ idstr, used_length: Number(len) });
        total -= len;
      }
      continue;
    }
    if (!(flags & RAM_FLAG.CONTINUE)) r.shortString('block name');
    if (flags & RAM_FLAG.ZERO) r.skip(1);
    else if (flags & RAM_FLAG.PAGE) r.skip(PAGE_SIZE);
    else throw new LoadError('ram.unknown-flags', `Unknown combination of migration flags: 0x${flags.toString(16)}`, r.pos - 8);
  }
}

/** The vmdesc follows EOF as 0x06, be32 length, JSON; found by its known prefix. */
function readVmdesc(buf: Uint8Array): Vmdesc {
  const text = latin1(buf.subarray(Math.max(0, buf.length - (1 << 20))));
  const at = text.lastIndexOf('{"page_size"');
  if (at < 0) throw new LoadError('stream.vmdesc-invalid', 'stream has no vmdesc (suppress-vmdesc?)', buf.length);
  return JSON.parse(text.slice(at)) as Vmdesc;
}
