/**
 * The fast path of loadVMState: the same walk as walker-load.ts, compiled
 * once per description into a list of field loaders, without what only an
 * error needs (per-field paths, the reader's path, the check log).
 *
 * It never decides a refusal. Anything that is not a plain success (a check
 * that does not hold, a short stream, a hook's refusal or throw, a
 * description edited since it was compiled, a step budget that would run
 * out) abandons it, and loadVMState reads the section again from the same
 * offset with the full walker, which reports the refusal with its code,
 * offset, path and message. That is sound because a load never mutates its
 * inputs: the abandoned attempt leaves nothing behind but fresh objects
 * nobody holds.
 *
 * A successful walk tells the check log every check the full walk would
 * have evaluated (each once per section: the log is a coverage signal, and
 * the full walk on the same bytes reaches the same set) and spends the
 * steps it would have spent, so the fuzzer's loads take this path too.
 */
import type { CheckCode, CheckLog, WireReader } from '../wire/index.js';
import type { ElementKind, IntType, StateObject, VMStateDescription, VMStateField, Value } from './description.js';
import { arrayAsBytes, BYTE_RUN_MIN } from './byte-array.js';
import { bitmapWords, fieldNamePlan, hookInTree, minElementSize, plannedName } from './field-info.js';
import { isStateObject, loadedNoSubsection, markLoadedNone, noteSubsectionLoaded, QEMU_VM_SUBSECTION } from './walker-load.js';

/** Thrown to abandon the fast path; never escapes loadFast. */
class Abandon {}
const ABANDON = new Abandon();

function abandon(): never {
  throw ABANDON;
}

type ElementLoader = (r: WireReader, local: Value | undefined) => Value;
type FieldLoader = (r: WireReader, state: StateObject, local: Value | undefined) => Value;

interface CompiledField {
  field: VMStateField;
  key: string;
  load: FieldLoader | undefined; // undefined: a validate field
}

interface Compiled {
  ops: CompiledField[];
}

/**
 * Compiled by field list (keys and loaders depend on the list alone):
 * descriptions a machine binds per boot around a shared list (a PCI
 * device's, fw_cfg with its load check) are not compiled again.
 */
const compiled = new WeakMap<readonly VMStateField[], Compiled>();

/**
 * The checks the full walker evaluates, one bit each (walker-load.ts: where
 * it calls reach). A version check reaches both of its codes.
 */
const REACHES: readonly (readonly CheckCode[])[] = [
  ['section.version-too-new', 'section.version-too-old'],
  ['vmstate.subsection-version'],
  ['vmstate.validate-failed'],
  ['vmstate.post-load-failed'],
  ['vmstate.array-too-large'],
  ['vmstate.buffer-too-large'],
  ['vmstate.nullptr-marker'],
  ['vmstate.equal-mismatch'],
  ['vmstate.subsection-unknown'],
];
const VERSION = 1 << 0;
const SUBSECTION_VERSION = 1 << 1;
const VALIDATE = 1 << 2;
const POST_LOAD = 1 << 3;
const ARRAY_COUNT = 1 << 4;
const BUFFER_SIZE = 1 << 5;
const NULLPTR = 1 << 6;
const EQUAL = 1 << 7;
const SUBSECTION_NAME = 1 << 8;

/** The walk in progress: checks reached (bits above) and steps owed, kept until it succeeds. */
let reached = 0;
let steps = 0;
let stepsLeft = Infinity;
/** The section's opaque, for post_load hooks. */
let hookOpaque: unknown;

/** The full walker's step: one per array element, in bulk; more than the budget has left abandons. */
function spend(n: number): void {
  steps += n;
  if (steps > stepsLeft) abandon();
}

/**
 * loadDescription's result for a section, or undefined when the fast path
 * gave up (the reader's position is then back at `r.pos` as it was, and
 * neither the log nor the reader's budget has heard of the attempt).
 */
