/**
 * QEMU's `-dump-vmstate FILE` JSON (savevm.c dump_vmstate_json_to_file):
 * every device class with a vmsd, keyed by QOM class name, plus the machine
 * type under "vmschkmachine". It is what scripts/vmstate-static-checker.py
 * compares between two builds.
 *
 * The dump says much less than a vmdesc: per field only its name,
 * version_id, whether it has a field_exists callback, field->size (element
 * size for arrays; sizeof the C struct for structs) and a nested
 * description; no info type, no element count. Imported descriptions are
 * therefore for static comparison first:
 *  - a field with a nested "Description" becomes a struct of it;
 *  - any other field becomes an opaque run of `size` bytes (exact for
 *    scalars and fixed buffers, wrong for arrays and variable sizes);
 *  - with newer QEMU's "num" (VMS_ARRAY count, not in 7.2 dumps) the field
 *    becomes an array of `num` such elements;
 *  - "field_exists": true cannot be decided from the dump: the field gets a
 *    field_exists supplied by the caller's resolver, or one that refuses
 *    with `vmstate.description-invalid` when a walker asks it.
 * What the kinds cannot hold (dump size, "num", absent "Fields") is kept in
 * `meta` / `noFields`, so importing then exporting reproduces QEMU's text.
 */
import { LoadError } from '../wire/index.js';
import type { ElementKind, StateObject, VMStateDescription, VMStateField } from './description.js';
import { INT_WIDTH } from './field-info.js';
import { presentInState } from './vmdesc.js';

export interface DumpVmstate {
  /** The machine type the dump was made with ("vmschkmachine"."Name"). */
  machine: string;
  /** Descriptions by QOM class name (which may differ from the vmsd name). */
  descriptions: Map<string, VMStateDescription>;
}

/** Supplies field_exists for a field whose dump says it has one; undefined: undecidable. */
export type FieldExistsResolver = (
  vmsdName: string,
  fieldName: string,
) => ((state: StateObject, versionId: number) => boolean) | undefined;

export interface DumpImportOptions {
  fieldExists?: FieldExistsResolver;
  /** Largest dump text accepted (QEMU 7.2's is ~800 KB). */
  maxBytes?: number;
  maxDepth?: number;
}

interface ImportCtx {
  resolver: FieldExistsResolver | undefined;
  maxDepth: number;
}

function invalid(path: string, message: string): never {
  throw new LoadError('vmstate.description-invalid', `Invalid -dump-vmstate JSON: ${path}: ${message}`, 0, path);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(path, 'expected an object');
  return v as Record<string, unknown>;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') invalid(path, 'expected a string');
  return v;
}

function int(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) invalid(path, 'expected an integer');
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') invalid(path, 'expected true or false');
  return v;
}

export function descriptionsFromDumpVmstate(json: string | unknown, opts: DumpImportOptions = {}): DumpVmstate {
  const maxBytes = opts.maxBytes ?? 64 << 20;
  let top: unknown = json;
  if (typeof json === 'string') {
    if (json.length > maxBytes) invalid('dump', `${json.length} bytes exceed the limit of ${maxBytes}`);
    try {
      top = JSON.parse(json);
    } catch (e) {
      invalid('dump', `not valid JSON: ${(e as Error).message}`);
    }
  }
  const root = obj(top, 'dump');
  const machine = str(obj(root['vmschkmachine'], 'vmschkmachine')['Name'], 'vmschkmachine/Name');
  const ctx: ImportCtx = { resolver: opts.fieldExists, maxDepth: opts.maxDepth ?? 32 };
  const descriptions = new Map<string, VMStateDescription>();
  for (const [cls, entry] of Object.entries(root)) {
    if (cls === 'vmschkmachine') continue;
    const e = obj(entry, cls);
    if (str(e['Name'], `${cls}/Name`) !== cls) invalid(cls, `"Name" differs from the key`);
    const vmsd = importVmsd(ctx, e['Description'], `${cls}/Description`, 0);
    // QEMU prints dc->vmsd's versions twice; a dump where they differ is not QEMU's.
    if (int(e['version_id'], `${cls}/version_id`) !== vmsd.version_id) invalid(cls, 'version_id differs from its Description');
    if (int(e['minimum_version_id'], `${cls}/minimum_version_id`) !== vmsd.minimum_version_id) {
      invalid(cls, 'minimum_version_id differs from its Description');
    }
    descriptions.set(cls, vmsd);
  }
  return { machine, descriptions };
}

