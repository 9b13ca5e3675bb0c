import { LoadError, type CheckLog, type WireReader } from '../wire/index.js';
import { loadVMState, type StateObject, type VMStateDescription } from '../vmstate/index.js';
import { SectionType } from './constants.js';

/**
 * Finding the end of a device section.
 *
 * With a description (from the stream's vmdesc, from the caller, or the
 * destination's own) the VMState walker reads the body, which both decodes
 * and delimits it. Without one, a body can only be delimited by its footer:
 * streams of machine types >= 2.4 end every section with 0x7e + be32
 * section id, so the body ends at the first such footer that is followed by
 * something that can start the next item (EOF, a section, a command). Body
 * bytes could in principle contain that pattern too; requiring a plausible
 * next item makes a false match unlikely, not impossible, which is why a
 * description is preferred whenever one exists. No footer before the end of
 * the stream is a truncation (`wire.truncated`). Old layouts (no footers)
 * cannot be delimited at all: that is the `vmstate.opaque-section` refusal.
 */

export function decodeWithDescription(
  r: WireReader,
  vmsd: VMStateDescription,
  versionId: number,
  local: StateObject,
  path: string,
  log?: CheckLog,
  opaque?: unknown,
): StateObject {
  const opts: { path: string; log?: CheckLog; opaque?: unknown } = { path };
  if (log) opts.log = log;
  if (opaque !== undefined) opts.opaque = opaque;
  return loadVMState(r, vmsd, versionId, local, opts);
}

/** Length of an opaque body that starts at `r.pos` and ends at its footer. */
export function findOpaqueEnd(r: WireReader, sectionId: number, idstr: string, footers: boolean): number {
  if (!footers) {
    throw new LoadError(
      'vmstate.opaque-section',
      `Section '${idstr}' has no description and the stream has no section footers: its end cannot be found`,
      r.pos,
      idstr,
    );
  }
  const buf = r.buf;
  for (let at = buf.indexOf(SectionType.FOOTER, r.pos); at >= 0; at = buf.indexOf(SectionType.FOOTER, at + 1)) {
    if (at + 5 > buf.length) break;
    const id = ((buf[at + 1]! << 24) | (buf[at + 2]! << 16) | (buf[at + 3]! << 8) | buf[at + 4]!) >>> 0;
    if (id === sectionId && plausibleNextItem(buf, at + 5)) return at - r.pos;
  }
  // The stream ends before the section does: a truncation, as QEMU sees it
  // (its reads past the end return zeros and a sticky -EIO).
  throw new LoadError(
    'wire.truncated',
    `Stream truncated: section '${idstr}' has no footer for section id 0x${sectionId.toString(16)} before the end of the stream`,
    r.pos,
    idstr,
  );
}

function plausibleNextItem(buf: Uint8Array, at: number): boolean {
  const type = buf[at];
  switch (type) {
    case SectionType.EOF:
      // EOF ends the stream or is followed by the vmdesc.
      return at + 1 === buf.length || buf[at + 1] === SectionType.VMDESCRIPTION;
    case SectionType.PART:
    case SectionType.END:
      return at + 5 <= buf.length;
    case SectionType.START:
    case SectionType.FULL: {
      const len = buf[at + 5];
      if (len === undefined || len === 0 || at + 6 + len + 8 > buf.length) return false;
      for (let i = at + 6; i < at + 6 + len; i++) {
        const c = buf[i]!;
        if (c < 0x20 || c > 0x7e) return false;
      }
      return true;
    }
    case SectionType.COMMAND:
      return at + 5 <= buf.length;
    default:
      return false;
  }
}