export function loadFast(r: WireReader, vmsd: VMStateDescription, versionId: number, local: StateObject, log?: CheckLog, opaque?: unknown): StateObject | undefined {
  const start = r.pos;
  // Saved and restored: a hook may load a nested state while this walk is open.
  const outer = [reached, steps, stepsLeft, hookOpaque] as const;
  reached = 0;
  steps = 0;
  stepsLeft = r.budget ? r.budget.limit - r.budget.used : Infinity;
  hookOpaque = opaque;
  try {
    const state = loadDescription(r, vmsd, versionId, local);
    if (log) for (let i = 0; i < REACHES.length; i++) if (reached & (1 << i)) for (const code of REACHES[i]!) log.reached(code);
    // Cannot run out: spend() kept the total within what was left.
    if (steps > 0) r.budget?.spend(steps, r.pos, r.path);
    return state;
  } catch {
    r.pos = start;
    return undefined;
  } finally {
    [reached, steps, stepsLeft, hookOpaque] = outer;
  }
}

/**
 * Field loaders by field object: a machine binds some descriptions per boot
 * (a PCI section's list is rebuilt around its PCIDevice field), and their
 * other fields are the shared objects, compiled once.
 */
const loaders = new WeakMap<VMStateField, FieldLoader>();

function loaderOf(field: VMStateField): FieldLoader {
  let load = loaders.get(field);
  if (!load) loaders.set(field, (load = fieldLoader(field)));
  return load;
}

function compiledOf(vmsd: VMStateDescription): Compiled {
  const c = compiled.get(vmsd.fields);
  if (c && c.ops.length === vmsd.fields.length) return c;
  const plan = fieldNamePlan(vmsd);
  const ops = vmsd.fields.map((field, i): CompiledField => {
    const key = field.key ?? plannedName(plan, vmsd, i, field);
    return { field, key, load: field.kind === 'validate' ? undefined : loaderOf(field) };
  });
  const next: Compiled = { ops };
  compiled.set(vmsd.fields, next);
  return next;
}

/**
 * A loaded description's state. While every value read equals the local
 * one (the same number, equal bytes, the same shared object), nothing is
 * copied, and when that holds to the end the local object itself is the
 * result: states are never mutated in place, so it is indistinguishable
 * from a fresh copy, and a destination's untouched defaults stay shared
 * (nothing allocated, and a comparison with a source that shares them is
 * an identity check). It must then also carry the same record of loaded
 * subsections (none) and have no post_load, which gets its own copy.
 */
function loadDescription(r: WireReader, vmsd: VMStateDescription, versionId: number, local: StateObject): StateObject {
  reached |= VERSION;
  if (versionId > vmsd.version_id || versionId < vmsd.minimum_version_id) abandon();
  const c = compiledOf(vmsd);
  const known = kept.get(local);
  const same = known !== undefined && known.vmsd === vmsd && known.compiled === c && known.versionId === versionId;
  if (same && known.bytes && holdsAt(r.buf, r.pos, known.bytes)) {
    // What the walk would have reached and spent on these bytes, as it did the time they were kept.
    spend(known.steps);
    reached |= known.reached;
    r.pos += known.bytes.length;
    return known.result!;
  }
  const start = r.pos;
  const outer = reached;
  const steps0 = steps;
  reached = 0;
  const out = loadDescriptionWalk(r, vmsd, versionId, local);
  const walked = reached;
  reached |= outer;
  if (!hookInTree(vmsd, 'post_load') && !followedBySubsection(r.buf, r.pos)) {
    if (!same) kept.set(local, { vmsd, compiled: c, versionId, reached: walked, steps: steps - steps0 });
    else if (!known.bytes || known.result !== out) {
      known.bytes = r.buf.slice(start, r.pos);
      known.result = out;
      known.reached = walked;
      known.steps = steps - steps0;
    }
  }
  return out;
}

