/**
 * Generator: turns real QEMU 7.2 captures into the committed platform data.
 *
 *   node dist/src/devices/platform/generate/build-data.js CAPTURE_DIR DUMP.json
 *
 * CAPTURE_DIR holds, per machine type M (see capture.ts):
 *   plain-M.bin / plain-M.rb   `-nodefaults -m 32M` stream and `info ramblock`
 *   devs-M.bin  / devs-M.rb    the same plus OPTIONAL_DEVICES (PC machines only)
 *   suppress-vmdesc.json       qom-get /machine suppress-vmdesc per machine
 * DUMP.json is `qemu-system-x86_64 -dump-vmstate` output (minimum_version_id).
 *
 * Writes src/devices/platform/qemu-7.2/{schemas,machines,bodies}.json and
 * vmdesc/M.json.gz (the real vmdesc of each default stream, as test data).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { scanStream, type ScannedSection, type ScannedStream } from './scan-stream.js';
import { parseInfoRamblock } from './info-ramblock.js';
import { layoutKey, schemaFromVmdesc, type PlatformSchema } from '../schema.js';
import { MIN_VERSION_FROM_SOURCE } from '../min-versions.js';
import { withCpuSubsections } from '../cpu-subsections.js';
import type { BodyTable, DeviceRecord, MachineRecord, PlatformData, RamBlockRecord, SchemaTable, SectionRecord } from '../data-types.js';

/** The optional devices, in the order capture.ts puts them on the command line. */
export const OPTIONAL_DEVICES = ['e1000', 'virtio-net-pci', 'virtio-rng-pci', 'pvpanic-pci', 'ivshmem-plain', 'vmgenid'] as const;
const PCI_DEVICES = new Set<string>(['e1000', 'virtio-net-pci', 'virtio-rng-pci', 'pvpanic-pci', 'ivshmem-plain']);

/** Written into the source tree (run from the repository root), not next to the compiled file. */
const OUT = new URL('src/devices/platform/qemu-7.2/', `file://${process.cwd()}/`);

class SchemaCollector {
  readonly table: SchemaTable = {};
  private readonly byLayout = new Map<string, string>();
  constructor(private readonly minVersions: Map<string, number>) {}

  /** Returns the key of this layout, merging newly seen subsections into it. */
  add(section: ScannedSection): string {
    const schema = this.withMin(schemaFromVmdesc(section.vmdesc));
    const layout = layoutKey(schema);
    let key = this.byLayout.get(layout);
    if (key === undefined) {
      const base = `${schema.name}@${schema.version}`;
      key = base;
      for (let n = 2; this.table[key] !== undefined; n++) key = `${base}#${n}`;
      this.byLayout.set(layout, key);
      this.table[key] = { ...schema, subsections: [] };
    }
    const known = this.table[key]!;
    for (const sub of schema.subsections ?? []) mergeSubsection(known, sub);
    if (known.subsections?.length === 0) delete known.subsections;
    return key;
  }

  withMinPublic(s: PlatformSchema): PlatformSchema {
    return this.withMin(s);
  }

  private withMin(s: PlatformSchema): PlatformSchema {
    const min = this.minVersions.get(s.name) ?? MIN_VERSION_FROM_SOURCE[s.name];
    const out: PlatformSchema = { name: s.name, version: s.version, fields: [] };
    if (min !== undefined) out.min = min;
    out.fields = s.fields.map((f) => (f.struct ? { ...f, struct: this.withMin(f.struct) } : f));
    if (s.subsections) out.subsections = s.subsections.map((x) => this.withMin(x));
    return out;
  }
}

function mergeSubsection(into: PlatformSchema, sub: PlatformSchema): void {
  const list = (into.subsections ??= []);
  const seen = list.find((s) => s.name === sub.name);
  if (!seen) list.push(sub);
  else if (JSON.stringify(seen) !== JSON.stringify(sub)) throw new Error(`subsection ${sub.name} has two layouts under ${into.name}`);
}

/** minimum_version_id of every vmsd the -dump-vmstate output names. */
function minVersionsFromDump(dump: Record<string, unknown>): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (d: any): void => {
    if (!d || typeof d !== 'object') return;
    if (typeof d.name === 'string' && typeof d.minimum_version_id === 'number') out.set(d.name, d.minimum_version_id);
    for (const f of d.Fields ?? []) visit(f.Description);
    for (const s of d.Subsections ?? []) visit(s);
  };
  for (const v of Object.values(dump)) visit((v as any)?.Description);
  return out;
}

function bodyKey(bodies: BodyTable, body: Uint8Array): string {
  const key = createHash('sha256').update(body).digest('hex').slice(0, 16);
  bodies[key] ??= gzipSync(body, { level: 9 }).toString('base64');
  return key;
}

