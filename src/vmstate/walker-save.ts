/**
 * Saves one VMState section body, the inverse of loadVMState and a model of
 * QEMU's vmstate_save_state (migration/vmstate.c): pre_save on a copy,
 * fields that exist at the description's version, then each subsection whose
 * `needed` holds (0x05, name length, name, be32 version, body).
 *
 * With a VmdescWriter it also records the vmdesc JSON QEMU would write for
 * the section, with QEMU's quirks: non-unique field names get "[n]"; an
 * array is described once ("array_len", size of one element) unless QEMU
 * cannot compress it (a field_exists, or a struct with subsections), then
 * element by element ("index"); an array of one element looks like a
 * scalar; a zero-length array and VMSTATE_VALIDATE leave no entry.
 */
import type { WireWriter } from '../wire/index.js';
import type { ElementKind, IntType, StateObject, VMStateDescription, VMStateField, Value } from './description.js';
import { arrayAsBytes, BYTE_RUN_MIN } from './byte-array.js';
import { bitmapWords, elementTypeName, fieldExists, fieldNamePlan, plannedName } from './field-info.js';
import type { VmdescField, VmdescStruct, VmdescWriter } from './vmdesc-types.js';
import { carrySubsectionsLoaded, QEMU_VM_SUBSECTION } from './walker-load.js';

/** Saving a state that does not fit its description is a programming error, not a LoadError. */
export class SaveError extends Error {
  override readonly name = 'SaveError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
  }
}

export interface SaveOptions {
  /** Save at this version instead of vmsd.version_id (QEMU vmstate_save_state_v). */
  versionId?: number;
  path?: string;
}

export function saveVMState(
  w: WireWriter,
  vmsd: VMStateDescription,
  state: StateObject,
  desc?: VmdescWriter,
  opts: SaveOptions = {},
): void {
  saveDescription(w, vmsd, state, opts.versionId ?? vmsd.version_id, desc, opts.path ?? vmsd.name);
}

function saveDescription(
  w: WireWriter,
  vmsd: VMStateDescription,
  state: StateObject,
  versionId: number,
  desc: VmdescWriter | undefined,
  path: string,
): void {
  // pre_save runs on a copy (the caller's state is never changed); without
  // one the state is only read, so no copy is needed.
  let s = state;
  if (vmsd.pre_save) {
    s = { ...state };
    carrySubsectionsLoaded(state, s);
    const refusal = vmsd.pre_save(s);
    if (refusal) throw new SaveError(`pre-save failed: ${vmsd.name}: ${refusal.message}`, refusal.field ? `${path}/${refusal.field}` : path);
  }
  let fields: VmdescField[] | undefined;
  if (desc) {
    desc.vmsd_name = vmsd.name;
    desc.version = versionId;
    fields = desc.fields = [];
  }
  const plan = fieldNamePlan(vmsd);
  const list = vmsd.fields;
  for (let i = 0; i < list.length; i++) {
    const field = list[i]!;
    if (field.kind === 'validate') continue; // no bytes, no vmdesc entry
    if (!fieldExists(field, s, versionId)) continue;
    const name = plannedName(plan, vmsd, i, field);
    const key = field.key ?? name;
    saveField(w, vmsd, field, s, fields, `${path}/${key}`, key, name);
  }
  saveSubsections(w, vmsd, s, desc, path);
}

function saveSubsections(
  w: WireWriter,
  vmsd: VMStateDescription,
  s: StateObject,
  desc: VmdescWriter | undefined,
  path: string,
): void {
  for (const sub of vmsd.subsections ?? []) {
    if (sub.needed && !sub.needed(s)) continue;
    let node: VmdescWriter | undefined;
    if (desc) {
      node = {};
      (desc.subsections ??= []).push(node as VmdescStruct);
    }
    if (sub.name.length > 255) throw new SaveError(`subsection name longer than 255 bytes`, path);
    w.u8(QEMU_VM_SUBSECTION);
    w.shortString(sub.name);
    w.u32(sub.version_id);
    saveDescription(w, sub, s, sub.version_id, node, `${path}/${sub.name}`);
  }
}

