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

/** QEMU's name for a field whose name is not unique: "name[n]" (vmstate.c vmfield_name_num). */
function qemuUniqueName(vmsd: VMStateDescription, field: VMStateField): string {
  let count = 0;
  let index = -1;
  for (const f of vmsd.fields) {
    if (f.name !== field.name) continue;
    if (f === field) index = count;
    count++;
  }
  return count > 1 ? `${field.name}[${index}]` : field.name;
}

/** The name QEMU writes into the vmdesc for this field. */
export function vmdescFieldName(vmsd: VMStateDescription, field: VMStateField): string {
  return qemuUniqueName(vmsd, field);
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
