/**
 * The fast path of a section save: the same bytes as saveVMState, from
 * field savers compiled once per description, and the section's vmdesc
 * entry written straight as text (the exact text stringifyVmdescDevice
 * gives for the tree saveVMState builds) instead of as a tree of objects.
 *
 * It never decides an error. Anything that is not a plain success (a value
 * that does not fit its field, a pre_save refusal, a hook that throws, a
 * description edited since it was compiled) abandons it: the writer goes
 * back to where the section started and the caller saves with the full
 * walker, which throws the SaveError with its path. A save only reads the
 * state (pre_save works on a copy), so an abandoned attempt leaves nothing.
 */
import type { WireWriter } from '../wire/index.js';
import type { ElementKind, StateObject, VMStateDescription, VMStateField, Value } from './description.js';
import { bitmapWords, fieldNamePlan, hookInTree, plannedName } from './field-info.js';
import { quoteVmdescString } from './vmdesc.js';
import { carrySubsectionsLoaded, QEMU_VM_SUBSECTION } from './walker-load.js';
import { canCompress, fieldTypeName, writeInt, writeIntRun } from './walker-save.js';

class Abandon {}
const ABANDON = new Abandon();

function abandon(): never {
  throw ABANDON;
}

/**
 * Saves one section body into `w`. Returns the section's vmdesc device
 * entry as text when `vmdesc` names it ('' without), or undefined when the
 * fast path gave up (then `w.pos` is back where it was).
 */
export function saveFast(
  w: WireWriter,
  vmsd: VMStateDescription,
  state: StateObject,
  versionId: number,
  vmdesc: { name: string; instance_id: number } | undefined,
): string | undefined {
  const start = w.pos;
  try {
    const body = saveRemembered(w, vmsd, state, versionId, vmdesc !== undefined);
    if (!vmdesc) return '';
    return `{"name": ${quoteVmdescString(vmdesc.name)}, "instance_id": ${vmdesc.instance_id}, ${body}}`;
  } catch {
    w.pos = start;
    return undefined;
  }
}

/** Writes one element (or a whole non-array field); `describe`: return the text of its nested description. */
type ElementSaver = (w: WireWriter, s: StateObject, value: Value | undefined, describe: boolean) => string;

interface CompiledField {
  field: VMStateField;
  /** QEMU's name of the field in its list (the cache key beside the field object). */
  name: string;
  key: string;
  /** `{"name": "..."` with the index / array_len left to the element. */
  head: string;
  /** `, "type": "..."`. */
  type: string;
  compress: boolean;
  /** meta.vmdescIndex */
  asElement: number | undefined;
  /** An array field: the saver gets element i of the value. */
  isArray: boolean;
  /** An int array: once nothing more is described, the tail is written in one run. */
  intArray: boolean;
  /** How the nested description sits in the entry: none, in "struct", inline (tmp/vstruct), or an empty "struct". */
  nesting: 'none' | 'struct' | 'inline' | 'null-struct';
  element: ElementSaver;
}

interface Compiled {
  ops: (CompiledField | undefined)[];
}

/**
 * Compiled by field list (the names and savers depend on the list alone):
 * descriptions a machine binds per boot around a shared list (a PCI
 * device's, fw_cfg with its load check) are not compiled again.
 */
const compiled = new WeakMap<readonly VMStateField[], Compiled>();

function compiledOf(vmsd: VMStateDescription): Compiled {
  const c = compiled.get(vmsd.fields);
  if (c && c.ops.length === vmsd.fields.length) return c;
  const plan = fieldNamePlan(vmsd);
  const ops = vmsd.fields.map((field, i) => (field.kind === 'validate' ? undefined : compiledField(field, plannedName(plan, vmsd, i, field))));
  const next: Compiled = { ops };
  compiled.set(vmsd.fields, next);
  return next;
}

/** `"vmsd_name": "...", "version": ` by description name. */
const heads = new Map<string, string>();

function headOf(name: string): string {
  let head = heads.get(name);
  if (head === undefined) heads.set(name, (head = `"vmsd_name": ${quoteVmdescString(name)}, "version": `));
  return head;
}

/**
 * Compiled fields by field object (and name, which depends on the list): a
 * machine binds some descriptions per boot (a PCI section's list is rebuilt
 * around its PCIDevice field), and their other fields are shared objects.
 */
const fieldCache = new WeakMap<VMStateField, CompiledField>();

function compiledField(field: VMStateField, name: string): CompiledField {
  const c = fieldCache.get(field);
  if (c && c.name === name) return c;
  const next = compileField(field, name);
  fieldCache.set(field, next);
  return next;
}

