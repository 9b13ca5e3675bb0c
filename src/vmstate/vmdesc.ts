/**
 * QEMU's stream vmdesc JSON: parse it (validated and bounded, since it comes
 * off the wire), write it back byte for byte, and convert between it and
 * VMState descriptions.
 *
 * A vmdesc describes what one stream holds, not what a device could hold:
 * a description made from it is a concrete, fixed layout for that section
 * of that stream. Subsections appear in it only when they were sent, so a
 * description made from a vmdesc has exactly those subsections, each with a
 * `needed` that says whether the state being saved has it (see
 * presentInState); a subsection that is in a stream but not in the vmdesc
 * is refused as unknown.
 */
import { LoadError, WireWriter } from '../wire/index.js';
import type { ElementKind, FieldKind, IntType, StateObject, VMStateDescription, VMStateField } from './description.js';
import { INT_WIDTH, fixedElementSize, stateKey } from './field-info.js';
import type { Vmdesc, VmdescDevice, VmdescField, VmdescStruct, VmdescWriter } from './vmdesc-types.js';
import { subsectionsLoaded } from './walker-load.js';
import { saveVMState } from './walker-save.js';

export type { Vmdesc, VmdescDevice, VmdescField, VmdescStruct, VmdescWriter } from './vmdesc-types.js';

export interface VmdescLimits {
  /** Largest vmdesc text accepted, in bytes (QEMU's for a q35 guest is ~45 KB). */
  maxBytes: number;
  /** Deepest struct nesting accepted. */
  maxDepth: number;
  /** Most field entries accepted in the whole vmdesc. */
  maxEntries: number;
  /** Largest array_len / index accepted. */
  maxArrayLen: number;
}

export const DEFAULT_VMDESC_LIMITS: VmdescLimits = {
  maxBytes: 16 << 20,
  maxDepth: 32,
  maxEntries: 1 << 20,
  maxArrayLen: 1 << 20,
};

/** Largest field size accepted: QEMU's vmdesc sizes are C ints. */
const MAX_SIZE = 0x7fffffff;

// ---------------------------------------------------------------------------
// Parsing

interface ParseCtx {
  offset: number;
  limits: VmdescLimits;
  entries: number;
}

function invalid(ctx: ParseCtx, path: string, message: string): never {
  throw new LoadError('vmstate.description-invalid', `Invalid vmdesc: ${path}: ${message}`, ctx.offset, path);
}

/**
 * Parses and validates a vmdesc. `offset` is where the JSON starts in the
 * stream, for error reports. Not JSON (or not UTF-8, or too large) is
 * `stream.vmdesc-invalid`; JSON of the wrong shape is
 * `vmstate.description-invalid` with the JSON path of the offending item.
 */
export function parseVmdesc(input: Uint8Array | string, offset = 0, limits: Partial<VmdescLimits> = {}): Vmdesc {
  const ctx: ParseCtx = { offset, limits: { ...DEFAULT_VMDESC_LIMITS, ...limits }, entries: 0 };
  const length = typeof input === 'string' ? input.length : input.byteLength;
  if (length > ctx.limits.maxBytes) {
    throw new LoadError('stream.vmdesc-invalid', `vmdesc of ${length} bytes exceeds the limit of ${ctx.limits.maxBytes}`, offset, 'vmdesc');
  }
  let json: unknown;
  try {
    const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
    json = JSON.parse(text);
  } catch (e) {
    throw new LoadError('stream.vmdesc-invalid', `vmdesc is not valid JSON: ${(e as Error).message}`, offset, 'vmdesc');
  }
  const top = asObject(ctx, json, 'vmdesc');
  const page_size = asInt(ctx, top['page_size'], 'vmdesc/page_size', 1, 1 << 30);
  const devs = asArray(ctx, top['devices'], 'vmdesc/devices');
  const devices = devs.map((d, i) => parseDevice(ctx, d, `vmdesc/devices[${i}]`));
  return { page_size, devices };
}

