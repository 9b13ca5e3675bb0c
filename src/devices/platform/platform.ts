/**
 * What real QEMU 7.2 puts in a `-nodefaults -m 32M` stream, per machine type:
 * the device sections in order (idstr, instance id, version, layout, default
 * state) and the RAM block list. Data recorded from real captures by
 * generate/build-data.ts; see qemu-7.2/README.md.
 */
import { gunzipSync } from 'node:zlib';
import { WireReader } from '../../wire/index.js';
import type { StateObject, Value, VMStateDescription } from '../../vmstate/description.js';
import { decodeBody } from './body-codec.js';
import type { BodyTable, DeviceRecord, MachineRecord, PlatformData, RamBlockRecord, SchemaTable, SectionRecord } from './data-types.js';
import type { PlatformSchema } from './schema.js';
import { descriptionFromSchema } from './to-description.js';
import machinesJson from './qemu-7.2/machines.json' with { type: 'json' };
import schemasJson from './qemu-7.2/schemas.json' with { type: 'json' };
import bodiesJson from './qemu-7.2/bodies.json' with { type: 'json' };

const DATA = machinesJson as unknown as PlatformData;
const SCHEMAS = schemasJson as unknown as SchemaTable;
const BODIES = bodiesJson as unknown as BodyTable;

export interface PlatformSection {
  idstr: string;
  instance_id: number;
  version_id: number;
  /** The recorded layout (vmdesc shape). */
  schema: PlatformSchema;
  description: VMStateDescription;
  /** Default state: the real section body decoded; a fresh copy per call. */
  state: StateObject;
  /** Subsections the real default stream carried. */
  subsections: string[];
  /** The real body bytes (without section header and footer). */
  body: Uint8Array;
}

export interface PlatformSectionOptions {
  /**
   * Default true: every call returns its own copy of the default state and
   * body (about 1-2 ms for a Q35 machine with a NIC). False returns the shared
   * decoded templates, for callers that only read them or copy them themselves.
   */
  copyState?: boolean;
}

export interface PlatformRamBlock {
  idstr: string;
  used_length: number;
  max_length: number;
}

/** Stream-level facts of a machine type's default stream. */
export interface PlatformStreamInfo {
  configuration: boolean;
  footers: boolean;
  vmdesc: boolean;
  ram: { idstr: string; instance_id: number; version_id: number };
}

/** A machine or device this data cannot describe; wording follows QEMU where it has some. */
export class PlatformConfigError extends Error {
  override readonly name = 'PlatformConfigError';
}

export const OPTIONAL_DEVICE_DRIVERS = ['e1000', 'virtio-net-pci', 'virtio-rng-pci', 'pvpanic-pci', 'ivshmem-plain', 'vmgenid'] as const;

/** Machine types recorded, in QEMU's version order within each family. */
export function platformMachines(): string[] {
  return Object.keys(DATA.machines);
}

export function platformStreamInfo(machine: string): PlatformStreamInfo {
  const m = machineRecord(machine);
  return { configuration: m.configuration, footers: m.footers, vmdesc: m.vmdesc, ram: { idstr: m.ram.id, instance_id: m.ram.inst, version_id: m.ram.ver } };
}

export function platformSchemas(): Readonly<SchemaTable> {
  return SCHEMAS;
}

/** The sections, in stream order, of `machine` started with `-nodefaults` plus `devices` (QEMU -device syntax). */
export function platformSections(machine: string, devices: string[] = [], opts: PlatformSectionOptions = {}): PlatformSection[] {
  const m = machineRecord(machine);
  const copy = opts.copyState ?? true;
  const placed = placeDevices(machine, m, devices);
  const added = placed.map((p) => sectionFrom(p.rec.section, copy, p.slot));
  const base = m.sections.map((s) => sectionFrom(s, copy));
  // Devices from the command line register after the board's own devices but
  // before the sections created at machine-done time (acpi_build, globalstate).
  let at = base.length;
  while (at > 0 && LATE_SECTIONS.has(base[at - 1]!.idstr)) at--;
  return [...base.slice(0, at), ...added, ...base.slice(at)];
}

const LATE_SECTIONS = new Set(['acpi_build', 'globalstate']);

/**
 * The RAM blocks a migration stream lists (MEM_SIZE order) for `machine` with
 * `devices` and `ramSize` bytes of guest RAM. QEMU keeps its RAM block list
 * sorted by max_length, largest first, a new block going after the blocks of
 * equal size (qemu_ram_add), which is the order recorded here.
 * `memdevSizes` gives the size of each -object memory-backend an
 * ivshmem-plain device names (default: the 4 MiB of the capture).
 */
