import { LoadError, WireReader, type CheckLog } from '../wire/index.js';
import { descriptionFromVmdesc, type VMStateDescription, type VmdescDevice } from '../vmstate/index.js';
import { RAM_SECTION_IDSTR, RAM_SECTION_VERSION, SectionType } from './constants.js';
import { readConfiguration } from './configuration.js';
import { decodeWithDescription, findOpaqueEnd } from './device-body.js';
import type { SectionBody, SectionItem, StreamItem, StreamModel } from './model.js';
import { readRamRecords, streamRamTarget, type RamReadState } from './ram-records.js';
import { KIND_BY_TYPE, readFooter, readStartHeader } from './section-header.js';
import { readStreamHeader } from './stream-header.js';
import { readVmdescSection, vmdescDeviceMap } from './vmdesc-section.js';

export interface ParseOptions {
  /**
   * Descriptions for device sections, e.g. imported from a -dump-vmstate
   * file, used when the stream has no vmdesc entry for a section. Looked up
   * by section idstr, then by the part after the last '/' (the vmsd name of
   * a qdev device: "0000:00:1f.0/ICH9LPC" -> "ICH9LPC").
   */
  descriptions?: Map<string, VMStateDescription>;
  /** Decode device sections field by field (default true); false keeps them opaque. */
  decodeDevices?: boolean;
  /** Force footer expectation; default: footers iff there is a configuration section, corrected by what the stream shows. */
  footers?: boolean;
  /** x-ignore-shared was on at the source (MEM_SIZE entries carry a GPA). */
  ignoreShared?: boolean;
  log?: CheckLog;
}

export interface ParseWarnings {
  warnings: string[];
}

/**
 * Parses a whole stream into a StreamModel without a destination: the
 * structure is checked (framing, footers, RAM records against the stream's
 * own block list) but not compatibility (that is loadStream's job).
 * Device sections are decoded with the stream's vmdesc, else with
 * `opts.descriptions`, else kept opaque (delimited by their footer; see
 * device-body.ts). Problems that do not stop the parse go to `warnings`.
 */
export function parseStream(bytes: Uint8Array, opts: ParseOptions = {}): StreamModel & ParseWarnings {
  const r = new WireReader(bytes);
  const model: StreamModel & ParseWarnings = { version: readStreamHeader(r, opts.log), items: [], warnings: [] };
  if (r.peekU8() === SectionType.CONFIGURATION) {
    const offset = r.pos;
    r.u8();
    model.configuration = readConfiguration(r, offset);
  }
  const ctx: WalkCtx = {
    r,
    opts,
    footers: opts.footers ?? model.configuration !== undefined,
    footersConfirmed: opts.footers === true,
    started: new Map(),
    ram: streamRamTarget(),
    ramState: {},
    vmdesc: vmdescDeviceMap(bytes),
    warnings: model.warnings,
  };
  for (;;) {
    const offset = r.pos;
    const type = r.u8();
    if (type === SectionType.EOF) {
      model.eofOffset = offset;
      break;
    }
    model.items.push(readItem(ctx, type, offset));
  }
  readTail(r, model);
  return model;
}

interface WalkCtx {
  r: WireReader;
  opts: ParseOptions;
  footers: boolean;
  footersConfirmed: boolean;
  started: Map<number, { idstr: string; instanceId: number; versionId: number }>;
  ram: ReturnType<typeof streamRamTarget>;
  ramState: RamReadState;
  vmdesc: Map<string, VmdescDevice> | undefined;
  warnings: string[];
}

function readItem(ctx: WalkCtx, type: number, offset: number): StreamItem {
  const r = ctx.r;
  const kind = KIND_BY_TYPE[type];
  if (kind === 'start' || kind === 'full') {
    const h = readStartHeader(r);
    ctx.started.set(h.sectionId, h);
    return readSection(ctx, kind, offset, h.sectionId, h);
  }
  if (kind === 'part' || kind === 'end') {
    const sectionId = r.u32();
    const h = ctx.started.get(sectionId);
    ctx.opts.log?.reached('stream.unknown-section-id');
    if (!h) throw new LoadError('stream.unknown-section-id', `Unknown savevm section ${sectionId}`, offset, `section ${sectionId}`);
    return readSection(ctx, kind, offset, sectionId, h);
  }
  if (type === SectionType.COMMAND) {
    const command = r.u16();
    const data = r.bytes(r.u16(), 'command data');
    return { kind: 'command', offset, command, data };
  }
  ctx.opts.log?.reached('stream.unknown-section-type');
  throw new LoadError('stream.unknown-section-type', `Unknown savevm section type ${type}`, offset, '');
}