/**
 * What a local state object was seen to load as, by local object. A walk
 * without post_load hooks is a function of the description, the version,
 * `local` and the bytes it read (every other hook, field_exists, needed,
 * validate, reads the state), and states are never mutated in place
 * (src/vm/state-edit.ts), so the same bytes at the same place load as the
 * same state again, without the walk: `local` itself when every value read
 * equalled it, else the state loaded then (equal to what a walk would build,
 * and never mutated either). A destination's defaults are shared by every
 * boot of a configuration and most streams carry them unchanged (the ahci
 * controller's 6 ports x 32 NCQ slots; the x86 cpu, whose loaded subsections
 * make every load of it a copy). The walk stopped where no subsection
 * follows: an entry is only kept, and only used, where the next byte is
 * not one. Kept from the second such load on, so a state loaded once does
 * not cost a copy of its bytes; the entry names the compiled form, so a
 * description whose field list was replaced is walked again.
 */
interface Kept {
  vmsd: VMStateDescription;
  compiled: Compiled;
  versionId: number;
  bytes?: Uint8Array;
  result?: StateObject;
  /** The checks (bits of REACHES) and steps the walk over `bytes` reached and spent. */
  reached: number;
  steps: number;
}

const kept = new WeakMap<StateObject, Kept>();

function followedBySubsection(buf: Uint8Array, pos: number): boolean {
  return pos < buf.length && buf[pos] === QEMU_VM_SUBSECTION;
}

/** Whether `bytes` sit at `pos` and are not followed by a subsection. */
function holdsAt(buf: Uint8Array, pos: number, bytes: Uint8Array): boolean {
  const end = pos + bytes.length;
  if (end > buf.length || followedBySubsection(buf, end)) return false;
  return sameView(buf, pos, bytes);
}

/** memcmp of bytes against buf[pos, pos + bytes.length) (the caller checked the length). */
function sameView(buf: Uint8Array, pos: number, bytes: Uint8Array): boolean {
  if (bytes.length < 64) {
    for (let i = 0; i < bytes.length; i++) if (buf[pos + i] !== bytes[i]) return false;
    return true;
  }
  return Buffer.from(buf.buffer, buf.byteOffset + pos, bytes.length).equals(bytes);
}

function loadDescriptionWalk(r: WireReader, vmsd: VMStateDescription, versionId: number, local: StateObject): StateObject {
  let state: StateObject | undefined;
  if (vmsd.post_load || !loadedNoSubsection(local)) {
    state = { ...local };
    markLoadedNone(state);
  }
  state = loadFields(r, vmsd, versionId, local, state);
  // A subsection's record goes on a copy of our own.
  if (state === undefined && r.pos < r.buf.length && r.buf[r.pos] === QEMU_VM_SUBSECTION) {
    state = { ...local };
    markLoadedNone(state);
  }
  if (state === undefined) return local;
  loadSubsections(r, vmsd, state);
  postLoad(vmsd, state, versionId);
  return state;
}

/**
 * The fields of one description, into `state` when it is given; else over
 * `local`, copying it into a fresh state at the first value that differs.
 * Returns the state (undefined: still nothing differs).
 */
function loadFields(r: WireReader, vmsd: VMStateDescription, versionId: number, local: StateObject, state: StateObject | undefined): StateObject | undefined {
  const { ops } = compiledOf(vmsd);
  const list = vmsd.fields;
  let view = state ?? local;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const field = op.field;
    // A field replaced in place since compiling: the full walker reads the list as it is now.
    if (list[i] !== field) abandon();
    if (op.load === undefined) {
      reached |= VALIDATE;
      if (field.kind === 'validate' && !field.check(view)) abandon();
      continue;
    }
    if (field.field_exists ? !field.field_exists(view, versionId) : (field.version_id ?? 0) > versionId) continue;
    const before = view[op.key];
    const value = op.load(r, view, before);
    if (value === before) continue;
    if (state === undefined) {
      state = { ...local };
      markLoadedNone(state);
      view = state;
    }
    state[op.key] = value;
  }
  return state;
}