export function ramBlocks(machine: string, devices: string[] = [], ramSize: number | string = 32 * 1024 * 1024, memdevSizes: Record<string, number> = {}): PlatformRamBlock[] {
  const m = machineRecord(machine);
  const bytes = typeof ramSize === 'number' ? ramSize : parseRamSize(ramSize);
  const blocks: PlatformRamBlock[] = m.ramBlocks.map((b, i) =>
    i === 0 && /^(pc|microvm)\.ram$/.test(b[0]) ? { idstr: b[0], used_length: bytes, max_length: bytes } : toBlock(b),
  );
  for (const p of placeDevices(machine, m, devices)) {
    for (const b of p.rec.ramBlocks ?? []) {
      let [id, used, max] = b;
      if (id.endsWith('.rom') && p.options.get('romfile') === '') continue; // romfile= : no option ROM
      if (p.driver === 'ivshmem-plain') {
        const memdev = p.options.get('memdev') ?? 'hmem';
        id = id.replace(/\/[^/]+$/, `/${memdev}`);
        used = max = memdevSizes[memdev] ?? used;
      }
      blocks.push({ idstr: withSlot(id, p.slot), used_length: used, max_length: max });
    }
  }
  // Array.prototype.sort is stable: equal max_length keeps creation order.
  return blocks.sort((a, b) => b.max_length - a.max_length);
}

/** QEMU's -m syntax: a bare number is MiB; K, M, G, T suffixes (optionally with B / iB). */
export function parseRamSize(text: string): number {
  const hit = /^(\d+(?:\.\d+)?)\s*([kmgt])?(?:i?b)?$/i.exec(text.trim());
  if (!hit) throw new PlatformConfigError(`Parameter 'size' expects a non-negative number below 2^64: ${text}`);
  const shift = { k: 10, m: 20, g: 30, t: 40 }[(hit[2] ?? 'm').toLowerCase() as 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(hit[1]) * 2 ** shift);
}

interface PlacedDevice {
  driver: string;
  options: Map<string, string>;
  rec: DeviceRecord;
  slot?: number;
}

/**
 * Slots as QEMU assigns them on bus 0, in command-line order: `addr=` takes
 * that slot, a device without it the lowest free slot (pci_bus_devfn... in
 * hw/pci/pci.c); the board's own devices hold theirs. Checked against a real
 * 7.2 capture of `e1000,addr=05 virtio-net-pci pvpanic-pci,addr=0x2.0` on
 * pc-q35-7.2: slots 05, 01, 02.
 */
function placeDevices(machine: string, m: MachineRecord, devices: string[]): PlacedDevice[] {
  const used = boardSlots(m);
  return devices.map((spec) => {
    const [driver = '', ...opts] = spec.split(',');
    const options = new Map(opts.map((o) => { const i = o.indexOf('='); return i < 0 ? [o, 'on'] as [string, string] : [o.slice(0, i), o.slice(i + 1)] as [string, string]; }));
    const rec = m.devices?.[driver];
    if (!rec) throw new PlatformConfigError(deviceRefusal(machine, m, driver));
    if (!rec.pci) return { driver, options, rec };
    if (m.firstFreeSlot === undefined) throw new PlatformConfigError(`-device ${driver}: No 'PCI' bus found for device '${driver}'`);
    const slot = options.has('addr') ? explicitSlot(driver, options.get('addr')!, used) : lowestFreeSlot(driver, m.firstFreeSlot, used);
    used.add(slot);
    return { driver, options, rec, slot };
  });
}

/** Slots below the first free one, and any slot a board section names (ICH9 at 1f). */
function boardSlots(m: MachineRecord): Set<number> {
  const used = new Set<number>();
  for (let s = 0; s < (m.firstFreeSlot ?? 0); s++) used.add(s);
  for (const sec of m.sections) {
    const hit = /^0000:(?:00:)?([0-9a-f]{2})\.[0-7]\//.exec(sec.id);
    if (hit) used.add(parseInt(hit[1]!, 16));
  }
  return used;
}

function explicitSlot(driver: string, addr: string, used: Set<number>): number {
  const hit = /^(?:0x)?([0-9a-f]{1,2})(?:\.(?:0x)?([0-7]))?$/i.exec(addr);
  if (!hit) throw new PlatformConfigError(`-device ${driver},addr=${addr}: Property '${driver}.addr' doesn't take value '${addr}'`);
  const slot = parseInt(hit[1]!, 16);
  if (hit[2] !== undefined && hit[2] !== '0') throw new PlatformConfigError(`-device ${driver},addr=${addr}: functions other than 0 are not recorded`);
  if (slot > 0x1f) throw new PlatformConfigError(`-device ${driver},addr=${addr}: Property '${driver}.addr' doesn't take value '${addr}'`);
  if (used.has(slot)) throw new PlatformConfigError(`-device ${driver},addr=${addr}: PCI: slot ${slot} function 0 not available for ${driver}`);
  return slot;
}

