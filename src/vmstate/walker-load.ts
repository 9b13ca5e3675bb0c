/**
 * Loads one VMState section body, as QEMU's vmstate_load_state
 * (migration/vmstate.c) does: version checks, fields in order (each subject
 * to its version_id / field_exists), then subsections, then post_load.
 *
 * Transactional: the result is a fresh state object (a shallow copy of
 * `local` with the loaded values over it); `local` and everything it holds
 * are never mutated, so a refusal anywhere leaves the caller's state as it
 * was. Buffers are views into the stream, not copies.
 */
import { LoadError, spendSteps, type CheckCode, type CheckLog, type WireReader } from '../wire/index.js';
import type {
  ElementKind,
  FieldKind,
  StateObject,
  VMStateDescription,
  VMStateField,
  Value,
} from './description.js';
import {
  bitmapWords,
  fieldExists,
  fieldNamePlan,
  plannedName,
  minElementSize,
  subsectionLabel,
} from './field-info.js';
import { loadFast } from './walker-load-fast.js';

/** QEMU_VM_SUBSECTION: the byte that opens a subsection after a description's fields. */
export const QEMU_VM_SUBSECTION = 0x05;

export interface LoadOptions {
  log?: CheckLog;
  /** Path prefix for errors; default the description's name. */
  path?: string;
  /** false: the full walk only, never the compiled one (tests compare the two). */
  compiled?: boolean;
  /** Given to every post_load of the tree (see VMStateDescription.post_load). */
  opaque?: unknown;
}

interface Ctx {
  r: WireReader;
  log: CheckLog | undefined;
  opaque: unknown;
}

/**
 * Which subsections a load actually read, per state object (the section's,
 * or a struct element's). Kept beside the state, not in it, so it never
 * shows up as a field; the save walker carries it over to its working copy.
 */
// A non-enumerable symbol property, not a WeakMap: a WeakMap entry per
// loaded object was ~10% of a simulated load (ephemeron bookkeeping in the
// GC). Non-enumerable, so spreads, Object.keys/entries, JSON and deep
// equality never see it.
const LOADED_SUBSECTIONS = Symbol('loadedSubsections');
type Marked = StateObject & { [LOADED_SUBSECTIONS]?: Set<string> };

/**
 * The record of a state that loaded no subsection (yet): shared and never
 * mutated; the first subsection loaded replaces it with a Set of its own.
 * Most loaded objects are struct elements without subsections.
 */
const NONE_LOADED: Set<string> = new Set();

const NONE_LOADED_DESCRIPTOR: PropertyDescriptor = { value: NONE_LOADED, enumerable: false, writable: true, configurable: true };

function markLoaded(state: StateObject, set: Set<string>): void {
  // The common case reuses one descriptor object instead of allocating one per loaded object.
  const descriptor = set === NONE_LOADED ? NONE_LOADED_DESCRIPTOR : { value: set, enumerable: false, writable: true, configurable: true };
  Object.defineProperty(state, LOADED_SUBSECTIONS, descriptor);
}

/** A freshly loaded object: no subsection read yet (the fast path's markLoaded). */
export function markLoadedNone(state: StateObject): void {
  Object.defineProperty(state, LOADED_SUBSECTIONS, NONE_LOADED_DESCRIPTOR);
}

/** Whether `state` was loaded and read no subsection (what markLoadedNone records). */
export function loadedNoSubsection(state: StateObject): boolean {
  return (state as Marked)[LOADED_SUBSECTIONS] === NONE_LOADED;
}

/** Records that a subsection was read into `state` (already marked by markLoadedNone). */
export function noteSubsectionLoaded(state: StateObject, name: string): void {
  const marked = state as Marked;
  const loaded = marked[LOADED_SUBSECTIONS];
  if (loaded === NONE_LOADED) marked[LOADED_SUBSECTIONS] = new Set([name]);
  else loaded?.add(name);
}

