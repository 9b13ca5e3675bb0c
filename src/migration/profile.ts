import { createRamBlock, createRamList } from '../memory/index.js';
import { RAM_SECTION_IDSTR, RAM_SECTION_VERSION } from './constants.js';
import type { Destination, DestinationSection } from './destination.js';
import { cString } from '../wire/index.js';
import type { StreamModel } from './model.js';

/**
 * A destination profile of a real QEMU build and machine type, made from
 * what can be captured from that binary: a stream it wrote (which sections
 * and RAM blocks the machine has, its stream layout), `info ramblock`
 * (used and max lengths) and `-dump-vmstate` (version_id and
 * minimum_version_id by vmsd name). Plain JSON, so profiles can be stored
 * under corpus/qemu-7.2/ and turned into a Destination with
 * `destinationFromProfile`.
 */
export interface QemuProfile {
  machine: string;
  sendConfiguration: boolean;
  sendSectionFooter: boolean;
  expectVmdesc: boolean;
  sections: ProfileSection[];
  ramBlocks: ProfileRamBlock[];
}

export interface ProfileSection {
  idstr: string;
  instanceId: number;
  vmsdName: string;
  versionId: number;
  minimumVersionId: number;
  /** Where versionId / minimumVersionId come from. */
  versionSource: 'dump-vmstate' | 'qemu-source' | 'capture';
}

export interface ProfileRamBlock {
  idstr: string;
  usedLength: number;
  maxLength: number;
  resizeable: boolean;
  migratable: boolean;
  pageSize: number;
}

/** `info ramblock` as the corpus manifest stores it. */
export interface RamBlockInfo {
  idstr: string;
  pageSize: number;
  used: number;
  max: number;
}

/**
 * Sections that are not qdev devices are missing from -dump-vmstate (it
 * lists device classes only). Their QEMU 7.2 versions, from the source:
 * timer (softmmu/cpu-timers.c vmstate_timers), cpu_common (cpu.c), cpu
 * (target/i386/machine.c vmstate_x86_cpu), apic (hw/intc/apic_common.c),
 * PCIBUS (hw/pci/pci.c vmstate_pcibus), i2c_bus (hw/i2c/core.c),
 * acpi_build (hw/i386/acpi-build.c), globalstate (migration/global_state.c).
 */
export const NON_QDEV_VERSIONS: Record<string, { versionId: number; minimumVersionId: number }> = {
  timer: { versionId: 2, minimumVersionId: 1 },
  cpu_common: { versionId: 1, minimumVersionId: 1 },
  cpu: { versionId: 12, minimumVersionId: 11 },
  apic: { versionId: 3, minimumVersionId: 3 },
  PCIBUS: { versionId: 1, minimumVersionId: 1 },
  i2c_bus: { versionId: 1, minimumVersionId: 1 },
  acpi_build: { versionId: 1, minimumVersionId: 1 },
  globalstate: { versionId: 1, minimumVersionId: 1 },
};

/**
 * Which blocks QEMU 7.2 creates resizeable: rom_add_blob with a fw_cfg file
 * name registers "/rom@<file>" (read-only) or "/ram@<file>" through
 * rom_set_mr -> memory_region_init_resizeable_ram (hw/core/loader.c). That
 * includes /rom@etc/acpi/rsdp although its used and max lengths are equal,
 * so "used != max" is not the test. Everything else (pc.ram, pc.bios,
 * option ROMs via memory_region_init_rom) is fixed.
 */
export function isResizeableIdstr(idstr: string): boolean {
  return idstr.startsWith('/rom@') || idstr.startsWith('/ram@');
}

/** version_id / minimum_version_id by vmsd name, from -dump-vmstate JSON. */
export function versionsFromDumpVmstate(dump: unknown): Map<string, { versionId: number; minimumVersionId: number }> {
  const out = new Map<string, { versionId: number; minimumVersionId: number }>();
  if (typeof dump !== 'object' || dump === null) return out;
  for (const [key, entry] of Object.entries(dump as Record<string, unknown>)) {
    if (key === 'vmschkmachine' || typeof entry !== 'object' || entry === null) continue;
    const desc = (entry as Record<string, unknown>)['Description'] as Record<string, unknown> | undefined;
    const name = desc?.['name'];
    const v = desc?.['version_id'];
    const min = desc?.['minimum_version_id'];
    if (typeof name === 'string' && typeof v === 'number' && typeof min === 'number') {
      out.set(name, { versionId: v, minimumVersionId: min });
    }
  }
  return out;
}

export interface CaptureInputs {
  /** The parsed capture (parseStream of a stream this machine wrote). */
  capture: StreamModel;
  /** `info ramblock` of the source (corpus manifest ramBlocks). */
  ramBlocks: RamBlockInfo[];
  /** Parsed -dump-vmstate JSON of the same binary. */
  dumpVmstate?: unknown;
  /** Machine type name; default the capture's configuration name. */
  machine?: string;
}

