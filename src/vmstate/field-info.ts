/**
 * Small facts about fields shared by the load and save walkers and the JSON
 * converters: state keys, QEMU's info names, wire sizes, version existence.
 */
import type { ElementKind, IntType, StateObject, VMStateDescription, VMStateField } from './description.js';

export const INT_WIDTH: Record<IntType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
};

/**
 * Unique names of a field list, computed once per list: every save and load
 * asks for each field's key, and a per-call scan made that quadratic in the
 * number of fields (the x86 cpu section has ~150).
 */
const uniqueNames = new WeakMap<readonly VMStateField[], { length: number; names: Map<VMStateField, string> }>();

function namesOf(fields: readonly VMStateField[]): Map<VMStateField, string> {
  const cached = uniqueNames.get(fields);
  // A list that grew or shrank since (descriptions built field by field) is recomputed.
  if (cached && cached.length === fields.length) return cached.names;
  let names: Map<VMStateField, string>;
  const counts = new Map<string, number>();
  for (const f of fields) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  names = new Map();
  for (const f of fields) {
    const n = seen.get(f.name) ?? 0;
    seen.set(f.name, n + 1);
    // A field object listed twice gets its last position, as the scan did.
    names.set(f, (counts.get(f.name) ?? 0) > 1 ? `${f.name}[${n}]` : f.name);
  }
  uniqueNames.set(fields, { length: fields.length, names });
  return names;
}

/** QEMU's name for a field whose name is not unique: "name[n]" (vmstate.c vmfield_name_num). */
function qemuUniqueName(vmsd: VMStateDescription, field: VMStateField): string {
  let name = namesOf(vmsd.fields).get(field);
  if (name === undefined) {
    // The list may have been edited in place since it was indexed: index it again.
    uniqueNames.delete(vmsd.fields);
    name = namesOf(vmsd.fields).get(field);
  }
  if (name !== undefined) return name;
  // A field that is not in vmsd.fields: QEMU's loop finds no index (-1).
  const count = vmsd.fields.filter((f) => f.name === field.name).length;
  return count > 1 ? `${field.name}[-1]` : field.name;
}

/** The name QEMU writes into the vmdesc for this field. */
export function vmdescFieldName(vmsd: VMStateDescription, field: VMStateField): string {
  return qemuUniqueName(vmsd, field);
}

/**
 * Names of a description's fields by position, for the walkers: one lookup
 * per description instead of two map lookups per field per save and load.
 * `fields` is the list as it was when the plan was made; a walker uses the
 * plan's entry only when vmsd.fields[i] is still that field object.
 */
export interface FieldNamePlan {
  fields: readonly VMStateField[];
  /** QEMU's unique names (vmdescFieldName). */
  names: readonly string[];
}

const namePlans = new WeakMap<readonly VMStateField[], FieldNamePlan>();

export function fieldNamePlan(vmsd: VMStateDescription): FieldNamePlan {
  const cached = namePlans.get(vmsd.fields);
  if (cached && cached.fields.length === vmsd.fields.length) return cached;
  const plan = { fields: vmsd.fields.slice(), names: vmsd.fields.map((f) => qemuUniqueName(vmsd, f)) };
  namePlans.set(vmsd.fields, plan);
  return plan;
}

/** vmdescFieldName of vmsd.fields[i], through the plan when it still holds. */
export function plannedName(plan: FieldNamePlan, vmsd: VMStateDescription, i: number, field: VMStateField): string {
  return plan.fields[i] === field ? plan.names[i]! : qemuUniqueName(vmsd, field);
}

/** Where the field's value lives in the state object. */
export function stateKey(vmsd: VMStateDescription, field: VMStateField): string {
  return field.key ?? qemuUniqueName(vmsd, field);
}

/**
 * QEMU's VMStateInfo name for an element kind, as the vmdesc "type" shows it.
 * Note QEMU's own quirk: VMSTATE_UINT64_EQUAL's info is named "int64 equal".
 */
export function elementTypeName(kind: ElementKind): string {
  switch (kind.kind) {
    case 'int':
      return kind.type;
    case 'bool':
      return 'bool';
    case 'equal':
      return kind.type === 'uint64' ? 'int64 equal' : `${kind.type} equal`;
    case 'timer':
      return 'timer';
    case 'struct':
      return kind.info ?? 'struct';
    case 'opaque':
      return kind.nullStruct ? 'struct' : kind.info;
  }
}