function sectionRecord(s: ScannedSection, schemas: SchemaCollector, bodies: BodyTable, id = s.idstr): SectionRecord {
  const rec: SectionRecord = { id, inst: s.instance_id, ver: s.version_id, schema: schemas.add(s), body: bodyKey(bodies, s.body) };
  const subs = (s.vmdesc.subsections ?? []).map((x) => x.vmsd_name);
  if (subs.length > 0) rec.subs = subs;
  return rec;
}

function ramBlockRecords(stream: ScannedStream, rbText: string): RamBlockRecord[] {
  const info = parseInfoRamblock(rbText);
  return stream.ramBlocks.map((b) => {
    const i = info.find((x) => x.idstr === b.idstr);
    if (!i || i.used !== b.used_length) throw new Error(`ramblock ${b.idstr}: stream and info ramblock disagree`);
    return [b.idstr, b.used_length, i.max];
  });
}

const SLOT = /^(0000:(?:00:)?)([0-9a-f]{2})(\.0\/)/;

/** Sections and RAM blocks the optional devices added, matched to device names. */
function deviceRecords(plain: ScannedStream, devs: ScannedStream, devsRb: string, schemas: SchemaCollector, bodies: BodyTable, m: MachineRecord): Record<string, DeviceRecord> {
  const plainIds = new Set(plain.sections.map((s) => `${s.idstr}#${s.instance_id}`));
  const extra = devs.sections.filter((s) => !plainIds.has(`${s.idstr}#${s.instance_id}`));
  const devBlocks = ramBlockRecords(devs, devsRb).filter((b) => !m.ramBlocks.some((p) => p[0] === b[0]));
  const out: Record<string, DeviceRecord> = {};
  let slotIndex = 0;
  for (const s of extra) {
    const name = OPTIONAL_DEVICES.find((d) => d.replace(/-pci$/, '') === s.idstr.replace(SLOT, '') || d === s.idstr.replace(SLOT, ''));
    if (!name) throw new Error(`cannot attribute section ${s.idstr} to an optional device`);
    const slot = SLOT.exec(s.idstr);
    const pci = PCI_DEVICES.has(name);
    if (pci !== (slot !== null)) throw new Error(`${s.idstr}: PCI naming unexpected for ${name}`);
    const rec: DeviceRecord = { section: sectionRecord(s, schemas, bodies, s.idstr.replace(SLOT, '$1{slot}$3')), pci };
    if (slot) {
      const n = parseInt(slot[2]!, 16);
      if (slotIndex === 0) m.firstFreeSlot = n;
      else if (n !== m.firstFreeSlot! + slotIndex) throw new Error(`${s.idstr}: slots are not consecutive`);
      slotIndex++;
      const mine = devBlocks.filter((b) => new RegExp(`^0000:(?:00:)?${slot[2]}\\.0/`).test(b[0]));
      if (mine.length > 0) rec.ramBlocks = mine.map(([id, used, max]) => [id.replace(SLOT, '$1{slot}$3'), used, max]);
    }
    out[name] = rec;
  }
  return out;
}

/**
 * Test fixtures straight from QEMU, not from this generator's reasoning: the
 * `info ramblock` tables and the MEM_SIZE order of every capture.
 */
const fixtures = {
  ramblock: {} as Record<string, { idstr: string; used: number; max: number }[]>,
  plainOrder: {} as Record<string, string[]>,
  devsOrder: {} as Record<string, string[]>,
};
/** Machines whose with-devices vmdesc is committed (one per naming / compat era). */
const DEVICE_FIXTURE_MACHINES = new Set(['pc-i440fx-1.4', 'pc-i440fx-1.6', 'pc-i440fx-2.0', 'pc-i440fx-2.4', 'pc-i440fx-2.5', 'pc-i440fx-7.2', 'pc-q35-2.4', 'pc-q35-7.2']);