/** The subsections loadVMState read into this state object; undefined if it did not load it. */
export function subsectionsLoaded(state: StateObject): ReadonlySet<string> | undefined {
  return (state as Marked)[LOADED_SUBSECTIONS];
}

/** Gives `to` (a copy of `from`) the same record of loaded subsections. */
export function carrySubsectionsLoaded(from: StateObject, to: StateObject): void {
  const set = (from as Marked)[LOADED_SUBSECTIONS];
  if (set) markLoaded(to, set);
}

/** Which message and code a version check uses depends on where the description sits. */
type Level = 'section' | 'subsection' | 'struct';

export function loadVMState(
  r: WireReader,
  vmsd: VMStateDescription,
  versionId: number,
  local: StateObject,
  opts: LoadOptions = {},
): StateObject {
  // A compiled walk first (it tells the log and the budget what this walk
  // would have); it gives up on anything but a success, and the full walk
  // below then finds and reports the refusal.
  if (opts.compiled !== false) {
    const fast = loadFast(r, vmsd, versionId, local, opts.log, opts.opaque);
    if (fast) return fast;
  }
  const ctx: Ctx = { r, log: opts.log, opaque: opts.opaque };
  const savedPath = r.path;
  try {
    return loadDescription(ctx, vmsd, versionId, local, opts.path ?? vmsd.name, 'section');
  } finally {
    r.path = savedPath;
  }
}

function refuse(ctx: Ctx, code: CheckCode, message: string, offset: number, path: string): never {
  throw new LoadError(code, message, offset, path);
}

function reach(ctx: Ctx, code: CheckCode): void {
  ctx.log?.reached(code);
}

function checkVersion(ctx: Ctx, vmsd: VMStateDescription, versionId: number, path: string, level: Level): void {
  const offset = ctx.r.pos;
  const tooNew: CheckCode = level === 'subsection' ? 'vmstate.subsection-version' : 'section.version-too-new';
  const tooOld: CheckCode = level === 'subsection' ? 'vmstate.subsection-version' : 'section.version-too-old';
  reach(ctx, tooNew);
  if (versionId > vmsd.version_id) {
    // A section's version is first checked by savevm.c against se->version_id,
    // with its own wording; nested descriptions get vmstate.c's.
    const message =
      level === 'section'
        ? `savevm: unsupported version ${versionId} for '${path}' v${vmsd.version_id}`
        : `${vmsd.name}: incoming version_id ${versionId} is too new for local version_id ${vmsd.version_id}`;
    refuse(ctx, tooNew, message, offset, path);
  }
  reach(ctx, tooOld);
  if (versionId < vmsd.minimum_version_id) {
    // Two spaces before the number: QEMU's own string.
    refuse(
      ctx,
      tooOld,
      `${vmsd.name}: incoming version_id ${versionId} is too old for local minimum version_id  ${vmsd.minimum_version_id}`,
      offset,
      path,
    );
  }
}

function loadDescription(
  ctx: Ctx,
  vmsd: VMStateDescription,
  versionId: number,
  local: StateObject,
  path: string,
  level: Level,
): StateObject {
  checkVersion(ctx, vmsd, versionId, path, level);
  const state: StateObject = { ...local };
  markLoaded(state, NONE_LOADED);
  loadFieldsAndSubsections(ctx, vmsd, versionId, state, path);
  return state;
}

/** Fields, subsections, post_load into `state` (already a private copy). */
function loadFieldsAndSubsections(
  ctx: Ctx,
  vmsd: VMStateDescription,
  versionId: number,
  state: StateObject,
  path: string,
): void {
  const start = ctx.r.pos;
  const plan = fieldNamePlan(vmsd);
  const list = vmsd.fields;
  for (let i = 0; i < list.length; i++) {
    const field = list[i]!;
    const key = field.key ?? plannedName(plan, vmsd, i, field);
    const fieldPath = `${path}/${key}`;
    if (field.kind === 'validate') {
      loadValidate(ctx, vmsd, field, state, fieldPath);
      continue;
    }
    if (!fieldExists(field, state, versionId)) continue;
    state[key] = loadField(ctx, vmsd, field, state, key, fieldPath);
  }
  loadSubsections(ctx, vmsd, state, path);
  runPostLoad(ctx, vmsd, state, versionId, path, start);
}

