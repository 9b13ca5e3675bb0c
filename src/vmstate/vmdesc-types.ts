/**
 * The vmdesc JSON QEMU appends to a stream after QEMU_VM_VMDESCRIPTION
 * (savevm.c, vmstate.c vmsd_desc_field_start/end), as TypeScript types. Key
 * order in these interfaces is the order QEMU writes them in.
 *
 *   {"page_size": 4096, "devices": [
 *     {"name": "<section idstr>", "instance_id": 0, "vmsd_name": "...", "version": 3,
 *      "fields": [{"name": "...", ("array_len": N | "index": i,) "type": "uint8",
 *                  ("struct": {<struct>},) "size": 1}, ...],
 *      "subsections": [{<struct>}, ...]}]}
 *
 * A <struct> is {"vmsd_name", "version", "fields", "subsections"?}. "size" is
 * the bytes written for one element (the first one when "array_len" says
 * the rest look the same). Fields of type "tmp" and "vstruct" carry the
 * nested description inline (vmsd_name, version, fields) instead of in
 * "struct". Subsections appear only when they were sent.
 */
export interface VmdescField {
  name: string;
  /** Elements described once for all: a run of `array_len` elements of `size` bytes each. */
  array_len?: number;
  /** Elements described one by one: this entry is element `index` of the field. */
  index?: number;
  type: string;
  /** Empty ({}) for a NULL element of an array of pointers to structs. */
  struct?: VmdescStruct | Record<string, never>;
  /** Inline nested description ("tmp", "vstruct"). */
  vmsd_name?: string;
  version?: number;
  fields?: VmdescField[];
  subsections?: VmdescStruct[];
  size: number;
}

export interface VmdescStruct {
  vmsd_name: string;
  version: number;
  fields: VmdescField[];
  subsections?: VmdescStruct[];
}

/**
 * One section. A section without a VMStateDescription (old-style
 * save_state) is {"name", "instance_id", "size", "fields": [{"name": "data",
 * "size", "type": "buffer"}]}; it has no vmsd_name / version.
 */
export interface VmdescDevice {
  name: string;
  instance_id: number;
  vmsd_name?: string;
  version?: number;
  size?: number;
  fields: VmdescField[];
  subsections?: VmdescStruct[];
}

export interface Vmdesc {
  page_size: number;
  devices: VmdescDevice[];
}

/**
 * A vmdesc object being filled while a description is saved: the save
 * walker appends vmsd_name, version, fields and (when any is sent)
 * subsections. Pass `{ name, instance_id }` for a section.
 */
export type VmdescWriter = Partial<VmdescStruct> & { [key: string]: unknown };