function readSection(
  ctx: WalkCtx,
  kind: SectionItem['type'],
  offset: number,
  sectionId: number,
  h: { idstr: string; instanceId: number; versionId: number },
): SectionItem {
  const r = ctx.r;
  const bodyOffset = r.pos;
  const { body, delimitedByFooter } = readBody(ctx, sectionId, h);
  const footer = delimitedByFooter || hasFooter(ctx);
  if (footer) readFooter(r, sectionId, h.idstr);
  return { kind: 'section', type: kind, offset, sectionId, ...h, bodyOffset, body, footer, end: r.pos };
}

/** After a self-delimited body: a 0x7e can only be a footer (no section type has that value). */
function hasFooter(ctx: WalkCtx): boolean {
  if (ctx.r.peekU8() === SectionType.FOOTER) {
    ctx.footers = ctx.footersConfirmed = true;
    return true;
  }
  // Once the stream has shown footers (or the caller says it has them),
  // every section must have one: returning true lets readFooter report the miss.
  if (ctx.footersConfirmed) return true;
  ctx.footers = false;
  return false;
}

function readBody(
  ctx: WalkCtx,
  sectionId: number,
  h: { idstr: string; instanceId: number; versionId: number },
): { body: SectionBody; delimitedByFooter: boolean } {
  const r = ctx.r;
  const start = r.pos;
  if (h.idstr === RAM_SECTION_IDSTR && h.instanceId === 0) {
    if (h.versionId !== RAM_SECTION_VERSION) {
      // ram_load returns -EINVAL for any other version, with no message of its own.
      const code = h.versionId > RAM_SECTION_VERSION ? 'section.version-too-new' : 'section.version-too-old';
      const message =
        h.versionId > RAM_SECTION_VERSION
          ? `savevm: unsupported version ${h.versionId} for 'ram' v${RAM_SECTION_VERSION}`
          : `error while loading state for instance 0x0 of device 'ram'`;
      throw new LoadError(code, message, start, 'ram');
    }
    const ro = { totalMode: 'strict' as const, path: 'ram', ...(ctx.opts.ignoreShared ? { ignoreShared: true } : {}), ...(ctx.opts.log ? { log: ctx.opts.log } : {}) };
    return { body: { kind: 'ram', records: readRamRecords(r, ctx.ram, ctx.ramState, ro) }, delimitedByFooter: false };
  }
  const desc = ctx.opts.decodeDevices === false ? undefined : findDescription(ctx, h.idstr, h.instanceId);
  if (desc) {
    try {
      const state = decodeWithDescription(r, desc.vmsd, h.versionId, {}, h.idstr, ctx.opts.log);
      if (desc.source === 'descriptions' && ctx.footers && !footerAt(r, sectionId)) {
        // Supplied descriptions (e.g. from -dump-vmstate) are lossy; only the
        // stream's own vmdesc is authoritative about where a body ends.
        throw new LoadError('vmstate.opaque-section', `decode ended at offset ${r.pos}, not at the section footer`, r.pos, h.idstr);
      }
      return { body: { kind: 'vmstate', bytes: r.buf.subarray(start, r.pos), vmsd: desc.vmsd, state, source: desc.source }, delimitedByFooter: false };
    } catch (e) {
      if (!(e instanceof LoadError) || !ctx.footers) throw e;
      // The description did not fit the bytes; with footers the body can still be delimited.
      ctx.warnings.push(`${h.idstr}: decoding with the ${desc.source} description failed (${e.message}); kept opaque`);
      r.pos = start;
    }
  }
  const len = findOpaqueEnd(r, sectionId, h.idstr, ctx.footers);
  return { body: { kind: 'opaque', bytes: r.bytes(len, 'section body') }, delimitedByFooter: true };
}

/** True when a footer for `sectionId` starts at the reader's position. */
function footerAt(r: WireReader, sectionId: number): boolean {
  const b = r.buf;
  const p = r.pos;
  if (p + 5 > b.length || b[p] !== SectionType.FOOTER) return false;
  return ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0 === sectionId;
}

function findDescription(
  ctx: WalkCtx,
  idstr: string,
  instanceId: number,
): { vmsd: VMStateDescription; source: 'vmdesc' | 'descriptions' } | undefined {
  const dev = ctx.vmdesc?.get(`${idstr}#${instanceId}`);
  if (dev) return { vmsd: descriptionFromVmdesc(dev), source: 'vmdesc' };
  const given = ctx.opts.descriptions;
  const vmsd = given?.get(idstr) ?? given?.get(idstr.slice(idstr.lastIndexOf('/') + 1));
  return vmsd ? { vmsd, source: 'descriptions' } : undefined;
}

/** After EOF: an optional vmdesc, then anything else is kept as trailing bytes. */
function readTail(r: WireReader, model: StreamModel): void {
  if (r.atEnd()) return;
  if (r.peekU8() === SectionType.VMDESCRIPTION) model.vmdesc = readVmdescSection(r);
  if (!r.atEnd()) model.trailing = r.bytes(r.remaining);
}