function loadFieldsAndSubsections(r: WireReader, vmsd: VMStateDescription, versionId: number, state: StateObject): void {
  loadFields(r, vmsd, versionId, state, state);
  loadSubsections(r, vmsd, state);
  postLoad(vmsd, state, versionId);
}

function postLoad(vmsd: VMStateDescription, state: StateObject, versionId: number): void {
  if (!vmsd.post_load) return;
  reached |= POST_LOAD;
  if (vmsd.post_load(state, versionId, hookOpaque)) abandon();
}

/** walker-load.ts loadSubsections, with the same silent ends; an unknown subsection abandons. */
function loadSubsections(r: WireReader, vmsd: VMStateDescription, state: StateObject): void {
  const buf = r.buf;
  for (;;) {
    const start = r.pos;
    if (start >= buf.length || buf[start] !== QEMU_VM_SUBSECTION) return;
    if (buf.length - start < 2) return;
    const len = buf[start + 1]!;
    if (len < vmsd.name.length + 1) return;
    if (buf.length - start < 2 + len) return;
    let name = '';
    for (let i = 0; i < len; i++) name += String.fromCharCode(buf[start + 2 + i]!);
    if (!name.startsWith(vmsd.name)) return;
    reached |= SUBSECTION_NAME;
    const sub = vmsd.subsections?.find((s) => s.name === name);
    if (!sub) abandon();
    r.pos = start + 2 + len;
    const version = r.u32() & 0xff;
    reached |= SUBSECTION_VERSION;
    if (version > sub.version_id || version < sub.minimum_version_id) abandon();
    noteSubsectionLoaded(state, name);
    loadFieldsAndSubsections(r, sub, version, state);
  }
}

/** A count field's value, reaching its check (`bit`) as the full walker does once the value is an integer. */
function count(state: StateObject, countKey: string, max: number, bit: number): number {
  const raw = state[countKey];
  if (typeof raw === 'number' || typeof raw === 'bigint') reached |= bit;
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw) || raw < 0 || raw > max) abandon();
    return raw;
  }
  if (typeof raw === 'bigint') {
    if (raw < 0n || raw > BigInt(max)) abandon();
    return Number(raw);
  }
  return abandon();
}

function fieldLoader(field: VMStateField): FieldLoader {
  switch (field.kind) {
    case 'buffer':
    case 'unused': {
      const size = field.size;
      return (r, _state, local) => bytesOrLocal(r, size, local);
    }
    case 'vbuffer': {
      const { sizeField, max } = field;
      return (r, state, local) => bytesOrLocal(r, count(state, sizeField, max, BUFFER_SIZE), local);
    }
    case 'bitmap': {
      const words = bitmapWords(field.bits);
      return (r, _state, local) => {
        r.need(words * 8);
        const out: Value[] = [];
        for (let i = 0; i < words; i++) out.push(r.u64());
        return sameElements(out, local) ? local : out;
      };
    }
    case 'array': {
      const load = elementsLoader(field.of);
      const n = field.length;
      return (r, _state, local) => load(r, n, local);
    }
    case 'varray': {
      const load = elementsLoader(field.of);
      const { countField, max } = field;
      return (r, state, local) => load(r, count(state, countField, max, ARRAY_COUNT), local);
    }
    case 'validate':
      throw new Error('unreachable: validate has no loader');
    default: {
      const load = elementLoader(field);
      return (r, _state, local) => load(r, local);
    }
  }
}

function elementsLoader(of: ElementKind): (r: WireReader, n: number, local: Value | undefined) => Value[] {
  const min = minElementSize(of);
  if (of.kind === 'int') {
    if (of.type === 'uint8') {
      return (r, n, local) => {
        r.need(n);
        spend(n);
        const buf = r.buf;
        const base = r.pos;
        r.pos = base + n;
        if (sameBytes(buf, base, n, local)) return local;
        const out: Value[] = new Array<Value>(n);
        for (let i = 0; i < n; i++) out[i] = buf[base + i]!;
        return out;
      };
    }
    const read = intReader(of.type);
    return (r, n, local) => {
      r.need(n * min);
      spend(n);
      const out: Value[] = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = read(r);
      return sameElements(out, local) ? local : out;
    };
  }
  const load = elementLoader(of);
  return (r, n, local) => {
    r.need(n * min);
    spend(n);
    const locals = Array.isArray(local) ? local : [];
    const out: Value[] = [];
    for (let i = 0; i < n; i++) out.push(load(r, locals[i]));
    return sameElements(out, local) ? local : out;
  };
}

