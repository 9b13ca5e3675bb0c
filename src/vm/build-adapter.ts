/**
 * What a machine of a simulated build is made of: the 7.2 layout recorded
 * from real QEMU (platform-source.ts), transformed by the catalog changes
 * between that build and 7.2 (src/builds):
 *
 * - the machine type must be one the build offers; its layout is the one
 *   real 7.2 wrote for the same machine type (for types newer than 7.2: the
 *   newest 7.2 type of the family, renamed);
 * - subsections the build does not know yet are dropped from descriptions
 *   and default state (an old destination then refuses them as unknown);
 * - section versions the catalog sets for the build replace the recorded ones;
 * - devices the build does not have are refused at boot, and so are devices
 *   whose required compat property the machine type switches off (vmgenid
 *   without fw_cfg DMA);
 * - stream layout (configuration, footers, vmdesc, globalstate) is the
 *   build's capability AND the machine type's compat (streamLayoutFor);
 * - ACPI blocks are resizeable, with the build's max_length, only from the
 *   build that made them so (seed 000); before 2.3 every block is fixed.
 */
import { getBuild, listBuilds, streamLayoutFor, UnknownBuildError, type BuildView, type StreamLayout } from '../builds/index.js';
import { parseBoolProperty, parseMachineName, resolveProperty } from '../machines/index.js';
import type { StateObject, VMStateDescription } from '../vmstate/index.js';
import { acpiBlobLengths, machineAcpi } from '../devices/acpi/index.js';
import { BootError } from './boot-error.js';
import { defaultMac, parseMac, RECORDED_NIC_INDEX, withMac } from './nic-mac.js';
import type { DeviceWord } from './options.js';
import { defaultStateOf, descriptionOf, machineRecord, recordedMachines, type MachineRecord, type SectionRecord } from './platform-source.js';
import { claimChassisSlot, rootPortParams, type RootPortParams } from './pcie-root-port-model.js';

export const REFERENCE_BUILD = '7.2';

export interface SectionPlan {
  idstr: string;
  instanceId: number;
  versionId: number;
  vmsd: VMStateDescription;
  /** Default state (shared: copy before mutating). */
  state: StateObject;
  /** The -device word that added the section, for board sections undefined. */
  device?: string;
  /** A pcie-root-port section: the build's parameters for its PCI model (pcie-root-port-model.ts). */
  rootPort?: RootPortParams;
}

export interface RamBlockPlan {
  idstr: string;
  usedLength: number;
  maxLength: number;
  resizeable: boolean;
  migratable: boolean;
  /** The build predates the resize API (< 2.3): QEMU 2.x wording on a length mismatch. */
  preResizeApi?: boolean;
}

export interface DevicePlan {
  word: DeviceWord;
  /** PCI slot on bus 0 (devfn = slot << 3), for PCI devices. */
  slot?: number;
  /** "0000:00:02.0" for PCI devices. */
  pciPath?: string;
}

export interface MachinePlan {
  build: string;
  machine: string;
  /** The 7.2 machine type whose recorded layout this plan starts from. */
  reference: string;
  stream: StreamLayout;
  /** idstr of the guest's main RAM block (pc.ram, microvm.ram). */
  mainRam: string;
  sections: SectionPlan[];
  ramBlocks: RamBlockPlan[];
  devices: DevicePlan[];
  /** State blocked by a non-migratable device (QEMU's wording), or undefined. */
  blocker?: string;
  /** -smp maxcpus: decides the ACPI table sizes (one vCPU is modelled); 1 when absent. */
  maxCpus?: number;
}

export function buildView(build: string): BuildView {
  try {
    return getBuild(build);
  } catch (e) {
    if (e instanceof UnknownBuildError) throw new BootError('unknown-build', e.message);
    throw e;
  }
}

/** The machine type name after aliases (`pc`, `q35`), if the build offers it. */
export function resolveMachine(view: BuildView, machine: string): string {
  const name = view.aliases[machine] ?? machine;
  if (!view.machines.some((m) => m.name === name)) {
    throw new BootError('unknown-machine', `build ${view.version} has no machine type '${machine}' (see \`migcompat builds\`)`);
  }
  return name;
}

/** The recorded 7.2 machine type whose layout stands for `machine`. */
export function referenceMachine(machine: string): string {
  if (machineRecord(machine)) return machine;
  const parsed = parseMachineName(machine);
  const family = parsed?.family;
  const candidates = recordedMachines().filter((m) => parseMachineName(m)?.family === family && family !== undefined);
  const newest = candidates.at(-1);
  // Only types newer than 7.2 borrow the newest 7.2 layout; older unrecorded ones are not modelled.
  if (newest && parsed?.version !== undefined && compareLoose(parsed.version, REFERENCE_BUILD) > 0) return newest;
  throw new BootError('unknown-machine', `machine type '${machine}' has no recorded layout (QEMU 7.2 offered: ${recordedMachines().join(', ')})`);
}