function importVmsd(ctx: ImportCtx, v: unknown, path: string, depth: number): VMStateDescription {
  if (depth > ctx.maxDepth) invalid(path, `nesting deeper than ${ctx.maxDepth}`);
  const o = obj(v, path);
  const vmsd: VMStateDescription = {
    name: str(o['name'], `${path}/name`),
    version_id: int(o['version_id'], `${path}/version_id`),
    minimum_version_id: int(o['minimum_version_id'], `${path}/minimum_version_id`),
    fields: [],
  };
  if ('Fields' in o) {
    const fields = o['Fields'];
    if (!Array.isArray(fields)) invalid(`${path}/Fields`, 'expected an array');
    vmsd.fields = fields.map((f, i) => importField(ctx, vmsd.name, f, `${path}/Fields[${i}]`, depth));
  } else {
    vmsd.noFields = true;
  }
  if ('Subsections' in o) {
    const subs = o['Subsections'];
    if (!Array.isArray(subs)) invalid(`${path}/Subsections`, 'expected an array');
    vmsd.subsections = subs.map((s, i) => {
      const sub = importVmsd(ctx, s, `${path}/Subsections[${i}]`, depth + 1);
      // The dump does not say when QEMU sends a subsection; re-saving a
      // decoded state must send exactly the ones the stream carried.
      sub.needed = presentInState(sub);
      return sub;
    });
  }
  return vmsd;
}

function undecidable(vmsdName: string, fieldName: string): (state: StateObject, versionId: number) => boolean {
  return () => {
    throw new LoadError(
      'vmstate.description-invalid',
      `${vmsdName}/${fieldName}: field_exists cannot be decided from a -dump-vmstate description`,
      0,
      `${vmsdName}/${fieldName}`,
    );
  };
}

function importField(ctx: ImportCtx, vmsdName: string, v: unknown, path: string, depth: number): VMStateField {
  const o = obj(v, path);
  const name = str(o['field'], `${path}/field`);
  const version_id = int(o['version_id'], `${path}/version_id`);
  const hasExists = bool(o['field_exists'], `${path}/field_exists`);
  const size = int(o['size'], `${path}/size`);
  if (size < 0) invalid(`${path}/size`, 'negative');
  const kind: ElementKind =
    'Description' in o
      ? { kind: 'struct', vmsd: importVmsd(ctx, o['Description'], `${path}/Description`, depth + 1) }
      : { kind: 'opaque', info: 'unknown', size };
  const num = 'num' in o ? int(o['num'], `${path}/num`) : undefined;
  if (num !== undefined && (num < 0 || num > 1 << 24)) invalid(`${path}/num`, 'out of range');
  // Newer QEMU prints "num" for VMS_ARRAY fields: then the element count is known.
  const field: VMStateField =
    num !== undefined && num !== 1
      ? { name, kind: 'array', of: kind, length: num, version_id, meta: { dumpSize: size, dumpNum: num } }
      : { name, ...kind, version_id, meta: num === undefined ? { dumpSize: size } : { dumpSize: size, dumpNum: num } };
  if (hasExists) field.field_exists = ctx.resolver?.(vmsdName, name) ?? undecidable(vmsdName, name);
  return field;
}

// ---------------------------------------------------------------------------
// Export: the same text QEMU's fprintf calls produce, indentation included.

const pad = (n: number): string => ' '.repeat(n);