/**
 * Whether the local array already holds exactly these bytes. Then the local
 * array is the loaded value: states are never mutated in place, so sharing
 * it is safe, and a 16 KiB byte array (ICH9LPC chip_config) is then neither
 * allocated (128 KiB of elements) nor compared element by element later.
 */
function sameBytes(buf: Uint8Array, base: number, n: number, local: Value | undefined): local is Value[] {
  if (!Array.isArray(local) || local.length !== n) return false;
  if (n >= BYTE_RUN_MIN) {
    const bytes = arrayAsBytes(local);
    if (bytes) return sameView(buf, base, bytes);
  }
  for (let i = 0; i < n; i++) if (local[i] !== buf[base + i]) return false;
  return true;
}

/** Whether a loaded array holds exactly the local array's elements (then the local array is the value). */
function sameElements(out: Value[], local: Value | undefined): local is Value[] {
  if (!Array.isArray(local) || local.length !== out.length) return false;
  for (let i = 0; i < out.length; i++) if (out[i] !== local[i]) return false;
  return true;
}

/** The next `n` bytes: the local buffer when it holds the same bytes, else a view into the stream. */
function bytesOrLocal(r: WireReader, n: number, local: Value | undefined): Uint8Array {
  const view = r.bytes(n);
  if (!(local instanceof Uint8Array) || local.length !== n) return view;
  for (let i = 0; i < n; i++) if (local[i] !== view[i]) return view;
  return local;
}

function elementLoader(kind: ElementKind): ElementLoader {
  switch (kind.kind) {
    case 'int':
      return intReader(kind.type);
    case 'bool':
      return (r) => r.u8() !== 0;
    case 'equal': {
      const read = intReader(kind.type);
      return (r, local) => {
        const incoming = read(r);
        reached |= EQUAL;
        if (local === undefined || local === incoming) return incoming;
        if (typeof local === 'bigint' || typeof incoming === 'bigint') {
          if (typeof local === 'number' || typeof local === 'bigint') {
            if (BigInt(local) === BigInt(incoming)) return incoming;
          }
        }
        return abandon();
      };
    }
    case 'timer':
      return (r) => r.i64();
    case 'opaque': {
      const size = kind.size;
      if (kind.nullStruct) {
        return (r) => {
          const b = r.bytes(1);
          reached |= NULLPTR;
          if (b[0] !== VMS_NULLPTR_MARKER) abandon();
          return b;
        };
      }
      return (r, local) => bytesOrLocal(r, size, local);
    }
    case 'struct': {
      const nested = kind.vmsd;
      const info = kind.info;
      return (r, local) => {
        const version = info === 'vstruct' || info === 'tmp' ? kind.version ?? nested.version_id : nested.version_id;
        return loadDescription(r, nested, version, isStateObject(local) ? local : {});
      };
    }
  }
}

const VMS_NULLPTR_MARKER = 0x30;

function intReader(type: IntType): (r: WireReader) => number | bigint {
  switch (type) {
    case 'int8':
      return (r) => r.i8();
    case 'uint8':
      return (r) => r.u8();
    case 'int16':
      return (r) => r.i16();
    case 'uint16':
      return (r) => r.u16();
    case 'int32':
      return (r) => r.i32();
    case 'uint32':
      return (r) => r.u32();
    case 'int64':
      return (r) => r.i64();
    case 'uint64':
      return (r) => r.u64();
  }
}
