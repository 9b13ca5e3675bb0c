import { mapStream, type PageRecord, type SectionEntry, type StreamMap } from './stream-map.js';

/**
 * Byte-level mutations of a real QEMU stream, each aimed at one structural
 * hazard. Pure functions: bytes in, new bytes out, the input never touched.
 * Structure is located with `mapStream`, so every cut and every patched byte
 * lands exactly on the boundary or field it is named for.
 */

export interface Mutation {
  /** Stable name, used as the test name and in the verdict table. */
  name: string;
  /** What the bytes now say, for the report. */
  what: string;
  bytes: Uint8Array;
}

function copy(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf);
}

function setU32(buf: Uint8Array, at: number, v: number): void {
  new DataView(buf.buffer, buf.byteOffset).setUint32(at, v >>> 0);
}

function setU64(buf: Uint8Array, at: number, v: bigint): void {
  new DataView(buf.buffer, buf.byteOffset).setBigUint64(at, v);
}

function fullSection(map: StreamMap, name: string): SectionEntry {
  const s = map.sections.find((x) => x.type === 0x04 && x.name === name);
  if (!s) throw new Error(`stream has no FULL section ${name}`);
  return s;
}

export function truncate(buf: Uint8Array, at: number): Uint8Array {
  return buf.slice(0, at);
}

export function badMagic(buf: Uint8Array): Uint8Array {
  const out = copy(buf);
  out[0] = 0x58; // 'X' for 'Q': QEVM -> XEVM
  return out;
}

export function streamVersion(buf: Uint8Array, version: number): Uint8Array {
  const out = copy(buf);
  setU32(out, 4, version);
  return out;
}

/** Rewrites a section idstr in place; the replacement must have the same length so nothing else moves. */
export function renameSection(buf: Uint8Array, map: StreamMap, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('rename must keep the idstr length');
  const s = fullSection(map, from);
  const out = copy(buf);
  for (let i = 0; i < to.length; i++) out[s.nameOffset! + 1 + i] = to.charCodeAt(i);
  return out;
}

export function sectionType(buf: Uint8Array, map: StreamMap, name: string, type: number): Uint8Array {
  const out = copy(buf);
  out[fullSection(map, name).offset] = type;
  return out;
}

export function sectionVersion(buf: Uint8Array, map: StreamMap, name: string, version: number): Uint8Array {
  const out = copy(buf);
  setU32(out, fullSection(map, name).versionOffset!, version);
  return out;
}

export function footerId(buf: Uint8Array, map: StreamMap, name: string, id: number): Uint8Array {
  const out = copy(buf);
  setU32(out, fullSection(map, name).footerOffset + 1, id);
  return out;
}

/** Replaces the footer marker byte, so the section is followed by something that is not a footer. */
export function dropFooterMarker(buf: Uint8Array, map: StreamMap, name: string): Uint8Array {
  const out = copy(buf);
  out[fullSection(map, name).footerOffset] = 0x00;
  return out;
}

/**
 * Changes one MEM_SIZE entry's used_length, and the total by the same amount:
 * QEMU walks the block list until the total is used up, so a total left alone
 * would desynchronise the list instead of testing the length check.
 */
export function ramBlockLength(buf: Uint8Array, map: StreamMap, idstr: string, length: bigint): Uint8Array {
  const b = map.ramBlocks.find((x) => x.idstr === idstr);
  if (!b) throw new Error(`stream has no RAM block ${idstr}`);
  const out = copy(buf);
  setU64(out, b.lengthOffset, length);
  const total = map.ramTotal - b.length + length;
  setU64(out, map.ramTotalOffset, total | 0x04n);
  return out;
}