function compileField(field: VMStateField, name: string): CompiledField {
  const asElement = field.meta?.vmdescIndex;
  const of = field.kind === 'array' || field.kind === 'varray' ? field.of : field;
  const nesting = of.kind === 'struct' ? (of.info ? 'inline' : 'struct') : of.kind === 'opaque' && of.nullStruct ? 'null-struct' : 'none';
  return {
    field,
    name,
    key: field.key ?? name,
    head: `{"name": ${quoteVmdescString(asElement === undefined ? name : field.name)}`,
    type: `, "type": ${quoteVmdescString(fieldTypeName(field))}`,
    compress: canCompress(field),
    asElement,
    isArray: field.kind === 'array' || field.kind === 'varray',
    intArray: (field.kind === 'array' || field.kind === 'varray') && field.of.kind === 'int',
    nesting,
    element: elementSaverOf(field),
  };
}

/**
 * What a state object saved as, kept by state object. States are never
 * mutated in place (src/vm/state-edit.ts: edits copy; a load builds fresh
 * objects), so the bytes and vmdesc text a (description, state, version)
 * saves as do not change: every hook a save runs (field_exists, needed) is a
 * function of the state it is given, and descriptions with a pre_save are
 * never remembered. A machine's untouched defaults are shared by every boot
 * of its configuration (the x86 cpu, the ahci controller's 6 ports x 32 NCQ
 * slots, ...), so most of a section save is a copy of bytes saved before.
 * Kept from the second save of an object on (the first only notes it), so a
 * state saved once does not cost a copy of its bytes. The entry also names
 * the compiled form it was saved with: a description whose field list was
 * replaced since compiles again and is saved again.
 */
interface Remembered {
  vmsd: VMStateDescription;
  compiled: Compiled;
  versionId: number;
  bytes?: Uint8Array;
  /** The nested vmdesc text; undefined when the remembered save did not describe. */
  text?: string;
}

const remembered = new WeakMap<StateObject, Remembered>();

function saveRemembered(w: WireWriter, vmsd: VMStateDescription, state: StateObject, versionId: number, describe: boolean): string {
  const c = compiledOf(vmsd);
  let r = remembered.get(state);
  // An entry exists only for a description found without pre_save: a hit needs no second look.
  if (r && r.vmsd === vmsd && r.compiled === c && r.versionId === versionId) {
    if (r.bytes && (!describe || r.text !== undefined)) {
      w.bytes(r.bytes);
      return describe ? r.text! : '';
    }
  } else if (hookInTree(vmsd, 'pre_save')) {
    return saveDescription(w, vmsd, state, versionId, describe);
  } else {
    remembered.set(state, (r = { vmsd, compiled: c, versionId }));
    return saveDescription(w, vmsd, state, versionId, describe);
  }
  const start = w.pos;
  const text = saveDescription(w, vmsd, state, versionId, describe);
  r.bytes = w.finish().slice(start);
  // Kept flat: joined into every later vmdesc, a tree of concatenations would be walked on each join.
  if (describe) r.text = flatString(text);
  return text;
}

function saveDescription(w: WireWriter, vmsd: VMStateDescription, state: StateObject, versionId: number, describe: boolean): string {
  let s = state;
  if (vmsd.pre_save) {
    s = { ...state };
    carrySubsectionsLoaded(state, s);
    if (vmsd.pre_save(s)) abandon();
  }
  const c = compiledOf(vmsd);
  const list = vmsd.fields;
  let fields = '';
  for (let i = 0; i < c.ops.length; i++) {
    const field = list[i]!;
    const op = c.ops[i];
    if (op === undefined) {
      if (field.kind !== 'validate') abandon();
      continue;
    }
    if (op.field !== field) abandon();
    if (field.field_exists ? !field.field_exists(s, versionId) : (field.version_id ?? 0) > versionId) continue;
    const text = saveField(w, op, s, describe);
    if (describe && text !== '') fields = fields === '' ? text : `${fields}, ${text}`;
  }
  let subsections: string | undefined;
  for (const sub of vmsd.subsections ?? []) {
    if (sub.needed && !sub.needed(s)) continue;
    if (sub.name.length > 255) abandon();
    w.u8(QEMU_VM_SUBSECTION);
    w.shortString(sub.name);
    w.u32(sub.version_id);
    const body = saveDescription(w, sub, s, sub.version_id, describe);
    if (describe) subsections = subsections === undefined ? `{${body}}` : `${subsections}, {${body}}`;
  }
  if (!describe) return '';
  const head = `${headOf(vmsd.name)}${versionId}, "fields": [${fields}]`;
  return subsections === undefined ? head : `${head}, "subsections": [${subsections}]`;
}