/**
 * VMSTATE_VALIDATE is a field with no bytes whose field_exists is the test;
 * when it does not hold, QEMU reports "Input validation failed: %s/%s".
 */
function loadValidate(
  ctx: Ctx,
  vmsd: VMStateDescription,
  field: Extract<VMStateField, { kind: 'validate' }>,
  state: StateObject,
  path: string,
): void {
  reach(ctx, 'vmstate.validate-failed');
  if (!field.check(state)) {
    refuse(ctx, 'vmstate.validate-failed', `Input validation failed: ${vmsd.name}/${field.name}`, ctx.r.pos, path);
  }
}

/** post_load; a refusal with an offset points into the fields, which began at `start`. */
function runPostLoad(ctx: Ctx, vmsd: VMStateDescription, state: StateObject, versionId: number, path: string, start: number): void {
  if (!vmsd.post_load) return;
  reach(ctx, 'vmstate.post-load-failed');
  const refusal = vmsd.post_load(state, versionId, ctx.opaque);
  if (refusal) {
    const where = refusal.field ? `${path}/${refusal.field}` : path;
    const offset = refusal.offset === undefined ? ctx.r.pos : start + refusal.offset;
    refuse(ctx, refusal.code ?? 'vmstate.post-load-failed', refusal.message, offset, where);
  }
}

function loadField(
  ctx: Ctx,
  vmsd: VMStateDescription,
  field: FieldKind & VMStateField,
  state: StateObject,
  key: string,
  path: string,
): Value {
  const { r } = ctx;
  r.path = path;
  const localValue = state[key];
  switch (field.kind) {
    case 'buffer':
      return r.bytes(field.size, path);
    case 'unused':
      // Kept as read so a re-save reproduces the stream byte for byte.
      return r.bytes(field.size, path);
    case 'vbuffer':
      return r.bytes(variableCount(ctx, vmsd, field.sizeField, field.max, state, path, 'vmstate.buffer-too-large'), path);
    case 'bitmap':
      return loadBitmap(ctx, field.bits);
    case 'array':
      return loadElements(ctx, field.of, field.length, localValue, path);
    case 'varray': {
      const count = variableCount(ctx, vmsd, field.countField, field.max, state, path, 'vmstate.array-too-large');
      return loadElements(ctx, field.of, count, localValue, path);
    }
    case 'validate':
      throw new Error('unreachable: validate handled by the caller');
    default:
      return loadElement(ctx, field, localValue, path);
  }
}

/**
 * A count taken from an already-loaded field, checked against the local
 * capacity before anything is read or allocated.
 */
function variableCount(
  ctx: Ctx,
  vmsd: VMStateDescription,
  countKey: string,
  max: number,
  state: StateObject,
  path: string,
  code: 'vmstate.array-too-large' | 'vmstate.buffer-too-large',
): number {
  const raw = state[countKey];
  if (typeof raw !== 'number' && typeof raw !== 'bigint') {
    refuse(
      ctx,
      'vmstate.description-invalid',
      `${vmsd.name}: count field '${countKey}' is not a loaded integer`,
      ctx.r.pos,
      path,
    );
  }
  reach(ctx, code);
  const count = typeof raw === 'bigint' ? raw : BigInt(raw);
  if (count < 0n || count > BigInt(max)) {
    const what = code === 'vmstate.array-too-large' ? 'array' : 'buffer';
    refuse(ctx, code, `${vmsd.name}/${path.split('/').pop()}: ${what} size ${count} exceeds ${max} (${countKey})`, ctx.r.pos, path);
  }
  return Number(count);
}