/** Renames a RAM block in the MEM_SIZE list (same length). Pages still name the old block, but QEMU stops at the list. */
export function renameRamBlock(buf: Uint8Array, map: StreamMap, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('rename must keep the idstr length');
  const b = map.ramBlocks.find((x) => x.idstr === from);
  if (!b) throw new Error(`stream has no RAM block ${from}`);
  const out = copy(buf);
  for (let i = 0; i < to.length; i++) out[b.nameOffset + 1 + i] = to.charCodeAt(i);
  return out;
}

function namedPage(map: StreamMap, block: string): PageRecord {
  const p = map.pages.find((x) => x.block === block && x.nameOffset !== undefined);
  if (!p) throw new Error(`no page record names ${block}`);
  return p;
}

/** Renames the block a page record names (same length); the MEM_SIZE list is left intact. */
export function renamePageBlock(buf: Uint8Array, map: StreamMap, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('rename must keep the idstr length');
  const p = namedPage(map, from);
  const out = copy(buf);
  for (let i = 0; i < to.length; i++) out[p.nameOffset! + 1 + i] = to.charCodeAt(i);
  return out;
}

/**
 * Replaces the counted idstr whose length byte is at `nameOffset` by `name`
 * (latin1, any length up to 255): what follows moves, which a stream read
 * front to back allows (the vmdesc at the end holds no offsets).
 */
function withIdstr(buf: Uint8Array, nameOffset: number, name: string): Uint8Array {
  const bytes = Uint8Array.from(name, (c) => c.charCodeAt(0));
  if (bytes.length > 255) throw new Error('an idstr is at most 255 bytes');
  const oldEnd = nameOffset + 1 + buf[nameOffset]!;
  const out = new Uint8Array(buf.length - (oldEnd - nameOffset) + 1 + bytes.length);
  out.set(buf.subarray(0, nameOffset));
  out[nameOffset] = bytes.length;
  out.set(bytes, nameOffset + 1);
  out.set(buf.subarray(oldEnd), nameOffset + 1 + bytes.length);
  return out;
}

/** The MEM_SIZE entry of `block` names itself `name` (length may change). */
export function ramListIdstr(buf: Uint8Array, map: StreamMap, block: string, name: string): Uint8Array {
  const b = map.ramBlocks.find((x) => x.idstr === block);
  if (!b) throw new Error(`stream has no RAM block ${block}`);
  return withIdstr(buf, b.nameOffset, name);
}

/** The first page record naming `block` names `name` instead (length may change). */
export function pageIdstr(buf: Uint8Array, map: StreamMap, block: string, name: string): Uint8Array {
  return withIdstr(buf, namedPage(map, block).nameOffset!, name);
}

/** Moves the first page record naming `block` to another page address (flags kept). */
export function pageAddress(buf: Uint8Array, map: StreamMap, block: string, addr: bigint): Uint8Array {
  const p = namedPage(map, block);
  const out = copy(buf);
  setU64(out, p.offset, addr | BigInt(p.flags));
  return out;
}

/** Replaces the flags of the very first page record (its idstr stays, so only the flag check can fire). */
export function firstPageFlags(buf: Uint8Array, map: StreamMap, flags: number): Uint8Array {
  const p = map.pages[0]!;
  const out = copy(buf);
  setU64(out, p.offset, p.addr | BigInt(flags));
  return out;
}

/**
 * Turns the very first page record into a CONTINUE record: the flag is set
 * and its idstr cut out, so it refers to a "previous block" that was never named.
 */
export function continueWithoutBlock(buf: Uint8Array, map: StreamMap): Uint8Array {
  const p = map.pages[0]!;
  if (p.nameOffset === undefined) throw new Error('first page record already uses CONTINUE');
  const nameLen = 1 + buf[p.nameOffset]!;
  const out = new Uint8Array(buf.length - nameLen);
  out.set(buf.subarray(0, p.nameOffset));
  out.set(buf.subarray(p.nameOffset + nameLen), p.nameOffset);
  setU64(out, p.offset, p.addr | BigInt(p.flags | 0x20));
  return out;
}