function elementCount(field: VMStateField, s: StateObject): number {
  switch (field.kind) {
    case 'array':
      return field.length;
    case 'varray': {
      const n = s[field.countField];
      if (typeof n !== 'number' && typeof n !== 'bigint') abandon();
      return Number(n);
    }
    default:
      return 1;
  }
}

/** walker-save.ts saveField: the bytes of every element, the vmdesc entries (joined) when `describe`. */
function saveField(w: WireWriter, op: CompiledField, s: StateObject, describe: boolean): string {
  const value = s[op.key];
  const n = elementCount(op.field, s);
  let out = '';
  let describing = describe;
  for (let i = 0; i < n; i++) {
    if (op.intArray && !describing && i > 0) {
      writeIntRun(w, (op.field as { of: { type: Parameters<typeof writeInt>[1] } }).of.type, value, i, n, '');
      return out;
    }
    const before = w.pos;
    const nested = op.element(w, s, op.isArray ? arrayElement(value, i) : value, describing && (op.nesting === 'struct' || op.nesting === 'inline'));
    if (!describing) continue;
    let entry = op.head;
    if (op.asElement !== undefined) entry += `, "index": ${op.asElement}`;
    else if (n > 1) entry += op.compress ? `, "array_len": ${n}` : `, "index": ${i}`;
    entry += op.type;
    if (op.nesting === 'struct') entry += `, "struct": {${nested}}`;
    else if (op.nesting === 'inline') entry += `, ${nested}`;
    else if (op.nesting === 'null-struct') entry += ', "struct": {}';
    entry += `, "size": ${w.pos - before}}`;
    out = out === '' ? entry : `${out}, ${entry}`;
    if (op.compress) describing = false;
  }
  return out;
}

function arrayElement(value: Value | undefined, i: number): Value | undefined {
  if (!Array.isArray(value)) abandon();
  return value[i];
}

/** The saver of one element of a field (saveOne / saveElement of walker-save.ts). */
function elementSaverOf(field: VMStateField): ElementSaver {
  switch (field.kind) {
    case 'buffer': {
      const size = field.size;
      return (w, _s, value) => writeBytes(w, value, size);
    }
    case 'unused': {
      const size = field.size;
      return (w, _s, value) => {
        if (value instanceof Uint8Array && value.length === size) w.bytes(value);
        else w.fill(0, size);
        return '';
      };
    }
    case 'vbuffer': {
      const sizeField = field.sizeField;
      return (w, s, value) => {
        const size = s[sizeField];
        if (typeof size !== 'number' && typeof size !== 'bigint') abandon();
        return writeBytes(w, value, Number(size));
      };
    }
    case 'bitmap': {
      const words = bitmapWords(field.bits);
      return (w, _s, value) => {
        if (!Array.isArray(value) || value.length !== words) abandon();
        for (const word of value) w.u64(asInteger(word));
        return '';
      };
    }
    case 'array':
    case 'varray': {
      if (field.of.kind === 'int') {
        const type = field.of.type;
        return (w, _s, v) => {
          if (typeof v !== 'number' && typeof v !== 'bigint') abandon();
          writeInt(w, type, v);
          return '';
        };
      }
      return kindSaver(field.of);
    }
    case 'validate':
      throw new Error('unreachable: validate has no saver');
    default:
      return kindSaver(field);
  }
}

function kindSaver(kind: ElementKind): ElementSaver {
  switch (kind.kind) {
    case 'int':
    case 'equal': {
      const type = kind.type;
      return (w, _s, value) => {
        writeInt(w, type, asInteger(value));
        return '';
      };
    }
    case 'bool':
      return (w, _s, value) => {
        if (typeof value !== 'boolean' && typeof value !== 'number') abandon();
        w.u8(value ? 1 : 0);
        return '';
      };
    case 'timer':
      return (w, _s, value) => {
        w.i64(asInteger(value));
        return '';
      };
    case 'opaque': {
      const size = kind.size;
      return (w, _s, value) => writeBytes(w, value, size);
    }
    case 'struct': {
      const nested = kind.vmsd;
      const info = kind.info;
      return (w, _s, value, describe) => {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) abandon();
        const version = info === 'vstruct' ? kind.version ?? nested.version_id : nested.version_id;
        return saveRemembered(w, nested, value, version, describe);
      };
    }
  }
}

function writeBytes(w: WireWriter, value: Value | undefined, size: number): string {
  if (!(value instanceof Uint8Array) || value.length !== size) abandon();
  w.bytes(value);
  return '';
}

function asInteger(v: Value | undefined): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  return abandon();
}

/** A flat (sequential) copy of a string built by concatenation; vmdesc text is ASCII. */
function flatString(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}
