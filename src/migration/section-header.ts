import { LoadError, type CheckCode, type WireReader, type WireWriter } from '../wire/index.js';
import { SectionType } from './constants.js';
import type { SectionKind } from './model.js';

/**
 * Section framing (savevm.c save_section_header / save_section_footer):
 * type byte, be32 section id, and for START/FULL a counted idstr, be32
 * instance id and be32 version id; a SECTION_FOOTER is 0x7e + be32 id.
 */
export const KIND_BY_TYPE: Record<number, SectionKind> = {
  [SectionType.START]: 'start',
  [SectionType.PART]: 'part',
  [SectionType.END]: 'end',
  [SectionType.FULL]: 'full',
};

export const TYPE_BY_KIND: Record<SectionKind, number> = {
  start: SectionType.START,
  part: SectionType.PART,
  end: SectionType.END,
  full: SectionType.FULL,
};

export interface StartHeader {
  sectionId: number;
  idstr: string;
  instanceId: number;
  versionId: number;
}

/** After the type byte of a START/FULL section. */
export function readStartHeader(r: WireReader): StartHeader {
  const sectionId = r.u32();
  const idstr = r.shortString('section idstr');
  const instanceId = r.u32();
  const versionId = r.u32();
  return { sectionId, idstr, instanceId, versionId };
}

export function writeSectionHeader(
  w: WireWriter,
  kind: SectionKind,
  sectionId: number,
  start?: { idstr: string; instanceId: number; versionId: number },
): void {
  w.u8(TYPE_BY_KIND[kind]).u32(sectionId);
  if (kind === 'start' || kind === 'full') {
    if (!start) throw new RangeError(`${kind} section ${sectionId} needs idstr, instance and version`);
    w.shortString(start.idstr).u32(start.instanceId).u32(start.versionId);
  }
}

export function writeFooter(w: WireWriter, sectionId: number): void {
  w.u8(SectionType.FOOTER).u32(sectionId);
}

/** check_section_footer: 0x7e then the same section id, QEMU's wording on failure. */
export function readFooter(r: WireReader, sectionId: number, idstr: string, disabled?: ReadonlySet<CheckCode>): void {
  const offset = r.pos;
  // Without the footer-missing check a loader reads a footer only where there is one.
  if (disabled?.has('section.footer-missing') && r.peekU8() !== SectionType.FOOTER) return;
  const mark = r.u8();
  if (mark !== SectionType.FOOTER) {
    throw new LoadError('section.footer-missing', `Missing section footer for ${idstr}`, offset, idstr);
  }
  const read = r.u32();
  if (read !== sectionId && !disabled?.has('section.footer-mismatch')) {
    throw new LoadError(
      'section.footer-mismatch',
      `Mismatched section id in footer for ${idstr} - read 0x${read.toString(16)} expected 0x${sectionId.toString(16)}`,
      offset,
      idstr,
    );
  }
}
