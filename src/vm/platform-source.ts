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
import type { BodyTable, DeviceRecord, MachineRecord, PcieRootPortData, PlatformData, SchemaTable, SectionRecord } from '../devices/platform/data-types.js';
import type { PlatformSchema } from '../devices/platform/schema.js';
// JSON modules, as the platform folder imports them: tsc copies them next to the compiled code.
import machinesJson from '../devices/platform/qemu-7.2/machines.json' with { type: 'json' };
import schemasJson from '../devices/platform/qemu-7.2/schemas.json' with { type: 'json' };
import bodiesJson from '../devices/platform/qemu-7.2/bodies.json' with { type: 'json' };
import rootPortJson from '../devices/platform/qemu-7.2/pcie-root-port.json' with { type: 'json' };

const ROOT_PORT = rootPortJson as unknown as PcieRootPortData;
const DATA = {
  machines: withRootPort(machinesJson as unknown as PlatformData),
  // The root port's own capture (generate/capture-pcie-root-port.ts) keys its schemas `rp/...`.
  schemas: { ...(schemasJson as unknown as SchemaTable), ...ROOT_PORT.schemas },
  bodies: { ...(bodiesJson as unknown as BodyTable), ...ROOT_PORT.bodies },
};

/** pcie-root-port joins each machine type's optional devices: its section (MIG_PRI_PCI_BUS) and its secondary bus. */
function withRootPort(data: PlatformData): PlatformData {
  const machines: Record<string, MachineRecord> = {};
  for (const [name, m] of Object.entries(data.machines)) {
    const rp = ROOT_PORT.machines[name];
    machines[name] = rp && m.devices ? { ...m, devices: { ...m.devices, 'pcie-root-port': { section: rp.section, bus: rp.bus, pci: true, priority: true } } } : m;
  }
  return { ...data, machines };
}
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