function compareLoose(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Subsection names the catalog knows in `view` (every device, every section). */
function knownSubsections(view: BuildView): Set<string> {
  const out = new Set<string>();
  for (const dev of Object.values(view.devices)) for (const sec of Object.values(dev.sections)) for (const name of Object.keys(sec.subsections)) out.add(name);
  return out;
}

/** Subsections the catalog dates after `view`'s build: not in this build's descriptions. */
export function subsectionsUnknownTo(view: BuildView): Set<string> {
  const newest = getBuild(listBuilds().at(-1)!);
  const known = knownSubsections(view);
  return new Set([...knownSubsections(newest)].filter((s) => !known.has(s)));
}

/** Section versions the catalog sets in this build, by vmstate name. */
function catalogVersions(view: BuildView): Map<string, { version_id: number; minimum_version_id?: number }> {
  const out = new Map<string, { version_id: number; minimum_version_id?: number }>();
  for (const dev of Object.values(view.devices)) {
    for (const sec of Object.values(dev.sections)) {
      if (sec.version_id !== undefined) out.set(sec.name, { version_id: sec.version_id, ...(sec.minimum_version_id === undefined ? {} : { minimum_version_id: sec.minimum_version_id }) });
    }
  }
  return out;
}

export function planMachine(build: string, machineArg: string, words: readonly DeviceWord[], ramBytes: number, maxCpus = 1): MachinePlan {
  const view = buildView(build);
  const machine = resolveMachine(view, machineArg);
  const reference = referenceMachine(machine);
  const rec = machineRecord(reference)!;
  const stream = streamLayoutFor(view.version, machine);
  const devices = planDevices(view, machine, rec, words);
  const unknownSubs = subsectionsUnknownTo(view);
  const versions = catalogVersions(view);
  const sections: SectionPlan[] = [];
  const boardSections = rec.sections.filter((s) => !(s.id === 'globalstate' && stream.globalState === 'never'));
  // -device sections are registered after the board's and before the ones made at machine_done.
  const late = new Set(['acpi_build', 'globalstate']);
  for (const s of boardSections.filter((x) => !late.has(x.id))) sections.push(sectionPlan(s, s.id, unknownSubs, versions));
  let nics = 0;
  // Sections whose vmsd has a priority (the root port's MIG_PRI_PCI_BUS) go before every other one.
  const first: SectionPlan[] = [];
  let buses = boardSections.filter((x) => x.id === 'PCIBUS').length;
  const chassisSlots = new Set<string>();
  for (const d of devices) {
    const drec = rec.devices?.[d.word.driver];
    if (!drec) continue;
    const id = d.slot === undefined ? drec.section.id : drec.section.id.replace('{slot}', slotHex(d.slot));
    const plan: SectionPlan = { ...sectionPlan(drec.section, id, unknownSubs, versions), device: d.word.raw };
    if (d.word.driver === 'pcie-root-port') {
      claimChassisSlot(d.word, chassisSlots);
      plan.rootPort = rootPortParams(view.version, machine, d.word);
    }
    (drec.priority ? first : sections).push(plan);
    // A bridge's secondary bus registers after the bridge, as the next PCIBUS instance.
    if (drec.bus) sections.push({ ...sectionPlan(drec.bus, drec.bus.id, unknownSubs, versions), instanceId: buses++, device: d.word.raw });
    if (RECORDED_NIC_INDEX[d.word.driver] !== undefined) {
      const given = d.word.props['mac'];
      const mac = given === undefined ? defaultMac(nics++) : parseMac(given);
      if (!mac) throw new BootError('bad-option', `Property '${d.word.driver}.mac' doesn't take value '${given}'`);
      plan.state = withMac(d.word.driver, plan.state, mac);
    }
  }
  for (const s of boardSections.filter((x) => late.has(x.id))) sections.push(sectionPlan(s, s.id, unknownSubs, versions));
  sections.unshift(...first);
  const blocker = unmigratableSection(view, sections);
  const plan: MachinePlan = {
    build: view.version,
    machine,
    reference,
    stream,
    mainRam: rec.ramBlocks[0]?.[0] ?? 'pc.ram',
    sections,
    ramBlocks: ramBlockPlans(view, rec, devices, ramBytes, acpiUsedLengths(view, machine, devices, maxCpus)),
    devices,
    maxCpus,
  };
  if (blocker) plan.blocker = blocker;
  return plan;
}

function slotHex(slot: number): string {
  return slot.toString(16).padStart(2, '0');
}

function planDevices(view: BuildView, machine: string, rec: MachineRecord, words: readonly DeviceWord[]): DevicePlan[] {
  const newest = getBuild(listBuilds().at(-1)!);
  // pci_bus_devfn_alloc: an auto-placed function takes the first free slot from the board's first free one.
  const used = new Set<number>();
  for (const sec of rec.sections) {
    const m = /^[0-9a-f]{4}:[0-9a-f]{2}:([0-9a-f]{2})\.[0-7]\//.exec(sec.id);
    if (m) used.add(parseInt(m[1]!, 16));
  }
  const nextFree = (): number => {
    let at = rec.firstFreeSlot ?? 1;
    while (used.has(at)) at++;
    return at;
  };
  const out: DevicePlan[] = [];
  for (const word of words) {
    const driver = word.driver;
    const drec = rec.devices?.[driver];
    const dv = view.devices[driver];
    const later = newest.devices[driver];
    if ((!dv || !dv.declared) && later?.declared) {
      throw new BootError('device-unavailable', `build ${view.version} has no device '${driver}' (added in ${later.since ?? 'a later build'})`);
    }
    if (dv?.requires) {
      const value = resolveProperty(machine, view.version, dv.requires.driver, dv.requires.property, 'on');
      if (value === dv.requires.value || !safeBool(value)) {
        throw new BootError('device-refused', deviceRefusal(driver, machine, dv.requires.note));
      }
    }
    if (!drec) {
      const have = Object.keys(rec.devices ?? {}).join(', ') || 'none';
      throw new BootError('unknown-device', `'${driver}' is not a device the simulator models on ${machine} (modelled: ${have})`);
    }
    if (driver === 'vmgenid' && out.some((d) => d.word.driver === 'vmgenid')) {
      throw new BootError('device-refused', 'at most one vmgenid device is permitted');
    }
    if (drec.pci) {
      const at = word.props['addr'] === undefined ? nextFree() : explicitSlot(word, used);
      used.add(at);
      out.push({ word, slot: at, pciPath: `0000:00:${slotHex(at)}.0` });
    } else out.push({ word });
  }
  return out;
}

/** addr=SLOT[.FN] (hex, as QEMU's PCI address property); functions other than 0 are not modelled. */
function explicitSlot(word: DeviceWord, used: Set<number>): number {
  const text = word.props['addr']!;
  const m = /^([0-9a-fA-F]{1,2})(?:\.0)?$/.exec(text);
  if (!m) throw new BootError('bad-option', `Property '${word.driver}.addr' doesn't take value '${text}' (slot[.0] in hex; other functions are not modelled)`);
  const slot = parseInt(m[1]!, 16);
  if (slot > 0x1f) throw new BootError('bad-option', `Property '${word.driver}.addr' doesn't take value '${text}'`);
  if (used.has(slot)) throw new BootError('device-refused', `PCI: slot ${slot} function 0 not available for ${word.driver}, in use by another device`);
  return slot;
}

function safeBool(v: string): boolean {
  try {
    return parseBoolProperty(v);
  } catch {
    return true;
  }
}

function deviceRefusal(driver: string, machine: string, note: string): string {
  // hw/acpi/vmgenid.c vmgenid_realize: the text real QEMU 7.2 prints.
  if (driver === 'vmgenid') return `vmgenid requires DMA write support in fw_cfg, which this machine type does not provide (${machine}: ${note})`;
  return `${driver} cannot be used with ${machine}: ${note}`;
}

function sectionPlan(
  s: SectionRecord,
  idstr: string,
  unknownSubs: Set<string>,
  versions: Map<string, { version_id: number; minimum_version_id?: number }>,
): SectionPlan {
  let vmsd = descriptionOf(s.schema);
  const state = defaultStateOf(s);
  const drop = (vmsd.subsections ?? []).filter((sub) => unknownSubs.has(sub.name));
  if (drop.length > 0) {
    // The fields stay in the state (the device still has them; an old build just never migrates
    // them), so both sides of a migration compare the same device, and only the wire differs.
    vmsd = { ...vmsd, subsections: vmsd.subsections!.filter((sub) => !unknownSubs.has(sub.name)) };
  }
  let versionId = s.ver;
  const v = versions.get(vmsd.name);
  if (v && v.version_id !== vmsd.version_id) {
    vmsd = { ...vmsd, version_id: v.version_id, minimum_version_id: Math.min(v.minimum_version_id ?? vmsd.minimum_version_id, v.version_id) };
    versionId = v.version_id;
  }
  return { idstr, instanceId: s.inst, versionId, vmsd, state };
}

/** A section of a device the build marks unmigratable blocks migration (migrate_add_blocker). */
function unmigratableSection(view: BuildView, sections: SectionPlan[]): string | undefined {
  for (const dev of Object.values(view.devices)) {
    if (dev.migratable) continue;
    for (const sec of Object.values(dev.sections)) {
      const hit = sections.find((s) => s.vmsd.name === sec.name);
      if (hit) return `State blocked by non-migratable device '${hit.idstr}'`;
    }
    // The catalog may name the device by its QOM type only (ich9-ahci -> ich9_ahci).
    const hit = sections.find((s) => s.vmsd.name === dev.device.replace(/-/g, '_'));
    if (hit) return `State blocked by non-migratable device '${hit.idstr}'`;
  }
  return undefined;
}

/** ACPI blob lengths this build gives this configuration (src/devices/acpi/blob-lengths.ts), page-rounded, by idstr. */
function acpiUsedLengths(view: BuildView, machine: string, devices: DevicePlan[], maxCpus: number): Map<string, number> {
  const out = new Map<string, number>();
  const acpi = machineAcpi(machine, { maxCpus, pciDevices: devices.filter((d) => d.slot !== undefined).length, vmgenid: devices.some((d) => d.word.driver === 'vmgenid') });
  const [major = 0, minor = 0] = view.version.split('.').map(Number);
  const rule = view.ramBlocks['/rom@etc/acpi/tables'];
  const lengths = acpi && acpiBlobLengths(acpi.cfg, { major, minor }, acpi.board, { ...(rule?.padding ? { padding: rule.padding } : {}), ...(rule?.binaryAml ? { binaryAml: rule.binaryAml } : {}) });
  if (!lengths) return out;
  const page = (n: number) => Math.ceil(n / 0x1000) * 0x1000;
  out.set('/rom@etc/acpi/tables', page(lengths.tables)).set('/rom@etc/table-loader', page(lengths.loader));
  if (lengths.rsdp !== undefined) out.set('/rom@etc/acpi/rsdp', page(lengths.rsdp));
  return out;
}

function ramBlockPlans(view: BuildView, rec: MachineRecord, devices: DevicePlan[], ramBytes: number, acpi: Map<string, number>): RamBlockPlan[] {
  const blocks: RamBlockPlan[] = rec.ramBlocks.map(([idstr, used, max], i) => {
    if (i === 0) return { idstr, usedLength: ramBytes, maxLength: ramBytes, resizeable: false, migratable: true };
    return romBlockPlan(view, idstr, acpi.get(idstr) ?? used, max);
  });
  for (const d of devices) {
    for (const [pattern, used, max] of rec.devices?.[d.word.driver]?.ramBlocks ?? []) {
      // romfile= (empty) means no option ROM and no block (hw/pci/pci.c pci_add_option_rom).
      if (pattern.endsWith('.rom') && d.word.props['romfile'] === '') continue;
      const idstr = d.slot === undefined ? pattern : pattern.replace('{slot}', slotHex(d.slot));
      blocks.push({ idstr, usedLength: used, maxLength: max, resizeable: false, migratable: true });
    }
  }
  if (!view.ram['resizeable-blocks']) for (const b of blocks) b.preResizeApi = true;
  // ram_block_add keeps ram_list sorted by max_length, largest first; ties stay in creation order.
  return blocks.map((b, i) => ({ b, i })).sort((x, y) => y.b.maxLength - x.b.maxLength || x.i - y.i).map((x) => x.b);
}

function romBlockPlan(view: BuildView, idstr: string, used: number, recordedMax: number): RamBlockPlan {
  const fixed = { idstr, usedLength: used, maxLength: used, resizeable: false, migratable: true };
  if (view.version === REFERENCE_BUILD) return { idstr, usedLength: used, maxLength: Math.max(recordedMax, used), resizeable: recordedMax !== used || idstr.startsWith('/rom@'), migratable: true };
  const rule = view.ramBlocks[idstr];
  if (!rule || !view.ram['resizeable-blocks'] || !rule.resizeable) return fixed;
  const maxLength = Math.max(rule.maxLength ?? used, used);
  return { idstr, usedLength: used, maxLength, resizeable: true, migratable: true };
}

/** The -device drivers the simulator can add on some machine type of `build`. */
export function modelledDevices(build: string): string[] {
  const view = buildView(build);
  const newest = getBuild(listBuilds().at(-1)!);
  const all = new Set<string>();
  for (const m of recordedMachines()) for (const d of Object.keys(machineRecord(m)?.devices ?? {})) all.add(d);
  return [...all].filter((d) => !(newest.devices[d]?.declared && !view.devices[d]?.declared)).sort();
}
