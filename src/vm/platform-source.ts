/**
 * The QEMU 7.2 platform layouts recorded from real captures
 * (src/devices/platform/qemu-7.2/*.json), as section descriptions with
 * their default state, and the RAM blocks of each machine type.
 *
 * The platform folder's own loader (`platformSections`) was not exported
 * when this was written, so this reads the committed data through the
 * platform folder's schema types and `descriptionFromSchema`. Everything
 * here is derived constant data, computed once per schema or body and
 * shared read-only: callers copy before they mutate (see state-path.ts).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { WireReader } from '../wire/index.js';
import { loadVMState, type StateObject, type VMStateDescription } from '../vmstate/index.js';
import { descriptionFromSchema } from '../devices/platform/to-description.js';
import type { BodyTable, DeviceRecord, MachineRecord, PlatformData, SchemaTable, SectionRecord } from '../devices/platform/data-types.js';
import type { PlatformSchema } from '../devices/platform/schema.js';

function readJson<T>(name: string): T {
  // Next to this module's folder (src/ under vitest, or dist/src/ if the data is copied there),
  // else the source tree seen from dist/src/vm (tsc does not copy JSON).
  const candidates = [
    new URL(`../devices/platform/qemu-7.2/${name}`, import.meta.url),
    new URL(`../../../src/devices/platform/qemu-7.2/${name}`, import.meta.url),
  ];
  for (const url of candidates) {
    try {
      return JSON.parse(readFileSync(url, 'utf8')) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error(`platform data ${name} not found (looked in ${candidates.map(String).join(', ')})`);
}

let data: { machines: PlatformData; schemas: SchemaTable; bodies: BodyTable } | undefined;
function platformData(): { machines: PlatformData; schemas: SchemaTable; bodies: BodyTable } {
  data ??= {
    machines: readJson<PlatformData>('machines.json'),
    schemas: readJson<SchemaTable>('schemas.json'),
    bodies: readJson<BodyTable>('bodies.json'),
  };
  return data;
}

/** Machine types the real 7.2 binary offered when the data was recorded. */
export function recordedMachines(): string[] {
  return Object.keys(platformData().machines.machines);
}

export function machineRecord(machine: string): MachineRecord | undefined {
  return platformData().machines.machines[machine];
}

export function schemaOf(key: string): PlatformSchema {
  const s = platformData().schemas[key];
  if (!s) throw new Error(`platform data: no schema '${key}'`);
  return s;
}

const descriptions = new Map<string, VMStateDescription>();
/** The engine description of a recorded schema (shared, do not mutate). */
export function descriptionOf(key: string): VMStateDescription {
  let d = descriptions.get(key);
  if (!d) {
    d = descriptionFromSchema(schemaOf(key));
    descriptions.set(key, d);
  }
  return d;
}

const defaults = new Map<string, StateObject>();
/**
 * The state real QEMU 7.2 wrote for a section (its recorded body decoded
 * with the recorded layout). Shared and frozen in spirit: never mutate.
 */
export function defaultStateOf(rec: SectionRecord): StateObject {
  const key = `${rec.schema}|${rec.body}`;
  let s = defaults.get(key);
  if (!s) {
    const b64 = platformData().bodies[rec.body];
    if (b64 === undefined) throw new Error(`platform data: no body '${rec.body}'`);
    const bytes = new Uint8Array(gunzipSync(Buffer.from(b64, 'base64')));
    const r = new WireReader(bytes);
    s = loadVMState(r, descriptionOf(rec.schema), rec.ver, {}, { path: rec.id });
    if (!r.atEnd()) throw new Error(`platform data: body of ${rec.id} has ${r.remaining} bytes the schema does not describe`);
    defaults.set(key, s);
  }
  return s;
}

export type { DeviceRecord, MachineRecord, SectionRecord };