function loadElements(ctx: Ctx, of: ElementKind, count: number, localValue: Value | undefined, path: string): Value[] {
  // Fixed-size elements: the whole run must be in the stream before we loop.
  ctx.r.need(count * minElementSize(of), path);
  spendSteps(ctx.r, count, path); // elements may take no bytes: a step each, in bulk
  if (of.kind === 'int') {
    // The run is known to be in the stream (so the allocation is bounded by
    // it), and no per-element path is needed for errors.
    const ints: Value[] = new Array<Value>(count);
    if (of.type === 'uint8') {
      // Byte arrays (ICH9LPC chip_config is 16 KiB) straight from the buffer: need() above covered them.
      const { r } = ctx;
      const base = r.pos;
      for (let i = 0; i < count; i++) ints[i] = r.buf[base + i]!;
      r.pos = base + count;
      return ints;
    }
    for (let i = 0; i < count; i++) ints[i] = readInt(ctx.r, of.type);
    return ints;
  }
  // Elements that may take no bytes (structs) grow the array as they load.
  const locals = Array.isArray(localValue) ? localValue : [];
  const out: Value[] = [];
  for (let i = 0; i < count; i++) out.push(loadElement(ctx, of, locals[i], `${path}[${i}]`));
  return out;
}

function loadElement(ctx: Ctx, kind: ElementKind, localValue: Value | undefined, path: string): Value {
  const { r } = ctx;
  r.path = path;
  switch (kind.kind) {
    case 'int':
      return readInt(r, kind.type);
    case 'bool':
      return loadBool(ctx);
    case 'equal':
      return loadEqual(ctx, kind.type, localValue, path);
    case 'timer':
      return r.i64();
    case 'opaque':
      if (kind.nullStruct) return loadNullptr(ctx, path);
      return r.bytes(kind.size, path);
    case 'struct':
      return loadStruct(ctx, kind, localValue, path);
  }
}

/** VMS_NULLPTR_MARKER: what QEMU writes for a NULL element of an array of pointers. */
const VMS_NULLPTR_MARKER = 0x30;

/** vmstate-types.c get_nullptr: the element must be the marker byte. */
function loadNullptr(ctx: Ctx, path: string): Uint8Array {
  const offset = ctx.r.pos;
  const b = ctx.r.bytes(1, path);
  reach(ctx, 'vmstate.nullptr-marker');
  if (b[0] !== VMS_NULLPTR_MARKER) {
    refuse(ctx, 'vmstate.nullptr-marker', 'vmstate: get_nullptr expected VMS_NULLPTR_MARKER', offset, path);
  }
  return b;
}

function readInt(r: WireReader, type: Extract<ElementKind, { kind: 'int' }>['type']): number | bigint {
  switch (type) {
    case 'int8':
      return r.i8();
    case 'uint8':
      return r.u8();
    case 'int16':
      return r.i16();
    case 'uint16':
      return r.u16();
    case 'int32':
      return r.i32();
    case 'uint32':
      return r.u32();
    case 'int64':
      return r.i64();
    case 'uint64':
      return r.u64();
  }
}

/**
 * QEMU's get_bool stores the byte into a C bool, so any non-zero byte loads
 * as true and nothing is refused (vmstate-types.c); a re-save writes 1.
 */
function loadBool(ctx: Ctx): boolean {
  return ctx.r.u8() !== 0;
}

/** Hex of the value's bit pattern at its width, as QEMU's PRIx32/PRIx64/%x print it. */
function hexOf(v: number | bigint, type: Extract<ElementKind, { kind: 'equal' }>['type']): string {
  const bits = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, int64: 64, uint64: 64 }[type];
  return BigInt.asUintN(bits, BigInt(v)).toString(16);
}

/**
 * *_EQUAL: the incoming value must equal the local one; QEMU reports
 * "<local> != <incoming>" in hex (vmstate-types.c get_*_equal). With no
 * local value (a description imported from a vmdesc) the value is accepted.
 */
