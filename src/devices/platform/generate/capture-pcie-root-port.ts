/**
 * Records what real QEMU 7.2 writes for `-device pcie-root-port,chassis=1`
 * on every PC machine type (run from the repository root):
 *
 *   node dist/src/devices/platform/generate/capture-pcie-root-port.js [qemu-system-x86_64]
 *
 * Writes src/devices/platform/qemu-7.2/pcie-root-port.json: per machine type
 * the root port's section (layout, real body) and the section of the
 * secondary bus it creates (PCIBUS, next instance id), and where in the
 * stream each one sat. Kept apart from machines.json (the main generator's
 * output) so this device can be re-captured on its own.
 *
 * What the captures show (checked here, a capture that differs fails):
 * - the root port's section comes first of all device sections, straight
 *   after RAM: vmstate_rp_dev has priority MIG_PRI_PCI_BUS, and savevm keeps
 *   its handler list sorted by priority;
 * - its secondary bus registers after the board's own sections (like any
 *   -device section) and before acpi_build / globalstate.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { captureOne, listMachines } from './capture.js';
import { scanStream } from './scan-stream.js';
import { schemaFromVmdesc, type PlatformSchema } from '../schema.js';
import type { PcieRootPortData, SectionRecord } from '../data-types.js';

export const ROOT_PORT_ARGS = ['-device', 'pcie-root-port,id=rp0,chassis=1'];
const OUT = new URL('src/devices/platform/qemu-7.2/pcie-root-port.json', `file://${process.cwd()}/`);
const SLOT = /^(0000:(?:00:)?)([0-9a-f]{2})(\.0\/)/;

/** minimum_version_id of the vmsds in this section (-dump-vmstate of QEMU 7.2, "pcie-root-port"). */
const MIN: Record<string, number> = { 'pcie-root-port': 1, PCIDevice: 1, PCIE_AER_ERROR_LOG: 1, msix: 0, PCIBUS: 1 };

function withMin(s: PlatformSchema): PlatformSchema {
  const out: PlatformSchema = { ...s, fields: s.fields.map((f) => (f.struct ? { ...f, struct: withMin(f.struct) } : f)) };
  const min = MIN[s.name];
  if (min !== undefined) out.min = min;
  return out;
}

async function main(qemu: string): Promise<void> {
  const data: PcieRootPortData = { qemu: '7.2', device: ROOT_PORT_ARGS[1]!, schemas: {}, bodies: {}, machines: {} };
  const schemaKey = (schema: PlatformSchema): string => {
    const text = JSON.stringify(schema);
    for (const [k, v] of Object.entries(data.schemas)) if (JSON.stringify(v) === text) return k;
    const key = `rp/${schema.name}@${schema.version}#${Object.keys(data.schemas).length + 1}`;
    data.schemas[key] = schema;
    return key;
  };
  const bodyKey = (body: Uint8Array): string => {
    const key = createHash('sha256').update(body).digest('hex').slice(0, 16);
    data.bodies[key] ??= gzipSync(body, { level: 9 }).toString('base64');
    return key;
  };
  for (const m of listMachines(qemu).filter((x) => /^pc-(q35|i440fx)-/.test(x))) {
    // pc-i440fx-2.0..2.2 suppress the vmdesc; it only appends the vmdesc, which the scan needs.
    const c = await captureOne(qemu, m, ROOT_PORT_ARGS).then((x) => (x.suppressVmdesc ? captureOne(qemu, `${m},suppress-vmdesc=off`, ROOT_PORT_ARGS) : x));
    const s = scanStream(c.stream);
    const at = s.sections.findIndex((x) => x.vmdesc.vmsd_name === 'pcie-root-port');
    const port = s.sections[at];
    const busAt = s.sections.findIndex((x) => x.idstr === 'PCIBUS' && x.instance_id === 1);
    const bus = s.sections[busAt];
    if (!port || !bus || !SLOT.test(port.idstr)) throw new Error(`${m}: no pcie-root-port / secondary PCIBUS section`);
    if (at !== 0) throw new Error(`${m}: the root port is section ${at}, not the first (priority MIG_PRI_PCI_BUS)`);
    const late = s.sections.slice(busAt + 1).map((x) => x.idstr);
    if (late.some((id) => id !== 'acpi_build' && id !== 'globalstate')) throw new Error(`${m}: sections after the secondary bus: ${late.join(', ')}`);
    const rec = (x: typeof port, id: string): SectionRecord => ({ id, inst: x.instance_id, ver: x.version_id, schema: schemaKey(withMin(schemaFromVmdesc(x.vmdesc))), body: bodyKey(x.body) });
    data.machines[m] = { section: rec(port, port.idstr.replace(SLOT, '$1{slot}$3')), bus: rec(bus, 'PCIBUS') };
    console.log(`captured ${m}: ${port.idstr} v${port.version_id}, ${port.body.length} bytes`);
  }
  writeFileSync(OUT, JSON.stringify(data) + '\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  await main(process.argv[2] ?? 'qemu-system-x86_64');
}
