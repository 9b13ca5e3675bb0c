/**
 * Reads and writes a section body laid out by a PlatformSchema, byte for byte
 * as QEMU's vmstate_save_state / vmstate_load_state do: the fields in order,
 * then each subsection that is present as QEMU_VM_SUBSECTION (0x05), a
 * one-byte name length, the name, a be32 version and the subsection body.
 *
 * Used by the generator to take default state out of real captures, and by
 * the tests to prove a schema accounts for every byte of a real section.
 */
import { LoadError, WireReader, WireWriter, type CheckLog } from '../../wire/index.js';
import type { StateObject, Value } from '../../vmstate/description.js';
import type { PlatformField, PlatformSchema } from './schema.js';

const QEMU_VM_SUBSECTION = 0x05;

const INT_TYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64']);

/** `uint32`, `int32 equal` ... -> the integer type, or undefined for other infos. */
export function intTypeOf(type: string): string | undefined {
  const base = type.endsWith(' equal') ? type.slice(0, -' equal'.length) : type;
  return INT_TYPES.has(base) ? base : undefined;
}

export function decodeBody(schema: PlatformSchema, r: WireReader, path: string, log?: CheckLog): StateObject {
  const state: StateObject = {};
  for (const f of schema.fields) state[f.name] = decodeField(f, r, `${path}/${f.name}`, log);
  decodeSubsections(schema, r, state, path, log);
  return state;
}

function decodeField(f: PlatformField, r: WireReader, path: string, log?: CheckLog): Value {
  if (f.len === undefined) return decodeElement(f, r, path, log);
  const out: Value[] = [];
  for (let i = 0; i < f.len; i++) out.push(decodeElement(f, r, `${path}[${i}]`, log));
  return out;
}

function decodeElement(f: PlatformField, r: WireReader, path: string, log?: CheckLog): Value {
  r.path = path;
  if (f.struct) return decodeBody(f.struct, r, path, log);
  switch (intTypeOf(f.type)) {
    case 'int8': return r.i8();
    case 'int16': return r.i16();
    case 'int32': return r.i32();
    case 'int64': return r.i64();
    case 'uint8': return r.u8();
    case 'uint16': return r.u16();
    case 'uint32': return r.u32();
    case 'uint64': return r.u64();
  }
  if (f.type === 'bool') return r.u8() !== 0;
  if (f.type === 'timer') return r.i64();
  // buffers, padding and custom infos (pci config, virtio, ...): the bytes as written.
  return r.bytes(f.size, f.name).slice();
}

function decodeSubsections(schema: PlatformSchema, r: WireReader, state: StateObject, path: string, log?: CheckLog): void {
  while (r.peekU8() === QEMU_VM_SUBSECTION) {
    const start = r.pos;
    // Like QEMU, peek the name first: an unknown subsection is an error, not data.
    const look = new WireReader(r.buf, r.pos + 1);
    const name = look.shortString('subsection name');
    // QEMU (vmstate_subsection_load) leaves a subsection whose name does not
    // start with this vmsd's name to the enclosing description.
    if (!name.startsWith(schema.name)) return;
    const sub = schema.subsections?.find((s) => s.name === name);
    log?.reached('vmstate.subsection-unknown');
    if (!sub) throw new LoadError('vmstate.subsection-unknown', `unknown subsection '${name}'`, start, `${path}/${name}`);
    r.pos = look.pos;
    const version = r.u32();
    log?.reached('vmstate.subsection-version');
    if (version !== sub.version) {
      throw new LoadError('vmstate.subsection-version', `${name}: version ${version} != recorded ${sub.version}`, start, `${path}/${name}`);
    }
    const body = decodeBody(sub, r, `${path}/${name}`, log);
    for (const [k, v] of Object.entries(body)) state[k] = v;
  }
}

/**
 * Subsection presence is carried by the state itself: a subsection is written
 * when every one of its fields is a key of the state object. Decoding a real
 * body produces exactly those keys, so decode-then-encode is the identity.
 */
export function subsectionPresent(sub: PlatformSchema, state: StateObject): boolean {
  return sub.fields.length > 0 && sub.fields.every((f) => Object.prototype.hasOwnProperty.call(state, f.name));
}

export function encodeBody(schema: PlatformSchema, state: StateObject, w: WireWriter): void {
  for (const f of schema.fields) encodeField(f, valueOf(state, f.name, schema.name), w);
  for (const sub of schema.subsections ?? []) {
    if (!subsectionPresent(sub, state)) continue;
    w.u8(QEMU_VM_SUBSECTION).shortString(sub.name).u32(sub.version);
    encodeBody({ ...sub, subsections: sub.subsections ?? [] }, state, w);
  }
}

function valueOf(state: StateObject, name: string, owner: string): Value {
  const v = state[name];
  if (v === undefined) throw new Error(`encodeBody: ${owner} state lacks field ${name}`);
  return v;
}

function encodeField(f: PlatformField, v: Value, w: WireWriter): void {
  if (f.len === undefined) return encodeElement(f, v, w);
  if (!Array.isArray(v) || v.length !== f.len) throw new Error(`encodeBody: ${f.name} must be an array of ${f.len}`);
  for (const e of v) encodeElement(f, e, w);
}

function encodeElement(f: PlatformField, v: Value, w: WireWriter): void {
  if (f.struct) {
    if (typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v)) throw new Error(`encodeBody: ${f.name} must be a struct`);
    return encodeBody(f.struct, v, w);
  }
  const it = intTypeOf(f.type);
  if (it !== undefined) return encodeInt(it, v, w);
  if (f.type === 'bool') { w.u8(v === true || v === 1 ? 1 : 0); return; }
  if (f.type === 'timer') { w.i64(toBig(v)); return; }
  if (!(v instanceof Uint8Array) || v.length !== f.size) throw new Error(`encodeBody: ${f.name} must be ${f.size} bytes`);
  w.bytes(v);
}

function encodeInt(type: string, v: Value, w: WireWriter): void {
  switch (type) {
    case 'int8': w.i8(Number(v)); return;
    case 'int16': w.i16(Number(v)); return;
    case 'int32': w.i32(Number(v)); return;
    case 'int64': w.i64(toBig(v)); return;
    case 'uint8': w.u8(Number(v)); return;
    case 'uint16': w.u16(Number(v)); return;
    case 'uint32': w.u32(Number(v)); return;
    default: w.u64(toBig(v));
  }
}

function toBig(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  throw new Error('encodeBody: expected an integer');
}
