import { WireWriter } from '../wire/index.js';
import { TARGET_PAGE_SIZE, isAllZero, migratableBlocks, migratableTotal, type RamList } from '../memory/index.js';
import {
  saveFast,
  saveVMState,
  stringifyVmdescDevice,
  type StateObject,
  type VMStateDescription,
  type VmdescDevice,
  type VmdescWriter,
} from '../vmstate/index.js';
import { QEMU_VM_FILE_VERSION, RAM_SECTION_IDSTR, RAM_SECTION_VERSION, RamFlag } from './constants.js';
import type { RamRecord, SectionItem, StreamItem, StreamModel, VmdescSection, ZeroRecord } from './model.js';

/**
 * Builds a StreamModel the way QEMU 7.2's savevm writes one, so the emulator
 * core can save streams: header, configuration, the RAM START section
 * (MEM_SIZE list of migratable blocks, EOS), RAM PART/END passes with the
 * pages given (ZERO for an all-zero page, PAGE otherwise, idstr only when
 * the block changes, else CONTINUE, as save_page_header does), device FULL
 * sections saved from descriptions, footers, EOF and the vmdesc.
 * Offsets in the built model are 0; encodeStream gives the bytes.
 */
export interface SourceSpec {
  /** Machine type for the configuration section; absent: no configuration (machine types <= 2.3). */
  configuration?: string;
  footers: boolean;
  vmdesc: boolean;
  ram?: RamSource;
  devices: DeviceSource[];
}

export interface RamSource {
  sectionId: number;
  list: RamList;
  /** Pages to send per block idstr, one entry per pass; the last pass is the END section. */
  passes: RamPass[];
}

/**
 * One pass: per block, the pages sent, with their content as it was when
 * the pass was taken (page arrays are never mutated in place, so holding
 * the reference is a snapshot). `data` undefined: a zero page.
 */
export type RamPass = Map<string, PassPage[]>;
export interface PassPage {
  index: number;
  data: Uint8Array | undefined;
}

export interface DeviceSource {
  sectionId: number;
  idstr: string;
  instanceId: number;
  vmsd: VMStateDescription;
  state: StateObject;
  /** Save at this version (default vmsd.version_id). */
  versionId?: number;
}

export function buildStream(spec: SourceSpec): StreamModel {
  const items: StreamItem[] = [];
  const vmdescTexts: string[] = [];
  if (spec.ram) items.push(...ramSections(spec.ram, spec.footers));
  items.push(...deviceSections(spec.devices, spec.footers, spec.vmdesc ? vmdescTexts : undefined));
  const model: StreamModel = { version: QEMU_VM_FILE_VERSION, items, eofOffset: 0 };
  if (spec.configuration !== undefined) model.configuration = { offset: 8, name: spec.configuration, subsections: [] };
  if (spec.vmdesc) model.vmdesc = builtVmdesc(vmdescTexts);
  return model;
}

/**
 * The last built vmdesc and the device entries it was joined from. An entry
 * describes a section's layout, not its values, so a machine saved again
 * (or another of the same configuration) gives the same entries: the joined
 * text and its bytes (~40 KB for a q35 guest) are then the last ones.
 * `raw` is shared between such models; like every model's bytes it is
 * never written.
 */
let lastVmdesc: { texts: string[]; text: string; raw: Uint8Array } | undefined;

function builtVmdesc(texts: string[]): VmdescSection {
  const last = lastVmdesc;
  if (last && sameTexts(texts, last.texts)) return vmdescSection(last.text, last.raw);
  const text = `{"page_size": ${TARGET_PAGE_SIZE}, "devices": [${texts.join(', ')}]}`;
  const section = vmdescSection(text);
  lastVmdesc = { texts, text, raw: section.raw };
  return section;
}

function sameTexts(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const VMDESC_TEXT = Symbol('vmdescText');
const VMDESC_JSON = Symbol('vmdescJson');
type BuiltVmdesc = VmdescSection & { [VMDESC_TEXT]: string; [VMDESC_JSON]?: unknown };

/**
 * One accessor pair for every built vmdesc, reading the text from the
 * section. A pair made per section (closures over its text) gave every
 * section a hidden class of its own, and that old-generation map kept the
 * ~40 KB text alive through every young-generation GC until a full one.
 */
const JSON_ACCESSOR: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: BuiltVmdesc): unknown {
    return (this[VMDESC_JSON] ??= JSON.parse(this[VMDESC_TEXT]));
  },
  set(this: BuiltVmdesc, v: unknown): void {
    this[VMDESC_JSON] = v;
  },
};

/**
 * The vmdesc of a built stream from its text. The text is ASCII (the
 * writer escapes everything outside 0x20-0x7e), so latin1 is its UTF-8.
 * `json` is parsed from it only when someone asks (a save never does).
 */
