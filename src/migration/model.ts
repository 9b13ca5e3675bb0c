import type { StateObject, VMStateDescription } from '../vmstate/index.js';

/**
 * A parsed migration stream, item by item, with the byte offset of each item
 * so an analyzer or a mutator can point at it. Every byte of the input is
 * represented, so `encodeStream(parseStream(x))` reproduces `x` exactly.
 */
export interface StreamModel {
  /** Stream version word (3 for every stream QEMU 7.2 writes). */
  version: number;
  /** Present when the stream has a QEMU_VM_CONFIGURATION section (machine types >= 2.4). */
  configuration?: ConfigurationSection;
  items: StreamItem[];
  /** Offset of the QEMU_VM_EOF byte, when the stream has one. */
  eofOffset?: number;
  vmdesc?: VmdescSection;
  /** Bytes after EOF (and after the vmdesc) that QEMU would not read. */
  trailing?: Uint8Array;
}

export interface ConfigurationSection {
  offset: number;
  /** The machine type name, latin1 (QEMU compares it with strncmp over its length). */
  name: string;
  subsections: ConfigSubsection[];
}

/** configuration/target-page-bits, configuration/capabilities, configuration/uuid. */
export type ConfigSubsection =
  | { name: 'configuration/target-page-bits'; version: number; targetPageBits: number; offset: number }
  | { name: 'configuration/capabilities'; version: number; capabilities: string[]; offset: number }
  | { name: 'configuration/uuid'; version: number; uuid: Uint8Array; offset: number };

export type SectionKind = 'start' | 'part' | 'end' | 'full';

export type StreamItem = SectionItem | CommandItem;

export interface SectionItem {
  kind: 'section';
  type: SectionKind;
  offset: number;
  sectionId: number;
  /** From the header for start/full; resolved from the matching start for part/end. */
  idstr: string;
  /** Header fields, start/full only (part/end carry the start's values for convenience). */
  instanceId: number;
  versionId: number;
  bodyOffset: number;
  body: SectionBody;
  /** Whether a SECTION_FOOTER follows the body. */
  footer: boolean;
  /** Offset just past the section (after its footer). */
  end: number;
}

/** QEMU_VM_COMMAND: u16 command, u16 length, data. */
export interface CommandItem {
  kind: 'command';
  offset: number;
  command: number;
  data: Uint8Array;
}

export type SectionBody = RamBody | VMStateBody | OpaqueBody;

/** The "ram" section: a sequence of RAM records ending with EOS. */
export interface RamBody {
  kind: 'ram';
  records: RamRecord[];
}

/** A device section decoded with a description (the stream's vmdesc or one supplied). */
export interface VMStateBody {
  kind: 'vmstate';
  /** The exact bytes (a view into the input when parsed). Delete to have encodeStream save `state` with `vmsd` instead. */
  bytes?: Uint8Array;
  vmsd: VMStateDescription;
  state: StateObject;
  /** Where the description came from. */
  source: 'vmdesc' | 'descriptions' | 'local';
}

/** A section kept as bytes; delimited by its footer (see parse-stream.ts). */
export interface OpaqueBody {
  kind: 'opaque';
  bytes: Uint8Array;
}

export type RamRecord = MemSizeRecord | ZeroRecord | PageRecord | EosRecord;

interface RamRecordBase {
  offset: number;
  /** Exact RAM_SAVE_FLAG_* bits as on the wire (CONTINUE included). */
  flags: number;
  /** Page-aligned address part of the header word (the MEM_SIZE total for MEM_SIZE). */
  addr: bigint;
}

export interface MemSizeRecord extends RamRecordBase {
  type: 'mem-size';
  blocks: MemSizeBlock[];
}

export interface MemSizeBlock {
  /** As sent; QEMU uses it only up to a NUL (wire cString), the rest is kept for a byte-exact re-encode. */
  idstr: string;
  length: bigint;
  /** Present only with postcopy-ram and a block whose page size differs from the host's. */
  pageSize?: bigint;
  /** Present only with x-ignore-shared. */
  gpa?: bigint;
}

export interface ZeroRecord extends RamRecordBase {
  type: 'zero';
  /** The block named by this record, as sent (QEMU uses it up to a NUL: blockResolved); absent when CONTINUE reuses the previous one. */
  block?: string;
  /** The block the record applies to (resolved through CONTINUE). */
  blockResolved: string;
  fill: number;
  /**
   * A run: this record stands for itself and `run - 1` records that follow it
   * on the wire, each exactly CONTINUE|ZERO (0x22) with the same fill byte at
   * the next page. Absent means 1. A fresh guest is mostly such runs, so this
   * keeps a parsed 4 GiB stream a few objects instead of a million.
   */
  run?: number;
}

export interface PageRecord extends RamRecordBase {
  type: 'page';
  block?: string;
  blockResolved: string;
  /** TARGET_PAGE_SIZE bytes, a view into the input. */
  data: Uint8Array;
}

export interface EosRecord extends RamRecordBase {
  type: 'eos';
}

export interface VmdescSection {
  offset: number;
  /** The raw JSON bytes (kept for a byte-exact re-encode). */
  raw: Uint8Array;
  /** Parsed JSON, or undefined when it is not valid JSON. */
  json?: unknown;
}