/** field->size as QEMU would print it when the description did not come from a dump. */
function defaultDumpSize(field: VMStateField): number {
  const elem = (k: ElementKind): number => {
    switch (k.kind) {
      case 'int':
      case 'equal':
        return INT_WIDTH[k.type];
      case 'bool':
        return 1;
      case 'timer':
        return 8; // VMSTATE_TIMER_PTR: sizeof(QEMUTimer *)
      case 'opaque':
        return k.size;
      case 'struct':
        return 0; // sizeof the C struct: unknown to a data description
    }
  };
  switch (field.kind) {
    case 'buffer':
    case 'unused':
      return field.size;
    case 'vbuffer':
    case 'bitmap':
    case 'validate':
      return 0; // sized at run time through size_offset: field->size is 0
    case 'array':
    case 'varray':
      return elem(field.of);
    default:
      return elem(field);
  }
}

function nestedVmsd(field: VMStateField): VMStateDescription | undefined {
  if (field.kind === 'struct') return field.vmsd;
  if ((field.kind === 'array' || field.kind === 'varray') && field.of.kind === 'struct') return field.of.vmsd;
  return undefined;
}

function dumpField(field: VMStateField, indent: number): string {
  const i = indent + 2;
  let s = `${pad(indent)}{\n`;
  s += `${pad(i)}"field": "${field.name}",\n`;
  s += `${pad(i)}"version_id": ${field.version_id ?? 0},\n`;
  s += `${pad(i)}"field_exists": ${field.field_exists ? 'true' : 'false'},\n`;
  if (field.meta?.dumpNum !== undefined) s += `${pad(i)}"num": ${field.meta.dumpNum},\n`;
  s += `${pad(i)}"size": ${field.meta?.dumpSize ?? defaultDumpSize(field)}`;
  const nested = nestedVmsd(field);
  if (nested) s += `,\n${dumpVmsd(nested, i, false)}`;
  return `${s}\n${pad(indent)}}`;
}

function dumpVmsd(vmsd: VMStateDescription, indent: number, isSubsection: boolean): string {
  let s = isSubsection ? `${pad(indent)}{\n` : `${pad(indent)}"Description": {\n`;
  const i = indent + 2;
  s += `${pad(i)}"name": "${vmsd.name}",\n`;
  s += `${pad(i)}"version_id": ${vmsd.version_id},\n`;
  s += `${pad(i)}"minimum_version_id": ${vmsd.minimum_version_id}`;
  if (!vmsd.noFields) {
    // VMSTATE_VALIDATE entries are not migrated and QEMU leaves them out.
    const fields = vmsd.fields.filter((f) => f.kind !== 'validate');
    s += `,\n${pad(i)}"Fields": [\n${fields.map((f) => dumpField(f, i + 2)).join(',\n')}\n${pad(i)}]`;
  }
  if (vmsd.subsections !== undefined) {
    s += `,\n${pad(i)}"Subsections": [\n${vmsd.subsections.map((sub) => dumpVmsd(sub, i + 2, true)).join(',\n')}\n${pad(i)}]`;
  }
  return `${s}\n${pad(indent)}}`;
}

/**
 * The -dump-vmstate text for these descriptions (keyed by class name, in
 * map order) and machine type, as QEMU 7.2 writes it.
 */
export function dumpVmstate(descs: Map<string, VMStateDescription>, machine: string): string {
  const entries = [...descs].map(([cls, vmsd]) => {
    let s = `  "${cls}": {\n`;
    s += `    "Name": "${cls}",\n`;
    s += `    "version_id": ${vmsd.version_id},\n`;
    s += `    "minimum_version_id": ${vmsd.minimum_version_id},\n`;
    s += dumpVmsd(vmsd, 4, false);
    return `${s}\n  }`;
  });
  return `{\n  "vmschkmachine": {\n    "Name": "${machine}"\n  },\n${entries.join(',\n')}\n}\n`;
}