function loadEqual(
  ctx: Ctx,
  type: Extract<ElementKind, { kind: 'equal' }>['type'],
  localValue: Value | undefined,
  path: string,
): number | bigint {
  const offset = ctx.r.pos;
  const incoming = readInt(ctx.r, type);
  reach(ctx, 'vmstate.equal-mismatch');
  if (localValue === undefined) return incoming;
  if (typeof localValue !== 'number' && typeof localValue !== 'bigint') {
    refuse(ctx, 'vmstate.description-invalid', `local value of an *_EQUAL field is not an integer`, offset, path);
  }
  if (BigInt(localValue) !== BigInt(incoming)) {
    refuse(ctx, 'vmstate.equal-mismatch', `${hexOf(localValue, type)} != ${hexOf(incoming, type)}`, offset, path);
  }
  return incoming;
}

function loadBitmap(ctx: Ctx, bits: number): Value[] {
  const words = bitmapWords(bits);
  ctx.r.need(words * 8, ctx.r.path);
  const out: Value[] = [];
  for (let i = 0; i < words; i++) out.push(ctx.r.u64());
  return out;
}

/**
 * A struct's version is not on the wire: QEMU loads VMS_STRUCT at the nested
 * description's own version_id (so its version checks only catch a
 * description whose minimum is above its version), VMS_VSTRUCT at the
 * field's struct_version_id and VMSTATE_WITH_TMP at the field's version_id.
 */
function loadStruct(
  ctx: Ctx,
  kind: Extract<ElementKind, { kind: 'struct' }>,
  localValue: Value | undefined,
  path: string,
): StateObject {
  const version = kind.info === 'vstruct' || kind.info === 'tmp' ? kind.version ?? kind.vmsd.version_id : kind.vmsd.version_id;
  const local = isStateObject(localValue) ? localValue : {};
  return loadDescription(ctx, kind.vmsd, version, local, path, 'struct');
}

export function isStateObject(v: Value | undefined): v is StateObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * vmstate_subsection_load: while the next byte is QEMU_VM_SUBSECTION, peek
 * at the name. A name too short to be "<parent>/x", one that does not start
 * with the parent's name, or one cut off by the end of the stream ends the
 * subsections silently (QEMU returns 0 and leaves the bytes to its caller);
 * a well-formed name the local description lacks is refused (-ENOENT).
 * QEMU reads the be32 version into a uint8_t, so only its low byte counts.
 */
function loadSubsections(ctx: Ctx, vmsd: VMStateDescription, state: StateObject, path: string): void {
  const { r } = ctx;
  for (;;) {
    const start = r.pos;
    if (r.peekU8() !== QEMU_VM_SUBSECTION) return;
    if (r.remaining < 2) return;
    const len = r.buf[start + 1]!;
    if (len < vmsd.name.length + 1) return;
    if (r.remaining < 2 + len) return;
    let name = '';
    for (let i = 0; i < len; i++) name += String.fromCharCode(r.buf[start + 2 + i]!);
    if (!name.startsWith(vmsd.name)) return;
    const subPath = `${path}/${subsectionLabel(vmsd, name)}`;
    reach(ctx, 'vmstate.subsection-unknown');
    const sub = vmsd.subsections?.find((s) => s.name === name);
    if (!sub) {
      refuse(
        ctx,
        'vmstate.subsection-unknown',
        // QEMU prints nothing specific: its load fails with -ENOENT, reported as
        // "load of migration failed: No such file or directory" (checked on 7.2).
        `Unknown subsection '${name}' of '${vmsd.name}': No such file or directory`,
        start,
        subPath,
      );
    }
    r.pos = start + 2 + len;
    r.path = subPath;
    const version = r.u32() & 0xff;
    checkVersion(ctx, sub, version, subPath, 'subsection');
    noteSubsectionLoaded(state, name);
    // A subsection's fields address the same object as its parent's.
    loadFieldsAndSubsections(ctx, sub, version, state, subPath);
  }
}