/** The elements a field writes, each with its element writer; QEMU's n_elems loop. */
function elementsOf(vmsd: VMStateDescription, field: VMStateField, s: StateObject, path: string): number {
  switch (field.kind) {
    case 'array':
      return field.length;
    case 'varray': {
      const n = s[field.countField];
      if (typeof n !== 'number' && typeof n !== 'bigint') throw new SaveError(`count field '${field.countField}' is not an integer`, path);
      return Number(n);
    }
    default:
      return 1;
  }
}

/** QEMU's vmsd_can_compress: may the vmdesc describe all elements with the first one? */
export function canCompress(field: VMStateField): boolean {
  if (field.meta?.vmdescIndexed !== undefined) return !field.meta.vmdescIndexed;
  if (field.field_exists) return false;
  const of = field.kind === 'array' || field.kind === 'varray' ? field.of : field;
  if (of.kind === 'struct' && !of.info) {
    if (of.vmsd.subsections !== undefined) return false;
    return of.vmsd.fields.every(canCompress);
  }
  return true;
}

export function fieldTypeName(field: VMStateField): string {
  switch (field.kind) {
    case 'buffer':
    case 'vbuffer':
      return 'buffer';
    case 'unused':
      return 'unused_buffer';
    case 'bitmap':
      return 'bitmap';
    case 'array':
    case 'varray':
      return elementTypeName(field.of);
    case 'validate':
      return 'unknown';
    default:
      return elementTypeName(field);
  }
}

function saveField(
  w: WireWriter,
  vmsd: VMStateDescription,
  field: VMStateField,
  s: StateObject,
  fields: VmdescField[] | undefined,
  path: string,
  key: string,
  vmdescName: string,
): void {
  const value = s[key];
  const n = elementsOf(vmsd, field, s, path);
  const compress = canCompress(field);
  let descFields = fields;
  const intOf = (field.kind === 'array' || field.kind === 'varray') && field.of.kind === 'int' ? field.of : undefined;
  for (let i = 0; i < n; i++) {
    if (intOf && !descFields && i > 0) {
      // Nothing more to describe: the rest of an int array in one tight loop (same bytes, same errors).
      writeIntRun(w, intOf.type, value, i, n, path);
      return;
    }
    const asElement = field.meta?.vmdescIndex;
    const entry: VmdescWriter | undefined = descFields
      ? { name: asElement === undefined ? vmdescName : field.name }
      : undefined;
    if (entry && asElement !== undefined) entry.index = asElement;
    else if (entry && n > 1) {
      if (compress) entry.array_len = n;
      else entry.index = i;
    }
    let nested: VmdescWriter | undefined;
    if (entry) {
      entry.type = fieldTypeName(field);
      const of = field.kind === 'array' || field.kind === 'varray' ? field.of : field;
      if (of.kind === 'struct') {
        if (of.info) nested = entry;
        else nested = entry.struct = {};
      } else if (of.kind === 'opaque' && of.nullStruct) {
        entry.struct = {};
      }
    }
    const before = w.pos;
    saveOne(w, field, s, value, i, nested, path);
    if (entry && descFields) {
      entry.size = w.pos - before;
      descFields.push(entry as unknown as VmdescField);
      if (compress) descFields = undefined;
    }
  }
}