function lowestFreeSlot(driver: string, from: number, used: Set<number>): number {
  for (let s = from; s <= 0x1f; s++) if (!used.has(s)) return s;
  throw new PlatformConfigError(`-device ${driver}: PCI: no slot/function available for ${driver}, all in use or reserved`);
}

function deviceRefusal(machine: string, m: MachineRecord, driver: string): string {
  if (!(OPTIONAL_DEVICE_DRIVERS as readonly string[]).includes(driver)) return `-device ${driver}: not recorded for QEMU 7.2 platform data`;
  if (driver === 'vmgenid' && m.devices !== undefined) {
    return '-device vmgenid: vmgenid requires DMA write support in fw_cfg, which this machine type does not provide';
  }
  if (m.firstFreeSlot === undefined && driver !== 'vmgenid') return `-device ${driver}: No 'PCI' bus found for device '${driver}'`;
  return `-device ${driver}: not recorded for machine type ${machine}`;
}

/**
 * Decoding a body and building a description is done once per body / schema
 * and kept: a simulated boot asks for the same machine many times. Callers
 * get their own copy of the state and body; descriptions are shared and must
 * not be mutated.
 */
const descriptions = new Map<string, VMStateDescription>();
const templates = new Map<string, { body: Uint8Array; state: StateObject }>();

function descriptionFor(key: string, schema: PlatformSchema): VMStateDescription {
  let d = descriptions.get(key);
  if (!d) descriptions.set(key, (d = descriptionFromSchema(schema)));
  return d;
}

function templateFor(rec: SectionRecord, schema: PlatformSchema): { body: Uint8Array; state: StateObject } {
  // Keyed by schema and body: equal bytes (a lone zero byte) are different states under different layouts.
  const key = `${rec.schema}/${rec.body}`;
  let t = templates.get(key);
  if (!t) {
    const packed = BODIES[rec.body];
    if (packed === undefined) throw new PlatformConfigError(`platform data is inconsistent: no body ${rec.body}`);
    const body = new Uint8Array(gunzipSync(Buffer.from(packed, 'base64')));
    t = { body, state: decodeBody(schema, new WireReader(body), rec.id) };
    templates.set(key, t);
  }
  return t;
}

function sectionFrom(rec: SectionRecord, copy: boolean, slot?: number): PlatformSection {
  const schema = SCHEMAS[rec.schema];
  if (!schema) throw new PlatformConfigError(`platform data is inconsistent: no schema ${rec.schema}`);
  const t = templateFor(rec, schema);
  return {
    idstr: withSlot(rec.id, slot),
    instance_id: rec.inst,
    version_id: rec.ver,
    schema,
    description: descriptionFor(rec.schema, schema),
    state: copy ? cloneState(t.state) : t.state,
    subsections: rec.subs ?? [],
    body: copy ? t.body.slice() : t.body,
  };
}

function cloneValue(v: Value): Value {
  if (v instanceof Uint8Array) return v.slice();
  // Integer arrays (e1000's MAC registers, ...) are large: copy them flat.
  if (Array.isArray(v)) return v.length === 0 || typeof v[0] !== 'object' ? v.slice() : v.map(cloneValue);
  if (typeof v === 'object') return cloneState(v);
  return v;
}

function cloneState(s: StateObject): StateObject {
  const out: StateObject = {};
  for (const k in s) out[k] = cloneValue(s[k]!);
  return out;
}

function withSlot(id: string, slot?: number): string {
  return slot === undefined ? id : id.replace('{slot}', slot.toString(16).padStart(2, '0'));
}

function toBlock([idstr, used_length, max_length]: RamBlockRecord): PlatformRamBlock {
  return { idstr, used_length, max_length };
}

/** `qemu-system-x86_64 -machine help`: "pc ... (alias of pc-i440fx-7.2)", "q35 ... (alias of pc-q35-7.2)". */
export const MACHINE_ALIASES: Readonly<Record<string, string>> = { pc: 'pc-i440fx-7.2', q35: 'pc-q35-7.2' };

/** The machine type QEMU 7.2 runs (and names in the stream) for `machine`. */
export function resolveMachine(machine: string): string {
  return MACHINE_ALIASES[machine] ?? machine;
}

function machineRecord(machine: string): MachineRecord {
  const m = DATA.machines[resolveMachine(machine)];
  if (!m) throw new PlatformConfigError(`unsupported machine type: ${machine} (QEMU 7.2 data has ${platformMachines().join(', ')})`);
  return m;
}