function vmdescSection(text: string, raw?: Uint8Array): VmdescSection {
  let bytes = raw;
  if (!bytes) {
    const b = Buffer.from(text, 'latin1');
    bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const section: VmdescSection = { offset: 0, raw: bytes };
  Object.defineProperty(section, VMDESC_TEXT, { value: text, writable: true });
  Object.defineProperty(section, 'json', JSON_ACCESSOR);
  return section;
}

function section(
  type: SectionItem['type'],
  sectionId: number,
  idstr: string,
  instanceId: number,
  versionId: number,
  body: SectionItem['body'],
  footer: boolean,
): SectionItem {
  return { kind: 'section', type, offset: 0, sectionId, idstr, instanceId, versionId, bodyOffset: 0, body, footer, end: 0 };
}

function ramSections(ram: RamSource, footers: boolean): SectionItem[] {
  const blocks = migratableBlocks(ram.list);
  const setup: RamRecord[] = [
    {
      type: 'mem-size',
      offset: 0,
      flags: RamFlag.MEM_SIZE,
      addr: migratableTotal(ram.list),
      blocks: blocks.map((b) => ({ idstr: b.idstr, length: BigInt(b.usedLength) })),
    },
    eos(),
  ];
  const out = [section('start', ram.sectionId, RAM_SECTION_IDSTR, 0, RAM_SECTION_VERSION, { kind: 'ram', records: setup }, footers)];
  const last: { block?: string } = {};
  ram.passes.forEach((pass, i) => {
    const records = [...pageRecords(ram.list, pass, last), eos()];
    const type = i === ram.passes.length - 1 ? 'end' : 'part';
    out.push(section(type, ram.sectionId, RAM_SECTION_IDSTR, 0, RAM_SECTION_VERSION, { kind: 'ram', records }, footers));
  });
  return out;
}

function eos(): RamRecord {
  return { type: 'eos', offset: 0, flags: RamFlag.EOS, addr: 0n };
}

/**
 * The page records of one pass, with successive zero pages folded into runs
 * as they are generated (no object per zero page; see ZeroRecord.run).
 */
function pageRecords(list: RamList, pass: RamPass, last: { block?: string }): RamRecord[] {
  const out: RamRecord[] = [];
  let run: ZeroRecord | undefined;
  let runNext = -1;
  for (const block of migratableBlocks(list)) {
    for (const { index, data } of pass.get(block.idstr) ?? []) {
      const cont = last.block === block.idstr;
      last.block = block.idstr;
      const zero = !data || isZero(data);
      if (zero && cont && run && run.blockResolved === block.idstr && index === runNext) {
        run.run = (run.run ?? 1) + 1;
        runNext++;
        continue;
      }
      // Object literals of one shape per kind (no spreads): a record per dirty page on every pass.
      const addr = BigInt(index * TARGET_PAGE_SIZE);
      const id = block.idstr;
      if (zero) {
        const flags = RamFlag.ZERO | (cont ? RamFlag.CONTINUE : 0);
        run = cont ? { type: 'zero', offset: 0, addr, blockResolved: id, flags, fill: 0 } : { type: 'zero', offset: 0, addr, blockResolved: id, block: id, flags, fill: 0 };
        runNext = index + 1;
        out.push(run);
      } else {
        run = undefined;
        const flags = RamFlag.PAGE | (cont ? RamFlag.CONTINUE : 0);
        out.push(cont ? { type: 'page', offset: 0, addr, blockResolved: id, flags, data: data! } : { type: 'page', offset: 0, addr, blockResolved: id, block: id, flags, data: data! });
      }
    }
  }
  return out;
}

const isZero = isAllZero;

/** Bytes of all device bodies of the last build: the next build's one writer starts that big. */
let lastDevicesSize = 4096;

/**
 * All device bodies of one build go into one writer (sized as the last
 * build's), each section's bytes a view of it: one allocation instead of a
 * writer and a copy per section. A view taken before the writer grew still
 * reads the right bytes from the buffer it was taken from.
 */
function deviceSections(devices: DeviceSource[], footers: boolean, vmdesc: string[] | undefined): SectionItem[] {
  const w = new WireWriter(lastDevicesSize);
  const out = devices.map((d) => deviceSection(w, d, footers, vmdesc));
  lastDevicesSize = Math.max(4096, w.pos);
  return out;
}

function deviceSection(w: WireWriter, d: DeviceSource, footers: boolean, vmdesc: string[] | undefined): SectionItem {
  const start = w.pos;
  const versionId = d.versionId ?? d.vmsd.version_id;
  // The compiled save writes the vmdesc entry as text; when it gives up, the
  // full walker saves (and throws its SaveError) and its tree is stringified.
  let text = saveFast(w, d.vmsd, d.state, versionId, vmdesc ? { name: d.idstr, instance_id: d.instanceId } : undefined);
  if (text === undefined) {
    const desc: VmdescWriter | undefined = vmdesc ? { name: d.idstr, instance_id: d.instanceId } : undefined;
    saveVMState(w, d.vmsd, d.state, desc, { versionId, path: d.idstr });
    text = desc ? stringifyVmdescDevice(desc as unknown as VmdescDevice) : '';
  }
  vmdesc?.push(text);
  const bytes = w.finish().subarray(start);
  return section('full', d.sectionId, d.idstr, d.instanceId, versionId, { kind: 'vmstate', bytes, vmsd: d.vmsd, state: d.state, source: 'local' }, footers);
}

/** A pass of the pages in the blocks' dirty logs, snapshotted now; clears the logs. */
export function passFromDirtyLog(list: RamList): RamPass {
  const pass: RamPass = new Map();
  for (const b of migratableBlocks(list)) {
    const indices = [...b.dirty].sort((x, y) => x - y);
    pass.set(b.idstr, indices.map((index) => ({ index, data: b.pages.get(index) })));
    b.dirty = new Set();
  }
  return pass;
}

/** A pass of every page of every migratable block (QEMU's first pass), snapshotted now; clears the logs. */
export function passAllPages(list: RamList): RamPass {
  const pass: RamPass = new Map();
  for (const b of migratableBlocks(list)) {
    const n = Math.ceil(b.usedLength / TARGET_PAGE_SIZE);
    const pages = new Array<PassPage>(n);
    const held = b.pages;
    for (let index = 0; index < n; index++) pages[index] = { index, data: held.size ? held.get(index) : undefined };
    pass.set(b.idstr, pages);
    b.dirty = new Set();
  }
  return pass;
}