/** Writes element `i` of a field (or the whole of a non-array field). */
function saveOne(
  w: WireWriter,
  field: VMStateField,
  s: StateObject,
  value: Value | undefined,
  i: number,
  desc: VmdescWriter | undefined,
  path: string,
): void {
  switch (field.kind) {
    case 'buffer':
      return writeBytes(w, value, field.size, path);
    case 'unused':
      // Bytes kept from a load are written back as read; a fresh state writes zeros, as QEMU does.
      if (value instanceof Uint8Array && value.length === field.size) w.bytes(value);
      else w.fill(0, field.size);
      return;
    case 'vbuffer': {
      // The size field goes on the wire first and the loader trusts it: they must agree.
      const size = s[field.sizeField];
      if (typeof size !== 'number' && typeof size !== 'bigint') throw new SaveError(`size field '${field.sizeField}' is not an integer`, path);
      return writeBytes(w, value, Number(size), path);
    }
    case 'bitmap':
      return writeBitmap(w, value, field.bits, path);
    case 'array':
    case 'varray': {
      if (!Array.isArray(value)) throw new SaveError('array value missing', path);
      // Int elements (e.g. ICH9LPC's 16 KiB chip_config) skip the per-element
      // path string: it is built only if the element is not an integer.
      if (field.of.kind === 'int') {
        const v = value[i];
        if (typeof v !== 'number' && typeof v !== 'bigint') throw new SaveError('integer value missing', `${path}[${i}]`);
        return writeInt(w, field.of.type, v);
      }
      return saveElement(w, field.of, value[i], desc, `${path}[${i}]`);
    }
    case 'validate':
      return;
    default:
      return saveElement(w, field, value, desc, path);
  }
}

/** Elements [from, n) of an int array, as saveOne would write them one by one. */
export function writeIntRun(w: WireWriter, type: IntType, value: Value | undefined, from: number, n: number, path: string): void {
  if (!Array.isArray(value)) throw new SaveError('array value missing', path);
  if ((type === 'uint8' || type === 'int8') && n - from >= BYTE_RUN_MIN) {
    const bytes = arrayAsBytes(value);
    if (bytes && n <= bytes.length) {
      w.bytes(bytes.subarray(from, n));
      return;
    }
  }
  for (let i = from; i < n; i++) {
    const v = value[i];
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new SaveError('integer value missing', `${path}[${i}]`);
    writeInt(w, type, v);
  }
}

function writeBytes(w: WireWriter, value: Value | undefined, size: number | undefined, path: string): void {
  if (!(value instanceof Uint8Array)) throw new SaveError('buffer value missing', path);
  if (size !== undefined && value.length !== size) throw new SaveError(`buffer holds ${value.length} bytes, field has ${size}`, path);
  w.bytes(value);
}

function writeBitmap(w: WireWriter, value: Value | undefined, bits: number, path: string): void {
  const words = bitmapWords(bits);
  if (!Array.isArray(value) || value.length !== words) throw new SaveError(`bitmap needs ${words} u64 words`, path);
  for (const word of value) w.u64(asInteger(word, path));
}

function asInteger(v: Value | undefined, path: string): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  throw new SaveError('integer value missing', path);
}

function saveElement(w: WireWriter, kind: ElementKind, value: Value | undefined, desc: VmdescWriter | undefined, path: string): void {
  switch (kind.kind) {
    case 'int':
    case 'equal':
      return writeInt(w, kind.type, asInteger(value, path));
    case 'bool':
      if (typeof value !== 'boolean' && typeof value !== 'number') throw new SaveError('bool value missing', path);
      w.u8(value ? 1 : 0);
      return;
    case 'timer':
      w.i64(asInteger(value, path));
      return;
    case 'opaque':
      return writeBytes(w, value, kind.size, path);
    case 'struct': {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
        throw new SaveError('struct value missing', path);
      }
      const version = kind.info === 'vstruct' ? kind.version ?? kind.vmsd.version_id : kind.vmsd.version_id;
      saveDescription(w, kind.vmsd, value, version, desc, path);
      return;
    }
  }
}

export function writeInt(w: WireWriter, type: Extract<ElementKind, { kind: 'int' }>['type'], v: number | bigint): void {
  switch (type) {
    case 'int8':
    case 'uint8':
      w.u8(Number(v));
      return;
    case 'int16':
    case 'uint16':
      w.u16(Number(v));
      return;
    case 'int32':
    case 'uint32':
      // ToUint32 of an integer number is the same modulo 2^32 as BigInt.asUintN, without two bigints;
      // anything else keeps the bigint route (and its RangeError for a non-integer).
      if (typeof v === 'number' && Number.isInteger(v)) w.u32(v >>> 0);
      else w.u32(Number(BigInt.asUintN(32, BigInt(v))));
      return;
    case 'int64':
      w.i64(v);
      return;
    case 'uint64':
      w.u64(v);
      return;
  }
}