/**
 * The validated object with its keys in the order the input had them, so a
 * vmdesc writes back as it was read (QEMU's old-style sections, for one,
 * write "size" before "type"). Keys the format does not have are dropped.
 */
function inInputOrder<T extends object>(validated: T, input: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  const v = validated as Record<string, unknown>;
  for (const k of Object.keys(input)) if (v[k] !== undefined) out[k] = v[k];
  return out as T;
}

function asObject(ctx: ParseCtx, v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(ctx, path, 'expected an object');
  return v as Record<string, unknown>;
}

function asArray(ctx: ParseCtx, v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) invalid(ctx, path, 'expected an array');
  return v;
}

function asString(ctx: ParseCtx, v: unknown, path: string): string {
  if (typeof v !== 'string') invalid(ctx, path, 'expected a string');
  return v;
}

function asInt(ctx: ParseCtx, v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    invalid(ctx, path, `expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function parseDevice(ctx: ParseCtx, v: unknown, path: string): VmdescDevice {
  const o = asObject(ctx, v, path);
    const dev: Partial<VmdescDevice> = {};
  dev.name = asString(ctx, o['name'], `${path}/name`);
  dev.instance_id = asInt(ctx, o['instance_id'], `${path}/instance_id`, 0, 0xffffffff);
  if ('vmsd_name' in o) {
    dev.vmsd_name = asString(ctx, o['vmsd_name'], `${path}/vmsd_name`);
    dev.version = asInt(ctx, o['version'], `${path}/version`, -0x80000000, 0x7fffffff);
  } else {
    // Old-style save_state section: a size and one "data" buffer.
    dev.size = asInt(ctx, o['size'], `${path}/size`, 0, MAX_SIZE);
  }
  dev.fields = parseFields(ctx, o['fields'], `${path}/fields`, 1);
  if ('subsections' in o) dev.subsections = parseSubsections(ctx, o['subsections'], `${path}/subsections`, 1);
  return inInputOrder(dev as VmdescDevice, o);
}

function parseStruct(ctx: ParseCtx, v: unknown, path: string, depth: number): VmdescStruct {
  const o = asObject(ctx, v, path);
  const s: VmdescStruct = {
    vmsd_name: asString(ctx, o['vmsd_name'], `${path}/vmsd_name`),
    version: asInt(ctx, o['version'], `${path}/version`, -0x80000000, 0x7fffffff),
    fields: parseFields(ctx, o['fields'], `${path}/fields`, depth + 1),
  };
  if ('subsections' in o) s.subsections = parseSubsections(ctx, o['subsections'], `${path}/subsections`, depth + 1);
  return inInputOrder(s, o);
}

function parseSubsections(ctx: ParseCtx, v: unknown, path: string, depth: number): VmdescStruct[] {
  return asArray(ctx, v, path).map((s, i) => parseStruct(ctx, s, `${path}[${i}]`, depth));
}

function parseFields(ctx: ParseCtx, v: unknown, path: string, depth: number): VmdescField[] {
  if (depth > ctx.limits.maxDepth) invalid(ctx, path, `nesting deeper than ${ctx.limits.maxDepth}`);
  return asArray(ctx, v, path).map((f, i) => parseField(ctx, f, `${path}[${i}]`, depth));
}

function parseField(ctx: ParseCtx, v: unknown, path: string, depth: number): VmdescField {
  if (++ctx.entries > ctx.limits.maxEntries) invalid(ctx, path, `more than ${ctx.limits.maxEntries} field entries`);
  const o = asObject(ctx, v, path);
  const f: Partial<VmdescField> = {};
  f.name = asString(ctx, o['name'], `${path}/name`);
  if ('array_len' in o) f.array_len = asInt(ctx, o['array_len'], `${path}/array_len`, 2, ctx.limits.maxArrayLen);
  if ('index' in o) f.index = asInt(ctx, o['index'], `${path}/index`, 0, ctx.limits.maxArrayLen - 1);
  if (f.array_len !== undefined && f.index !== undefined) invalid(ctx, path, 'both array_len and index');
  f.type = asString(ctx, o['type'], `${path}/type`);
  if (f.type === 'struct') {
    const st = o['struct'];
    // A NULL element of an array of pointers: QEMU opens and closes an empty "struct".
    const empty = typeof st === 'object' && st !== null && !Array.isArray(st) && Object.keys(st).length === 0;
    f.struct = empty ? {} : parseStruct(ctx, st, `${path}/struct`, depth);
  }
  if ('vmsd_name' in o) {
    f.vmsd_name = asString(ctx, o['vmsd_name'], `${path}/vmsd_name`);
    f.version = asInt(ctx, o['version'], `${path}/version`, -0x80000000, 0x7fffffff);
    f.fields = parseFields(ctx, o['fields'], `${path}/fields`, depth + 1);
    if ('subsections' in o) f.subsections = parseSubsections(ctx, o['subsections'], `${path}/subsections`, depth + 1);
  }
  f.size = asInt(ctx, o['size'], `${path}/size`, 0, MAX_SIZE);
  if ((f.array_len ?? 1) * f.size > MAX_SIZE) invalid(ctx, path, 'array_len * size exceeds 2^31-1');
  return inInputOrder(f as VmdescField, o);
}

// ---------------------------------------------------------------------------
// Writing: QEMU's JSON writer separates with ", " and ": " and writes keys in
// insertion order, which the objects built by the save walker follow.

export function stringifyVmdesc(v: Vmdesc): string {
  return stringifyJson(v);
}

/** One device entry of the vmdesc, as stringifyVmdesc writes it inside "devices". */
export function stringifyVmdescDevice(d: VmdescDevice): string {
  return stringifyJson(d);
}

// One string grown with += (V8 ropes) and a for-in over keys: the
// entries/filter/map/join version allocated several arrays per object and
// was ~7% of a simulated save.
function stringifyJson(v: unknown): string {
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ', ' : '') + stringifyJson(v[i]);
    return `${out}]`;
  }
  if (typeof v === 'object' && v !== null) {
    let out = '{';
    let first = true;
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      const x = o[k];
      if (x === undefined) continue;
      out += (first ? '' : ', ') + quote(k) + ': ' + stringifyJson(x);
      first = false;
    }
    return `${out}}`;
  }
  if (typeof v === 'string') return quote(v);
  return String(v);
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A JSON string as QEMU's json-writer quotes it (qobject/json-writer.c
 * quoted_str): short escapes for quote, backslash, BS, FF, LF, CR, TAB;
 * anything else below 0x20 or from 0x7f up as a u-escape with upper-case
 * hex (UTF-16 units, so beyond the BMP a surrogate pair, as QEMU writes
 * it); "/" as is.
 */
const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** A JSON string exactly as the vmdesc writer quotes it (for text built without a tree). */
export function quoteVmdescString(s: string): string {
  return quote(s);
}

function quote(s: string): string {
  // Field and device names are printable ASCII without quote or backslash: nothing to escape.
  if (PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = s.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code >= 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------
// vmdesc -> description

interface ConvCtx {
  path: string;
}

function convInvalid(path: string, message: string): never {
  throw new LoadError('vmstate.description-invalid', `Invalid vmdesc: ${path}: ${message}`, 0, path);
}

/**
 * `needed` of a subsection made from a vmdesc (or a -dump-vmstate, which
 * has no `needed` either): "present in this state". A
 * state loadVMState produced knows which subsections it read; any other
 * state counts as having the subsection when it holds all of its fields.
 * So a description made from one stream's vmdesc also decodes and re-saves
 * another stream that lacks some of those subsections.
 */
export function presentInState(sub: VMStateDescription): (s: StateObject) => boolean {
  return (s) => {
    const loaded = subsectionsLoaded(s);
    if (loaded) return loaded.has(sub.name);
    return sub.fields.length > 0 && sub.fields.every((f) => f.kind === 'validate' || stateKey(sub, f) in s);
  };
}

/**
 * The concrete layout of one section as the vmdesc describes it. Known info
 * types map to their field kinds; any other type (e.g. "pci config",
 * "virtio", "int32 le") becomes an opaque run of `size` bytes keeping its
 * type name. Wire sizes are cross-checked against the vmdesc's "size".
 */
export function descriptionFromVmdesc(device: VmdescDevice): VMStateDescription {
  const path = device.name;
  if (device.vmsd_name === undefined) {
    // Old-style section: no version in the vmdesc, so any stream version is accepted.
    return {
      name: device.name,
      version_id: 0x7fffffff,
      minimum_version_id: 0,
      fields: fieldsFromVmdesc(device.fields, { path }),
    };
  }
  return structFromVmdesc(
    { vmsd_name: device.vmsd_name, version: device.version ?? 0, fields: device.fields, subsections: device.subsections },
    { path },
  );
}

function structFromVmdesc(s: VmdescStruct, ctx: ConvCtx): VMStateDescription {
  const vmsd: VMStateDescription = {
    name: s.vmsd_name,
    version_id: s.version,
    minimum_version_id: s.version,
    fields: fieldsFromVmdesc(s.fields, ctx),
  };
  if (s.subsections) {
    vmsd.subsections = s.subsections.map((sub) => {
      const d = structFromVmdesc(sub, { path: `${ctx.path}/${sub.vmsd_name}` });
      d.needed = presentInState(d);
      return d;
    });
  }
  return vmsd;
}

function fieldsFromVmdesc(entries: VmdescField[], ctx: ConvCtx): VMStateField[] {
  const out: VMStateField[] = [];
  for (let i = 0; i < entries.length; ) {
    const e = entries[i]!;
    const path = `${ctx.path}/${e.name}`;
    if (e.index !== undefined) {
      const group = indexedGroup(entries, i, path);
      if (group.uniform) {
        out.push(checkedField({ name: e.name, kind: 'array', of: elementFromVmdesc(e, path), length: group.entries.length, meta: { vmdescIndexed: true } }, e, path));
      } else {
        // Elements of different layouts: one field each, keyed name[i].
        for (const el of group.entries) {
          const field = { name: e.name, key: `${e.name}[${el.index}]`, ...scalarFromVmdesc(el, path), meta: { vmdescIndex: el.index } } as VMStateField;
          out.push(checkedField(field, el, `${path}[${el.index}]`));
        }
      }
      i += group.entries.length;
      continue;
    }
    if (e.array_len !== undefined) {
      out.push(checkedField({ name: e.name, kind: 'array', of: elementFromVmdesc(e, path), length: e.array_len, meta: { vmdescIndexed: false } }, e, path));
    } else {
      out.push(checkedField({ name: e.name, ...scalarFromVmdesc(e, path) } as VMStateField, e, path));
    }
    i++;
  }
  return out;
}

/**
 * Entries QEMU wrote element by element ("index" 0..n-1 under one name).
 * They become one array when every element has the same layout (what real
 * QEMU 7.2 streams show), else one field per element.
 */
function indexedGroup(entries: VmdescField[], start: number, path: string): { entries: VmdescField[]; uniform: boolean } {
  const first = entries[start]!;
  if (first.index !== 0) convInvalid(path, `element index ${first.index} without index 0 before it`);
  const shape = (f: VmdescField): string => JSON.stringify({ ...f, index: undefined });
  const group: VmdescField[] = [first];
  let uniform = true;
  for (let j = start + 1; j < entries.length; j++) {
    const f = entries[j]!;
    if (f.name !== first.name || f.index === undefined || f.index === 0) break;
    if (f.index !== group.length) convInvalid(path, `element index ${f.index} out of order`);
    if (shape(f) !== shape(first)) uniform = false;
    group.push(f);
  }
  return { entries: group, uniform };
}

function scalarFromVmdesc(e: VmdescField, path: string): FieldKind {
  switch (e.type) {
    case 'buffer':
      return { kind: 'buffer', size: e.size };
    case 'unused_buffer':
      return { kind: 'unused', size: e.size };
    case 'bitmap':
      if (e.size % 8 !== 0) convInvalid(path, `bitmap of ${e.size} bytes is not whole u64 words`);
      return { kind: 'bitmap', bits: e.size * 8 };
    default:
      return elementFromVmdesc(e, path);
  }
}

const EQUAL_TYPES: Record<string, IntType> = {
  'int8 equal': 'int8',
  'int16 equal': 'int16',
  'int32 equal': 'int32',
  'uint8 equal': 'uint8',
  'uint16 equal': 'uint16',
  'uint32 equal': 'uint32',
  // QEMU's VMSTATE_UINT64_EQUAL uses an info named "int64 equal".
  'int64 equal': 'uint64',
};

function elementFromVmdesc(e: VmdescField, path: string): ElementKind {
  const t = e.type;
  if (t in INT_WIDTH && INT_WIDTH[t as IntType] === e.size) return { kind: 'int', type: t as IntType };
  const eq = EQUAL_TYPES[t];
  if (eq && INT_WIDTH[eq] === e.size) return { kind: 'equal', type: eq };
  if (t === 'bool' && e.size === 1) return { kind: 'bool' };
  if (t === 'timer' && e.size === 8) return { kind: 'timer' };
  if (t === 'struct') {
    if (!e.struct) convInvalid(path, 'struct without "struct"');
    if (!('vmsd_name' in e.struct)) {
      if (e.size !== 1) convInvalid(path, 'an empty "struct" (NULL pointer) takes one marker byte');
      return { kind: 'opaque', info: 'nullptr', size: 1, nullStruct: true };
    }
    return { kind: 'struct', vmsd: structFromVmdesc(e.struct as VmdescStruct, { path }) };
  }
  if ((t === 'tmp' || t === 'vstruct') && e.vmsd_name !== undefined) {
    const vmsd = structFromVmdesc({ vmsd_name: e.vmsd_name, version: e.version ?? 0, fields: e.fields ?? [], subsections: e.subsections }, { path });
    return { kind: 'struct', vmsd, info: t, version: e.version ?? 0 };
  }
  return { kind: 'opaque', info: t, size: e.size };
}

/** The vmdesc's "size" must be what the description writes for one element. */
function checkedField(field: VMStateField, e: VmdescField, path: string): VMStateField {
  const size = elementWireSize(field);
  if (size !== e.size) convInvalid(path, `"size" ${e.size} but the described layout takes ${size} bytes`);
  return field;
}

function elementWireSize(field: VMStateField): number {
  switch (field.kind) {
    case 'buffer':
    case 'unused':
      return field.size;
    case 'bitmap':
      return Math.ceil(field.bits / 64) * 8;
    case 'array':
    case 'varray':
      return elementSize(field.of);
    case 'vbuffer':
    case 'validate':
      return 0;
    default:
      return elementSize(field);
  }
}

function elementSize(kind: ElementKind): number {
  return kind.kind === 'struct' ? descriptionWireSize(kind.vmsd) : fixedElementSize(kind)!;
}

/** Bytes a vmdesc-made (fixed-layout) description takes, subsection headers included. */
function descriptionWireSize(vmsd: VMStateDescription): number {
  let n = 0;
  for (const f of vmsd.fields) n += elementWireSize(f) * (f.kind === 'array' ? f.length : 1);
  for (const sub of vmsd.subsections ?? []) n += 1 + 1 + sub.name.length + 4 + descriptionWireSize(sub);
  return n;
}

// ---------------------------------------------------------------------------
// description -> vmdesc

/**
 * The vmdesc entry QEMU would write for a section holding `state`: saves it
 * into a scratch writer with the vmdesc recorder on (sizes depend on the
 * state: variable buffers, variable arrays, subsections).
 */
export function vmdescFromDescription(
  vmsd: VMStateDescription,
  state: StateObject,
  ids: { name: string; instance_id: number },
): VmdescDevice {
  const node: VmdescWriter = { name: ids.name, instance_id: ids.instance_id };
  saveVMState(new WireWriter(256), vmsd, state, node);
  return node as unknown as VmdescDevice;
}