/**
 * Sets `table_mr_size` in fw_cfg's `fw_cfg/acpi_mr` subsection (0x05, name,
 * be32 version, then table_mr_size, linker_mr_size, rsdp_mr_size as be64).
 * QEMU 7.2's fw_cfg post_load resizes the ACPI tables region to this value,
 * after RAM has been loaded.
 */
export function fwCfgAcpiTableSize(buf: Uint8Array, map: StreamMap, size: bigint): Uint8Array {
  const at = findSubsection(buf, map, 'fw_cfg', 'fw_cfg/acpi_mr');
  const out = copy(buf);
  setU64(out, at + 2 + 'fw_cfg/acpi_mr'.length + 4, size);
  return out;
}

/** Offset of a subsection's 0x05 marker (0x05, u8 length, name, be32 version) inside a FULL section. */
export function findSubsection(buf: Uint8Array, map: StreamMap, section: string, sub: string): number {
  const s = fullSection(map, section);
  const marker = [0x05, sub.length, ...Array.from(sub, (c) => c.charCodeAt(0))];
  for (let i = s.offset; i + marker.length <= s.footerOffset; i++) {
    if (marker.every((b, k) => buf[i + k] === b)) return i;
  }
  throw new Error(`section ${section} has no subsection ${sub}`);
}

/** Renames a subsection in place (same length). */
export function renameSubsection(buf: Uint8Array, map: StreamMap, section: string, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('rename must keep the name length');
  const at = findSubsection(buf, map, section, from);
  const out = copy(buf);
  for (let i = 0; i < to.length; i++) out[at + 2 + i] = to.charCodeAt(i);
  return out;
}

export function subsectionVersion(buf: Uint8Array, map: StreamMap, section: string, sub: string, version: number): Uint8Array {
  const at = findSubsection(buf, map, section, sub);
  const out = copy(buf);
  setU32(out, at + 2 + sub.length, version);
  return out;
}

/**
 * Writes bytes at an offset inside a FULL section's body (0 = the first byte
 * after the version word). Offsets come from the stream's vmdesc field sizes.
 */
export function patchSectionBody(buf: Uint8Array, map: StreamMap, section: string, at: number, bytes: readonly number[]): Uint8Array {
  const s = fullSection(map, section);
  const start = s.versionOffset! + 4 + at;
  if (start + bytes.length > s.footerOffset) throw new Error(`patch beyond the body of ${section}`);
  const out = copy(buf);
  out.set(bytes, start);
  return out;
}

/** Which sections the standard mutations aim at; they exist in every pc-q35 / pc-i440fx stream. */
export interface MutationTargets {
  /** A FULL device section with version 1 (version 2 is then too new). */
  versionedSection: string;
  versionedSectionVersion: number;
  /** A FULL device section whose destination minimum_version_id is above 0. */
  minVersionSection: string;
  minVersionSectionMinimum: number;
  /** The resizeable ACPI tables block and its destination max_length. */
  acpiBlock: string;
  acpiMax: bigint;
}

export const Q35_TARGETS: MutationTargets = {
  // pcspk: version_id 1 in QEMU 7.2's -dump-vmstate (isa-pcspk) and in the stream header.
  versionedSection: 'pcspk',
  versionedSectionVersion: 1,
  // mc146818rtc: version_id 3, minimum_version_id 1 in QEMU 7.2's -dump-vmstate.
  minVersionSection: 'mc146818rtc',
  minVersionSectionMinimum: 1,
  acpiBlock: '/rom@etc/acpi/tables',
  // info ramblock "Total" for /rom@etc/acpi/tables on pc-q35-7.2: 0x200000.
  acpiMax: 0x200000n,
};

