/**
 * The QEMU 7.2 platform layouts recorded from real captures
 * (src/devices/platform/qemu-7.2/*.json), as section descriptions with
 * their default state, and the RAM blocks of each machine type.
 *
 * Written before the platform folder exported `platformSections`; it reads
 * the same committed data with the platform folder's types and
 * `descriptionFromSchema`, plus the device records (PCI or not, slot, ROM
 * blocks) the build adapter needs. Everything
 * here is derived constant data, computed once per schema or body and
 * shared read-only: callers copy before they mutate (see state-path.ts).
 */
import { gunzipSync } from 'node:zlib';
import { WireReader } from '../wire/index.js';
import { loadVMState, type StateObject, type VMStateDescription } from '../vmstate/index.js';
import { descriptionFromSchema } from '../devices/platform/to-description.js';
import type { BodyTable, DeviceRecord, MachineRecord, PlatformData, SchemaTable, SectionRecord } from '../devices/platform/data-types.js';
import type { PlatformSchema } from '../devices/platform/schema.js';
// JSON modules, as the platform folder imports them: tsc copies them next to the compiled code.
import machinesJson from '../devices/platform/qemu-7.2/machines.json' with { type: 'json' };
import schemasJson from '../devices/platform/qemu-7.2/schemas.json' with { type: 'json' };
import bodiesJson from '../devices/platform/qemu-7.2/bodies.json' with { type: 'json' };

const DATA = {
  machines: machinesJson as unknown as PlatformData,
  schemas: schemasJson as unknown as SchemaTable,
  bodies: bodiesJson as unknown as BodyTable,
};
function platformData(): typeof DATA {
  return DATA;
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