export function profileFromCapture(inp: CaptureInputs): QemuProfile {
  const { capture } = inp;
  const machine = inp.machine ?? capture.configuration?.name;
  if (!machine) throw new RangeError('profileFromCapture: a capture without configuration needs `machine`');
  const versions = versionsFromDumpVmstate(inp.dumpVmstate);
  const vmsdNames = vmsdNamesFromVmdesc(capture);
  const sections: ProfileSection[] = [];
  const seen = new Set<string>();
  for (const item of capture.items) {
    if (item.kind !== 'section' || (item.type !== 'start' && item.type !== 'full')) continue;
    const key = `${item.idstr}#${item.instanceId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sections.push(profileSection(item.idstr, item.instanceId, item.versionId, vmsdNames.get(key), versions));
  }
  const streamBlocks = memSizeBlocks(capture);
  return {
    machine,
    sendConfiguration: capture.configuration !== undefined,
    sendSectionFooter: capture.items.some((i) => i.kind === 'section' && i.footer),
    expectVmdesc: capture.vmdesc !== undefined,
    sections,
    ramBlocks: inp.ramBlocks.map((b) => ({
      idstr: b.idstr,
      usedLength: b.used,
      maxLength: b.max,
      resizeable: isResizeableIdstr(b.idstr),
      // Blocks the source did not send were not registered for migration.
      migratable: streamBlocks.size === 0 || streamBlocks.has(b.idstr),
      pageSize: b.pageSize,
    })),
  };
}

function profileSection(
  idstr: string,
  instanceId: number,
  captured: number,
  vmsdFromVmdesc: string | undefined,
  versions: Map<string, { versionId: number; minimumVersionId: number }>,
): ProfileSection {
  if (idstr === RAM_SECTION_IDSTR) {
    return { idstr, instanceId, vmsdName: idstr, versionId: RAM_SECTION_VERSION, minimumVersionId: RAM_SECTION_VERSION, versionSource: 'qemu-source' };
  }
  // qdev sections are "<device path>/<vmsd name>"; others are the vmsd name.
  const vmsdName = vmsdFromVmdesc ?? idstr.slice(idstr.lastIndexOf('/') + 1);
  const fromDump = versions.get(vmsdName);
  if (fromDump) return { idstr, instanceId, vmsdName, ...fromDump, versionSource: 'dump-vmstate' };
  const known = NON_QDEV_VERSIONS[vmsdName];
  if (known) return { idstr, instanceId, vmsdName, ...known, versionSource: 'qemu-source' };
  // Unknown minimum: accept anything not newer than what this build wrote.
  return { idstr, instanceId, vmsdName, versionId: captured, minimumVersionId: 0, versionSource: 'capture' };
}

function vmsdNamesFromVmdesc(capture: StreamModel): Map<string, string> {
  const out = new Map<string, string>();
  const json = capture.vmdesc?.json as { devices?: { name?: unknown; instance_id?: unknown; vmsd_name?: unknown }[] } | undefined;
  for (const d of json?.devices ?? []) {
    if (typeof d.name === 'string' && typeof d.instance_id === 'number' && typeof d.vmsd_name === 'string') {
      out.set(`${d.name}#${d.instance_id}`, d.vmsd_name);
    }
  }
  return out;
}

function memSizeBlocks(capture: StreamModel): Set<string> {
  const out = new Set<string>();
  for (const item of capture.items) {
    if (item.kind !== 'section' || item.body.kind !== 'ram') continue;
    for (const rec of item.body.records) if (rec.type === 'mem-size') for (const b of rec.blocks) out.add(cString(b.idstr));
  }
  return out;
}

/** A fresh Destination (empty RAM, no local state) from a stored profile. */
export function destinationFromProfile(p: QemuProfile): Destination {
  const sections: DestinationSection[] = p.sections.map((s) => ({
    idstr: s.idstr,
    instanceId: s.instanceId,
    versionId: s.versionId,
    minimumVersionId: s.minimumVersionId,
    vmsdName: s.vmsdName,
    ...(s.idstr === RAM_SECTION_IDSTR ? { ram: true } : {}),
  }));
  return {
    machine: p.machine,
    sendConfiguration: p.sendConfiguration,
    sendSectionFooter: p.sendSectionFooter,
    expectVmdesc: p.expectVmdesc,
    sections,
    ram: createRamList(
      p.ramBlocks.map((b) =>
        createRamBlock({
          idstr: b.idstr,
          usedLength: b.usedLength,
          maxLength: b.maxLength,
          resizeable: b.resizeable,
          migratable: b.migratable,
          pageSize: b.pageSize,
        }),
      ),
    ),
  };
}