/** The standard set of mutations of a stream with footers and a vmdesc (machine types 2.4+). */
export function standardMutations(buf: Uint8Array, t: MutationTargets = Q35_TARGETS): Mutation[] {
  const map = mapStream(buf);
  if (map.configEnd === undefined || !map.footers || map.vmdescOffset === undefined) {
    throw new Error('standard mutations need a stream with configuration, footers and vmdesc');
  }
  const ramStart = map.sections[0]!;
  const firstBlock = map.ramBlocks[0]!;
  const device = fullSection(map, t.versionedSection);
  const last = map.sections[map.sections.length - 1]!;
  const midVmdesc = map.vmdescOffset + 5 + Math.floor((map.vmdescLength ?? 0) / 2);
  const renamed = t.versionedSection.slice(0, -1) + (t.versionedSection.endsWith('q') ? 'x' : 'q');
  const cuts: Mutation[] = [
    { name: 'truncate-after-header', what: 'magic and version only', bytes: truncate(buf, map.headerEnd) },
    { name: 'truncate-after-config', what: 'stops after the configuration section', bytes: truncate(buf, map.configEnd) },
    {
      name: 'truncate-inside-ram-setup',
      what: `stops inside the MEM_SIZE list, after ${firstBlock.idstr}'s idstr`,
      bytes: truncate(buf, firstBlock.lengthOffset),
    },
    {
      name: 'truncate-after-ram-setup',
      what: 'stops after the RAM START section footer',
      bytes: truncate(buf, ramStart.end),
    },
    {
      name: 'truncate-between-sections',
      what: `stops between device sections, right before ${t.versionedSection}`,
      bytes: truncate(buf, device.offset),
    },
    { name: 'truncate-before-eof', what: 'all sections, no EOF byte', bytes: truncate(buf, map.eofOffset) },
    { name: 'truncate-after-eof', what: 'EOF but no vmdesc', bytes: truncate(buf, map.eofOffset + 1) },
    { name: 'truncate-inside-vmdesc', what: 'vmdesc JSON cut in half', bytes: truncate(buf, midVmdesc) },
  ];
  return [
    ...cuts,
    { name: 'bad-magic', what: 'XEVM instead of QEVM', bytes: badMagic(buf) },
    { name: 'stream-version-2', what: 'stream version 2', bytes: streamVersion(buf, 2) },
    { name: 'stream-version-4', what: 'stream version 4', bytes: streamVersion(buf, 4) },
    {
      name: 'unknown-section-name',
      what: `section ${t.versionedSection} renamed ${renamed}`,
      bytes: renameSection(buf, map, t.versionedSection, renamed),
    },
    {
      name: 'unknown-section-type',
      what: `section type byte of ${t.versionedSection} set to 0x42`,
      bytes: sectionType(buf, map, t.versionedSection, 0x42),
    },
    {
      name: 'footer-id-mismatch',
      what: `footer of ${t.versionedSection} carries id ${device.id + 1}`,
      bytes: footerId(buf, map, t.versionedSection, device.id + 1),
    },
    {
      name: 'footer-missing',
      what: `footer marker of ${t.versionedSection} replaced by 0x00`,
      bytes: dropFooterMarker(buf, map, t.versionedSection),
    },
    {
      name: 'last-footer-missing',
      what: `footer marker of the last section (${last.name ?? last.id}) replaced by 0x00`,
      bytes: dropFooterMarker(buf, map, last.name ?? ''),
    },
    {
      name: 'section-version-too-new',
      what: `${t.versionedSection} version ${t.versionedSectionVersion + 1}, destination has ${t.versionedSectionVersion}`,
      bytes: sectionVersion(buf, map, t.versionedSection, t.versionedSectionVersion + 1),
    },
    {
      name: 'section-version-too-old',
      what: `${t.minVersionSection} version ${t.minVersionSectionMinimum - 1}, destination minimum ${t.minVersionSectionMinimum}`,
      bytes: sectionVersion(buf, map, t.minVersionSection, t.minVersionSectionMinimum - 1),
    },
    {
      name: 'acpi-tables-beyond-max',
      what: `${t.acpiBlock} used_length 0x${(t.acpiMax + 0x10000n).toString(16)} > max 0x${t.acpiMax.toString(16)}`,
      bytes: ramBlockLength(buf, map, t.acpiBlock, t.acpiMax + 0x10000n),
    },
    {
      name: 'acpi-tables-resize-within-max',
      what: `${t.acpiBlock} used_length 0x${(t.acpiMax / 2n).toString(16)} within max (a resize, expected accepted)`,
      bytes: ramBlockLength(buf, map, t.acpiBlock, t.acpiMax / 2n),
    },
    {
      name: 'pc-ram-size-mismatch',
      what: `${firstBlock.idstr} used_length doubled to 0x${(firstBlock.length * 2n).toString(16)}`,
      bytes: ramBlockLength(buf, map, firstBlock.idstr, firstBlock.length * 2n),
    },
    { name: 'unknown-ram-block', what: 'RAM block pc.rom renamed pc.rox', bytes: renameRamBlock(buf, map, 'pc.rom', 'pc.rox') },
    {
      name: 'page-unknown-block',
      what: 'the first page record of pc.rom names pc.rox (MEM_SIZE list intact)',
      bytes: renamePageBlock(buf, map, 'pc.rom', 'pc.rox'),
    },
    {
      name: 'page-offset-beyond-used',
      what: `the /rom@etc/acpi/rsdp page moved to 0x1000, its used_length`,
      bytes: pageAddress(buf, map, '/rom@etc/acpi/rsdp', 0x1000n),
    },
    { name: 'page-continue-without-block', what: 'first page record uses CONTINUE with no block named before', bytes: continueWithoutBlock(buf, map) },
    { name: 'page-unknown-flags', what: 'first page record flags set to 0x800', bytes: firstPageFlags(buf, map, 0x800) },
    ...deviceMutations(buf, map),
  ];
}

