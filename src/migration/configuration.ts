import { LoadError, latin1, type WireReader, type WireWriter } from '../wire/index.js';
import { SectionType } from './constants.js';
import type { ConfigSubsection, ConfigurationSection } from './model.js';

/**
 * The QEMU_VM_CONFIGURATION section (savevm.c vmstate_configuration): be32
 * name length, the machine type name, then any of three subsections
 * (0x05, name, be32 version, fields). QEMU 7.2 sends target-page-bits only
 * on targets with a variable page size, capabilities only when a
 * validatable capability (x-ignore-shared) is on, uuid only with
 * validate-uuid; an x86 stream with default settings has none.
 */

/** Reads the body after the 0x07 byte. */
export function readConfiguration(r: WireReader, offset: number): ConfigurationSection {
  const path = 'configuration';
  const len = r.u32();
  const name = latin1(r.bytes(len, 'configuration name'));
  const subsections: ConfigSubsection[] = [];
  while (isConfigSubsection(r)) subsections.push(readConfigSubsection(r, path));
  return { offset, name, subsections };
}

/**
 * vmstate_subsection_load's peek: a subsection follows only if the marker,
 * its length byte and a name of at least "configuration" plus one byte that
 * starts with "configuration" are all there; otherwise nothing is consumed
 * and the byte is left to the section loop (which calls a 0x05 there an
 * unknown section type).
 */
function isConfigSubsection(r: WireReader): boolean {
  if (r.remaining < 2 || r.buf[r.pos] !== SectionType.SUBSECTION) return false;
  const len = r.buf[r.pos + 1]!;
  if (len < CONFIGURATION.length + 1 || r.remaining < 2 + len) return false;
  for (let i = 0; i < CONFIGURATION.length; i++) if (r.buf[r.pos + 2 + i] !== CONFIGURATION.charCodeAt(i)) return false;
  return true;
}

const CONFIGURATION = 'configuration';

function readConfigSubsection(r: WireReader, path: string): ConfigSubsection {
  const offset = r.pos;
  r.u8();
  const name = r.shortString('subsection name');
  const version = r.u32();
  switch (name) {
    case 'configuration/target-page-bits':
      return { name, version, offset, targetPageBits: r.u32() };
    case 'configuration/capabilities': {
      const count = r.u32();
      // Each capability takes at least one byte: bound the count before looping.
      r.need(count, 'capabilities');
      const capabilities: string[] = [];
      for (let i = 0; i < count; i++) capabilities.push(r.shortString('capability'));
      return { name, version, offset, capabilities };
    }
    case 'configuration/uuid':
      return { name, version, offset, uuid: r.bytes(16, 'uuid') };
    default:
      throw new LoadError('vmstate.subsection-unknown', `configuration: unknown subsection ${name}`, offset, `${path}/${name}`);
  }
}

export function writeConfiguration(w: WireWriter, c: ConfigurationSection): void {
  w.u8(SectionType.CONFIGURATION);
  w.u32(c.name.length);
  for (let i = 0; i < c.name.length; i++) w.u8(c.name.charCodeAt(i));
  for (const s of c.subsections) {
    w.u8(SectionType.SUBSECTION).shortString(s.name).u32(s.version);
    if (s.name === 'configuration/target-page-bits') w.u32(s.targetPageBits);
    else if (s.name === 'configuration/capabilities') {
      w.u32(s.capabilities.length);
      for (const c of s.capabilities) w.shortString(c);
    } else w.bytes(s.uuid);
  }
}

/**
 * configuration_post_load's machine check: strncmp(received, local, len).
 * Like QEMU it compares only the received length, so a received prefix of
 * the local name passes, and it stops at a NUL byte.
 */
export function machineNameMatches(received: string, local: string): boolean {
  for (let i = 0; i < received.length; i++) {
    const a = received.charCodeAt(i);
    const b = i < local.length ? local.charCodeAt(i) : 0;
    if (a !== b) return false;
    if (a === 0) return true;
  }
  return true;
}
