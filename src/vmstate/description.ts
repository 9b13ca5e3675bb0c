/**
 * VMState descriptions as data, mirroring QEMU's VMStateDescription /
 * VMStateField (include/migration/vmstate.h). The walker in this folder saves
 * and loads any description; devices are descriptions plus small hooks.
 *
 * Values: ints up to 32 bits are `number`, 64-bit ints are `bigint`, buffers
 * are `Uint8Array` (views into the stream on load), arrays are `Value[]`,
 * structs are nested `StateObject`s. Subsection fields live in the same
 * state object as the main fields, as in QEMU, where a subsection's fields
 * address the same C struct as its parent.
 */
import type { CheckCode } from '../wire/index.js';

export type IntType = 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64';

export type Value = number | bigint | boolean | Uint8Array | Value[] | StateObject;
export interface StateObject {
  [field: string]: Value;
}

/** What a single element of a field is on the wire. */
export type ElementKind =
  /** VMSTATE_INT8 ... VMSTATE_UINT64 (QEMU info "int8" ... "uint64"). */
  | { kind: 'int'; type: IntType }
  /** VMSTATE_BOOL: one byte, 0 or 1 (QEMU refuses other values). */
  | { kind: 'bool' }
  /** VMSTATE_*_EQUAL: the loaded value must equal the local one ("%d != %d"). */
  | { kind: 'equal'; type: IntType }
  /** VMSTATE_TIMER_PTR: int64 expire time, -1 when not armed. */
  | { kind: 'timer' }
  /**
   * VMSTATE_STRUCT: a nested description. Its version is not on the wire:
   * QEMU loads a plain struct at the nested description's own version_id,
   * a VMSTATE_VSTRUCT (`info: 'vstruct'`) at `version`, and a
   * VMSTATE_WITH_TMP (`info: 'tmp'`) at the field's version_id. `info` also
   * picks how the vmdesc describes it ("struct" nests a "struct" object,
   * "tmp"/"vstruct" inline the nested description in the field).
   */
  | { kind: 'struct'; vmsd: VMStateDescription; info?: 'tmp' | 'vstruct'; version?: number }
  /** A custom VMStateInfo the engine does not model: `size` opaque bytes. */
  | {
      kind: 'opaque';
      info: string;
      size: number;
      /**
       * A NULL element of a VMSTATE_ARRAY_OF_POINTER_TO_STRUCT: QEMU writes
       * the one-byte nullptr marker and describes it in the vmdesc as a
       * "struct" with an empty "struct" object.
       */
      nullStruct?: boolean;
    };

export type FieldKind =
  | ElementKind
  /** VMSTATE_BUFFER / VMSTATE_PARTIAL_BUFFER: fixed bytes. */
  | { kind: 'buffer'; size: number }
  /**
   * VMSTATE_VBUFFER*: bytes whose count is another (already loaded) field of
   * the same state object; `max` is the local allocation the count must fit.
   */
  | { kind: 'vbuffer'; sizeField: string; max: number }
  /** VMSTATE_ARRAY: a fixed number of elements. */
  | { kind: 'array'; of: ElementKind; length: number }
  /**
   * VMSTATE_VARRAY_*: element count read from `countField`; refused above
   * `max` (the local array's capacity) before anything is allocated.
   */
  | { kind: 'varray'; of: ElementKind; countField: string; max: number }
  /** VMSTATE_UNUSED: padding, written as zeros, ignored on load. */
  | { kind: 'unused'; size: number }
  /** VMSTATE_BITMAP: `bits` bits stored as big-endian u64 words. */
  | { kind: 'bitmap'; bits: number }
  /** VMSTATE_VALIDATE: no bytes, a condition on the state loaded so far. */
  | { kind: 'validate'; check: (state: StateObject) => boolean };

/**
 * What QEMU's JSON exports say about a field that the field kind cannot:
 * kept so an imported description exports back to the same text.
 */
export interface FieldMeta {
  /** field->size as -dump-vmstate prints it (element size; sizeof(C struct) for structs). */
  dumpSize?: number;
  /** field->num as newer QEMU's -dump-vmstate prints it for VMS_ARRAY fields. */
  dumpNum?: number;
  /**
   * vmdesc: true when QEMU describes each array element on its own
   * ("index") instead of once ("array_len"); QEMU does that when the element
   * is a struct with subsections or the field has field_exists. Default:
   * derived from the description as QEMU does.
   */
  vmdescIndexed?: boolean;
  /**
   * vmdesc: this field is element `index` of an array QEMU described element
   * by element whose elements differ in layout (e.g. in which subsections
   * they carried); its entry is written as `name` with this "index".
   */
  vmdescIndex?: number;
}

export type VMStateField = FieldKind & {
  name: string;
  /**
   * Key of the value in the state object. Default: `name` when it is unique
   * in the description, else `name[n]` (n-th field of that name), which is
   * also how QEMU names such a field in the vmdesc.
   */
  key?: string;
  meta?: FieldMeta;
  /** Field is on the wire only when the stream's section version >= this (default 0). */
  version_id?: number;
  /** Field is on the wire only when this returns true (QEMU's field_exists). */
  field_exists?: (state: StateObject, versionId: number) => boolean;
};

/**
 * A refusal from a hook: QEMU-worded message, optional path below the
 * description. A check of its own (the PCI core's, virtio's, a device's
 * parameter table) gives its code and the byte it points at, relative to the
 * first byte of the description's fields: a hook never sees the stream, the
 * walker knows where those fields began and reports the stream offset.
 */
export interface HookRefusal {
  message: string;
  field?: string;
  /** Default vmstate.post-load-failed. */
  code?: CheckCode;
  /** Default: where the description ended (QEMU's position when post_load fails). */
  offset?: number;
}

export interface VMStateDescription {
  name: string;
  version_id: number;
  minimum_version_id: number;
  fields: VMStateField[];
  subsections?: VMStateDescription[];
  /** For subsections: sent only when this returns true. Default: always. */
  needed?: (state: StateObject) => boolean;
  /**
   * Runs on a copy before save; may derive wire fields from device state.
   * Returning a refusal fails the save (QEMU: "pre-save failed: %s").
   */
  pre_save?: (state: StateObject) => HookRefusal | void;
  /** -dump-vmstate: QEMU's vmsd->fields was NULL (no "Fields" key at all). */
  noFields?: boolean;
  /**
   * Runs after the whole description (and subsections) loaded; may refuse.
   * `opaque` is what the section's owner registered with it (QEMU's
   * post_load(void *opaque, int version_id) gets the device): the load
   * passes the same one to every description of the section's tree, so a
   * description can be shared by many devices and still reach its own.
   * Undefined when the bytes are decoded without a device behind them.
   */
  post_load?: (state: StateObject, versionId: number, opaque?: unknown) => HookRefusal | void;
}