/**
 * Field-level mutations of pc-q35-7.2 device sections. Offsets follow the
 * stream's vmdesc: `0000:00:00.0/mch` starts with its PCIDevice (int32 le
 * version_id, then 256 bytes of config); `0000:00:1f.3/ich9_smb` has its bool
 * `irq_enabled` right after its 276-byte PCIDevice (4 + 256 + 16).
 */
function deviceMutations(buf: Uint8Array, map: StreamMap): Mutation[] {
  const mch = '0000:00:00.0/mch';
  const smb = '0000:00:1f.3/ich9_smb';
  if (!map.sections.some((s) => s.name === mch) || !map.sections.some((s) => s.name === smb)) return [];
  const vendorLow = buf[fullSection(map, mch).versionOffset! + 4 + 4]!;
  return [
    {
      name: 'pci-config-readonly-byte',
      what: `${mch} config[0] (vendor id, read-only) 0x${vendorLow.toString(16)} -> 0x${(vendorLow ^ 0xff).toString(16)}`,
      bytes: patchSectionBody(buf, map, mch, 4, [vendorLow ^ 0xff]),
    },
    {
      name: 'pci-device-version-too-new',
      what: `${mch} PCIDevice version_id (int32 le) 3, the device's is 2`,
      bytes: patchSectionBody(buf, map, mch, 0, [0, 0, 0, 3]),
    },
    { name: 'subsection-unknown', what: 'fw_cfg subsection fw_cfg/dma renamed fw_cfg/dmb', bytes: renameSubsection(buf, map, 'fw_cfg', 'fw_cfg/dma', 'fw_cfg/dmb') },
    { name: 'subsection-version-too-new', what: 'fw_cfg/acpi_mr version 2, the destination has 1', bytes: subsectionVersion(buf, map, 'fw_cfg', 'fw_cfg/acpi_mr', 2) },
    { name: 'bool-value-2', what: `${smb} irq_enabled (bool) byte set to 2`, bytes: patchSectionBody(buf, map, smb, 276, [2]) },
  ];
}