/** Bytes one element takes on the wire, when that is fixed by the description alone. */
export function fixedElementSize(kind: ElementKind): number | undefined {
  switch (kind.kind) {
    case 'int':
    case 'equal':
      return INT_WIDTH[kind.type];
    case 'bool':
      return 1;
    case 'timer':
      return 8;
    case 'opaque':
      return kind.size;
    case 'struct':
      return undefined;
  }
}

/** The smallest number of bytes one element can take; bounds a count before looping. */
export function minElementSize(kind: ElementKind): number {
  return fixedElementSize(kind) ?? 0;
}

/** QEMU's vmstate_field_exists: field_exists is the sole truth, else version_id <= stream version. */
export function fieldExists(field: VMStateField, state: StateObject, versionId: number): boolean {
  if (field.field_exists) return field.field_exists(state, versionId);
  return (field.version_id ?? 0) <= versionId;
}

/** Number of u64 words a bitmap of `bits` bits takes (QEMU BITS_TO_U64S). */
export function bitmapWords(bits: number): number {
  return Math.ceil(bits / 64);
}

/** The subsection's name relative to its parent, for error paths. */
export function subsectionLabel(parent: VMStateDescription, sub: string): string {
  return sub.startsWith(`${parent.name}/`) ? sub.slice(parent.name.length + 1) : sub;
}

/**
 * Whether a pre_save / post_load runs anywhere in a description (its nested
 * structs and subsections): the fast walkers remember results only for
 * descriptions whose hooks all read the state they are given. The answer
 * for a field list and for a subsection list is cached by the list: the
 * descriptions a machine binds per boot share their lists (a PCI device's,
 * fw_cfg's) or hold shared nested ones (the ahci controller's), so only the
 * description's own hook is read again. A list that grew or shrank since is
 * asked again.
 */
export type TreeHook = 'pre_save' | 'post_load';

interface ListAnswer {
  length: number;
  has: boolean;
}

type Lists = WeakMap<readonly (VMStateField | VMStateDescription)[], ListAnswer>;
const listAnswers: Record<TreeHook, Lists> = { pre_save: new WeakMap(), post_load: new WeakMap() };

export function hookInTree(vmsd: VMStateDescription, hook: TreeHook, visiting?: Set<unknown>): boolean {
  if (vmsd[hook] !== undefined) return true;
  const subs = vmsd.subsections;
  return listHas(vmsd.fields, hook, visiting, fieldsHave) || (subs !== undefined && listHas(subs, hook, visiting, subsectionsHave));
}

function fieldsHave(fields: readonly VMStateField[], hook: TreeHook, visiting: Set<unknown>): boolean {
  for (const f of fields) {
    const of = f.kind === 'array' || f.kind === 'varray' ? f.of : f;
    if (of.kind === 'struct' && hookInTree(of.vmsd, hook, visiting)) return true;
  }
  return false;
}

function subsectionsHave(subs: readonly VMStateDescription[], hook: TreeHook, visiting: Set<unknown>): boolean {
  return subs.some((sub) => hookInTree(sub, hook, visiting));
}

/**
 * The list's cached answer, else `walk`'s. Nothing is allocated on a cached
 * answer (the fast load asks for every nested struct it walks); the set of
 * lists being walked is made on the first walk.
 */
function listHas<T extends VMStateField | VMStateDescription>(
  list: readonly T[],
  hook: TreeHook,
  visiting: Set<unknown> | undefined,
  walk: (list: readonly T[], hook: TreeHook, visiting: Set<unknown>) => boolean,
): boolean {
  const answers = listAnswers[hook];
  const known = answers.get(list);
  if (known && known.length === list.length) return known.has;
  const seen = visiting ?? new Set<unknown>();
  // A list nested in itself: the rest of it is being walked already.
  if (seen.has(list)) return false;
  seen.add(list);
  const has = walk(list, hook, seen);
  seen.delete(list);
  answers.set(list, { length: list.length, has });
  return has;
}