function machineRecord(dir: string, machine: string, suppressed: boolean, schemas: SchemaCollector, bodies: BodyTable): MachineRecord {
  const plain = scanStream(new Uint8Array(readFileSync(join(dir, `plain-${machine}.bin`))));
  if (!plain.ramSection) throw new Error(`${machine}: no RAM section`);
  const m: MachineRecord = {
    configuration: plain.machine !== undefined,
    footers: plain.footers,
    vmdesc: !suppressed,
    ram: { id: plain.ramSection.idstr, inst: plain.ramSection.instance_id, ver: plain.ramSection.version_id },
    sections: plain.sections.map((s) => sectionRecord(s, schemas, bodies)),
    ramBlocks: ramBlockRecords(plain, readFileSync(join(dir, `plain-${machine}.rb`), 'utf8')),
  };
  fixtures.ramblock[`plain ${machine}`] = parseInfoRamblock(readFileSync(join(dir, `plain-${machine}.rb`), 'utf8'));
  const devsPath = join(dir, `devs-${machine}.bin`);
  if (existsSync(devsPath)) {
    const devs = scanStream(new Uint8Array(readFileSync(devsPath)));
    const devsRb = readFileSync(join(dir, `devs-${machine}.rb`), 'utf8');
    m.devices = deviceRecords(plain, devs, devsRb, schemas, bodies, m);
    fixtures.ramblock[`devs ${machine}`] = parseInfoRamblock(devsRb);
    if (DEVICE_FIXTURE_MACHINES.has(machine)) {
      writeFileSync(new URL(`vmdesc/devs-${machine}.json.gz`, OUT), gzipSync(JSON.stringify(devs.vmdesc), { level: 9 }));
    }
    fixtures.devsOrder[machine] = devs.ramBlocks.map((b) => b.idstr);
  }
  fixtures.plainOrder[machine] = plain.ramBlocks.map((b) => b.idstr);
  writeFileSync(new URL(`vmdesc/${machine}.json.gz`, OUT), gzipSync(JSON.stringify(plain.vmdesc), { level: 9 }));
  return m;
}

/**
 * Subsections a machine sends once its firmware ran (boot-M.bin) or after
 * a few port writes (poke-M.bin) join the
 * schema its default section uses: their layouts are real, the default
 * state still does not carry them.
 */
function addBootedSubsections(dir: string, machine: string, m: MachineRecord, schemas: SchemaCollector): void {
  for (const kind of ['boot', 'poke']) {
    const path = join(dir, `${kind}-${machine}.bin`);
    if (existsSync(path)) addSubsectionsFrom(path, m, schemas);
  }
}

function addSubsectionsFrom(path: string, m: MachineRecord, schemas: SchemaCollector): void {
  for (const s of scanStream(new Uint8Array(readFileSync(path))).sections) {
    const rec = m.sections.find((r) => r.id === s.idstr && r.inst === s.instance_id);
    const schema = rec && schemas.table[rec.schema];
    if (!schema) continue;
    for (const sub of schemaFromVmdesc(s.vmdesc).subsections ?? []) mergeSubsection(schema, schemas.withMinPublic(sub));
  }
}

function main(dir: string, dumpPath: string): void {
  const dump = JSON.parse(readFileSync(dumpPath, 'utf8')) as Record<string, unknown>;
  const schemas = new SchemaCollector(minVersionsFromDump(dump));
  const bodies: BodyTable = {};
  const suppressed = JSON.parse(readFileSync(join(dir, 'suppress-vmdesc.json'), 'utf8')) as Record<string, boolean>;
  mkdirSync(new URL('vmdesc/', OUT), { recursive: true });
  const machines = readdirSync(dir)
    .map((f) => /^plain-(.+)\.bin$/.exec(f)?.[1])
    .filter((m): m is string => m !== undefined)
    .sort(compareMachines);
  const data: PlatformData = { qemu: '7.2', machines: {} };
  for (const machine of machines) data.machines[machine] = machineRecord(dir, machine, suppressed[machine] === true, schemas, bodies);
  for (const machine of machines) addBootedSubsections(dir, machine, data.machines[machine]!, schemas);
  for (const schema of Object.values(schemas.table)) {
    if (schema.name === 'cpu') schema.subsections = withCpuSubsections(schema.subsections ?? []);
  }
  writeFileSync(new URL('schemas.json', OUT), JSON.stringify(sortKeys(schemas.table)) + '\n');
  writeFileSync(new URL('machines.json', OUT), JSON.stringify(data, null, 0) + '\n');
  writeFileSync(new URL('bodies.json', OUT), JSON.stringify(sortKeys(bodies), null, 0) + '\n');
  writeFileSync(new URL('vmdesc/ramblocks.json', OUT), JSON.stringify(fixtures) + '\n');
  console.log(`${machines.length} machine types, ${Object.keys(schemas.table).length} schemas, ${Object.keys(bodies).length} bodies`);
}

/** pc-i440fx-2.10 after pc-i440fx-2.9: compare version parts numerically. */
export function compareMachines(a: string, b: string): number {
  const split = (s: string) => /^(.*?)-?(\d+(?:\.\d+)*)?$/.exec(s)!;
  const [, an = '', av = ''] = split(a);
  const [, bn = '', bv = ''] = split(b);
  if (an !== bn) return an < bn ? -1 : 1;
  const ap = av.split('.').map(Number);
  const bp = bv.split('.').map(Number);
  for (let i = 0; i < Math.max(ap.length, bp.length); i++) {
    const d = (ap[i] ?? -1) - (bp[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const [dir = '/tmp/caph', dump = '/tmp/cap/pc-q35-7.2.dump.json'] = process.argv.slice(2);
  main(dir, dump);
}
