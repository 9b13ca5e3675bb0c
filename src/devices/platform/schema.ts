/**
 * Compact section schemas as recorded from real QEMU 7.2 streams.
 *
 * A schema is the layout one vmsd had on the wire, in the shape of the vmdesc
 * JSON QEMU appends to a stream (migration/vmstate.c vmsd_desc_field_start /
 * _end): each field has QEMU's VMStateInfo name (`uint32`, `bool`,
 * `int32 equal`, `timer`, `buffer`, `unused_buffer`, `pci config`, `virtio`,
 * ...), the element size in bytes that was written, an array length, and a
 * nested schema for `struct` and `tmp` fields. Subsections are schemas too.
 */

export interface PlatformField {
  name: string;
  /** QEMU VMStateInfo name as vmdesc spells it, or `struct` / `tmp`. */
  type: string;
  /** Bytes one element took on the wire (for structs: with their subsections). */
  size: number;
  /** Element count of a compressed array (vmdesc `array_len`). */
  len?: number;
  /** Nested layout of a `struct` or `tmp` field. */
  struct?: PlatformSchema;
  /** QEMU described this array element by element ("index") in the vmdesc. */
  indexed?: true;
}

export interface PlatformSchema {
  name: string;
  version: number;
  /** minimum_version_id from -dump-vmstate or QEMU source; absent = unknown. */
  min?: number;
  fields: PlatformField[];
  /** Every subsection seen in any capture (not all are sent in every config). */
  subsections?: PlatformSchema[];
}

/** The JSON QEMU writes for one field / struct in a vmdesc (loose shape). */
export interface VmdescField {
  name: string;
  type?: string;
  size?: number;
  array_len?: number;
  index?: number;
  struct?: VmdescNode;
  vmsd_name?: string;
  version?: number;
  fields?: VmdescField[];
  subsections?: VmdescNode[];
}

export interface VmdescNode {
  vmsd_name: string;
  version: number;
  fields?: VmdescField[];
  subsections?: VmdescNode[];
}

export interface VmdescSection extends VmdescNode {
  name: string;
  instance_id: number;
}

export interface Vmdesc {
  page_size: number;
  devices: VmdescSection[];
}

/** Converts a vmdesc node to a schema; uncompressed arrays (`index`) stay separate fields named `name[i]`. */
export function schemaFromVmdesc(node: VmdescNode): PlatformSchema {
  const out: PlatformSchema = {
    name: node.vmsd_name,
    version: node.version,
    fields: groupIndexed(node.fields ?? []),
  };
  if (node.subsections && node.subsections.length > 0) out.subsections = node.subsections.map(schemaFromVmdesc);
  return out;
}

/**
 * QEMU writes an array element by element (each with `index`) when it cannot
 * compress it (vmsd_can_compress). Consecutive elements with one layout are
 * folded back into one array field; the wire bytes are the same.
 */
function groupIndexed(fields: VmdescField[]): PlatformField[] {
  const out: PlatformField[] = [];
  for (let i = 0; i < fields.length; ) {
    const f = fields[i]!;
    if (f.index === undefined) {
      out.push(fieldFromVmdesc(f));
      i++;
      continue;
    }
    const group = [f];
    while (fields[i + group.length]?.name === f.name && fields[i + group.length]?.index === group.length) group.push(fields[i + group.length]!);
    const layouts = group.map((g) => JSON.stringify(fieldFromVmdesc({ ...g, index: undefined })));
    if (layouts.every((l) => l === layouts[0])) {
      const one = fieldFromVmdesc({ ...f, index: undefined });
      if (group.length > 1) {
        one.len = group.length * (one.len ?? 1);
        one.indexed = true;
      }
      out.push(one);
    } else {
      out.push(...group.map(fieldFromVmdesc));
    }
    i += group.length;
  }
  return out;
}

function fieldFromVmdesc(f: VmdescField): PlatformField {
  const name = f.index !== undefined ? `${f.name}[${f.index}]` : f.name;
  const out: PlatformField = { name, type: f.type ?? 'unknown', size: f.size ?? 0 };
  if (f.array_len !== undefined) out.len = f.array_len;
  if (f.type === 'struct' && f.struct) out.struct = schemaFromVmdesc(f.struct);
  // VMSTATE_WITH_TMP: the tmp vmsd is written inline in the field object.
  if (f.type === 'tmp' && f.vmsd_name !== undefined) {
    out.struct = schemaFromVmdesc({ vmsd_name: f.vmsd_name, version: f.version ?? 0, fields: f.fields ?? [] });
  }
  return out;
}

/** Total bytes a field occupies (all elements). */
export function fieldBytes(f: PlatformField): number {
  return f.size * (f.len ?? 1);
}

/** Stable text of a field layout, used to dedupe schemas across machine types. */
export function layoutKey(s: PlatformSchema): string {
  return JSON.stringify({ n: s.name, v: s.version, f: s.fields });
}
