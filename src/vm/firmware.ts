/**
 * Deterministic firmware, run once when a source machine boots (an incoming
 * destination does not run it: its RAM and device state come from the
 * stream). In the spirit of SeaBIOS, not its exact layout:
 *
 * 1. PCI: assign BARs of the -device functions (largest first, from the PC
 *    windows) and enable decoding, through the devices' write masks.
 * 2. ACPI (pc / q35 machine types with QEMU-built tables): build the tables
 *    with src/devices/acpi, fill the /rom@etc/acpi/* blocks, expose them
 *    through fw_cfg and execute etc/table-loader into guest RAM (allocate,
 *    patch pointers, checksums, WRITE_POINTER back through fw_cfg DMA).
 * 3. vmgenid: the loader's WRITE_POINTER gave the GUID address; the device
 *    writes its GUID there, and the address becomes its migrated state.
 */
import { findRamBlock, writeBytes, type RamBlock } from '../memory/index.js';
import { parseMachineName } from '../machines/index.js';

/** Machine name -> family and version; names are few and parsing walks the machine ranges. */
const parsedNames = new Map<string, ReturnType<typeof parseMachineName>>();
function parsed(machine: string): ReturnType<typeof parseMachineName> {
  if (!parsedNames.has(machine)) parsedNames.set(machine, parseMachineName(machine));
  return parsedNames.get(machine);
}
import { assignBars, PCI_ROM_SLOT } from '../devices/pci/index.js';
import { FwCfg, fwCfgOptionsForMachine, guestMemoryOverBlock } from '../devices/fw-cfg/index.js';
import { buildAcpiSetup, defaultLoaderLayout, installAcpiFwCfg, runLinkerLoader, type AcpiConfig, type AcpiSetup } from '../devices/acpi/index.js';
import type { VmGenId } from '../devices/vmgenid/index.js';
import { pciStateFromDevice } from './pci-model.js';
import { withField } from './state-edit.js';
import type { VmCore, VmSection } from './vm-core.js';

export function runFirmware(core: VmCore): void {
  core.firmware.ran = true;
  core.runState = 'running';
  assignPciBars(core);
  writeOptionRomHeaders(core);
  try {
    runAcpiLoader(core);
  } catch (e) {
    core.firmware.notes.push(`ACPI linker/loader not run: ${(e as Error).message}`);
  }
}

function deviceSections(core: VmCore): VmSection[] {
  return core.sections.filter((s) => s.device !== undefined && s.pci !== undefined);
}

function assignPciBars(core: VmCore): void {
  const secs = deviceSections(core).filter((s) => s.pci!.dev.regions.some((r, i) => r !== undefined && i !== PCI_ROM_SLOT));
  if (secs.length === 0) return;
  assignBars(secs.map((s) => s.pci!.dev));
  for (const s of secs) {
    s.state = pciStateFromDevice(s.state, s.pci!);
    s.pci!.dev.regions.forEach((r, i) => {
      if (r && i !== PCI_ROM_SLOT) core.firmware.bars[`${s.idstr} BAR${i}`] = `0x${r.addr.toString(16)}`;
    });
  }
}

/** Option ROM blocks hold the ROM image; its 0x55 0xaa signature and size byte stand for it. */
function writeOptionRomHeaders(core: VmCore): void {
  for (const b of core.ram.blocks) {
    if (!b.idstr.endsWith('.rom') || b.idstr.startsWith('/rom@') || b.idstr === 'pc.rom') continue;
    writeBytes(b, 0, new Uint8Array([0x55, 0xaa, Math.min(255, b.usedLength / 512)]));
  }
}

function acpiBoard(machine: string): AcpiConfig['board'] | undefined {
  const family = parsed(machine)?.family;
  return family === 'pc-i440fx' ? 'pc' : family === 'pc-q35' ? 'q35' : undefined;
}

/** RAM below 4 GiB: pc_init / pc_q35_init split guest RAM at the PCI hole. */
export function ramBelow4g(machine: string, ramSize: number): number {
  const q35 = parsed(machine)?.family === 'pc-q35';
  const lowmem = q35 ? 0x80000000 : 0xe0000000;
  if (q35 ? ramSize >= 0xb0000000 : ramSize >= lowmem) return q35 ? lowmem : 0xc0000000;
  return ramSize;
}

function runAcpiLoader(core: VmCore): void {
  const board = acpiBoard(core.machine);
  const tablesBlock = findRamBlock(core.ram, '/rom@etc/acpi/tables');
  if (!board || !tablesBlock) {
    core.firmware.notes.push(`no QEMU-built ACPI tables on ${core.machine}`);
    return;
  }
  const version = parsed(core.plan.reference)?.version;
  const [major, minor] = (version ?? '7.2').split('.').map(Number);
  const cfg: AcpiConfig = {
    board,
    machineVersion: { major: major ?? 7, minor: minor ?? 2 },
    cpus: 1,
    maxCpus: core.plan.maxCpus ?? 1,
    pciDevices: core.plan.devices.filter((d) => d.slot !== undefined).length,
    vmgenid: core.vmgenid !== undefined,
  };
  const main = findRamBlock(core.ram, core.plan.mainRam)!;
  const loaderBlock = findRamBlock(core.ram, '/rom@etc/table-loader');
  const rsdpBlock = findRamBlock(core.ram, '/rom@etc/acpi/rsdp');
  const blocks = [tablesBlock, loaderBlock, rsdpBlock, main];
  // Without vmgenid the run is a function of the configuration: replayed when it ran before on blocks as fresh as these.
  const key = core.vmgenid || !blocks.every((b) => b === undefined || (b.pages.size === 0 && b.dirty.size === 0)) ? undefined : acpiRunKey(core, cfg, blocks);
  const done = key === undefined ? undefined : acpiRuns.get(key);
  if (done) return replayAcpiRun(core, blocks, done);
  const setup = acpiSetupFor(cfg, core.vmgenid);
  fillRom(tablesBlock, setup.tables);
  if (loaderBlock) fillRom(loaderBlock, setup.loader);
  if (rsdpBlock) fillRom(rsdpBlock, setup.rsdp);
  const fw = new FwCfg(fwCfgOptionsForMachine(core.plan.reference));
  installAcpiFwCfg(fw, setup);
  if (core.vmgenid && setup.deviceBlob) core.vmgenid.addFwCfg(fw, setup.deviceBlob);
  const mem = guestMemoryOverBlock(main);
  const result = runLinkerLoader(setup.loader, fw, mem, defaultLoaderLayout(ramBelow4g(core.machine, main.usedLength)));
  for (const [file, a] of result.allocations) core.firmware.allocations[file] = a.addr;
  if (key !== undefined) keepAcpiRun(key, blocks, core.firmware.allocations);
  if (core.vmgenid && core.vmgenid.updateGuest(mem)) {
    core.firmware.vmgenidAddr = core.vmgenid.address();
    const s = core.sections.find((x) => x.vmsd.name === 'vmgenid');
    if (s) s.state = withField(s.state, 'vmgenid_addr_le', Array.from(core.vmgenid.addrLe));
  }
}

/**
 * The ACPI blobs of a configuration. Without vmgenid (whose SSDT carries
 * the machine's GUID) they are a function of the configuration alone, so
 * they are built once per configuration: the blobs are only read (copied
 * into ROM blocks and guest RAM; fw_cfg's ACPI files are read-only, so no
 * DMA write reaches them).
 */
const acpiSetups = new Map<string, AcpiSetup>();

function acpiSetupFor(cfg: AcpiConfig, vmgenid: VmGenId | undefined): AcpiSetup {
  if (vmgenid) return buildAcpiSetup(cfg, vmgenid);
  const key = JSON.stringify(cfg);
  let setup = acpiSetups.get(key);
  if (!setup) {
    if (acpiSetups.size >= 64) acpiSetups.clear();
    acpiSetups.set(key, (setup = buildAcpiSetup(cfg)));
  }
  return setup;
}

/**
 * What the ACPI step of a configuration without vmgenid left in RAM: the
 * ROM blocks filled with the blobs and the tables the linker/loader placed
 * and patched in guest RAM. It is a function of the configuration (the
 * AcpiConfig, the reference machine type's fw_cfg, the machine family's
 * RAM split, the four blocks' names and used lengths, all in the key) as
 * long as the blocks start empty, which a booting machine's do (the step
 * is only replayed on blocks with no page and no dirty mark, and only a run
 * that completed is kept). Page arrays are never mutated in place (writers
 * replace the map entry, src/memory/pages.ts), so the machines of a
 * configuration share them, as a staged RAM clone shares a machine's.
 * The entries go into each machine's own (empty) maps and dirty sets.
 */
interface AcpiRun {
  blocks: ({ pages: [number, Uint8Array][]; dirty: number[] } | undefined)[];
  allocations: [string, number][];
}

const acpiRuns = new Map<string, AcpiRun>();

/** Forgets the kept runs (tests: the next boot of each configuration runs the step again). */
export function forgetAcpiRuns(): void {
  acpiRuns.clear();
}

function acpiRunKey(core: VmCore, cfg: AcpiConfig, blocks: (RamBlock | undefined)[]): string {
  return JSON.stringify([cfg, core.plan.reference, parsed(core.machine)?.family ?? core.machine, blocks.map((b) => b && [b.idstr, b.usedLength])]);
}

function keepAcpiRun(key: string, blocks: (RamBlock | undefined)[], allocations: Record<string, number>): void {
  if (acpiRuns.size >= 64) acpiRuns.clear();
  acpiRuns.set(key, {
    blocks: blocks.map((b) => b && { pages: [...b.pages], dirty: [...b.dirty] }),
    allocations: Object.entries(allocations),
  });
}

function replayAcpiRun(core: VmCore, blocks: (RamBlock | undefined)[], run: AcpiRun): void {
  blocks.forEach((b, i) => {
    const kept = run.blocks[i];
    if (!b || !kept) return;
    for (const [index, page] of kept.pages) b.pages.set(index, page);
    for (const index of kept.dirty) b.dirty.add(index);
  });
  for (const [file, addr] of run.allocations) core.firmware.allocations[file] = addr;
}

/** A ROM blob in its block; a blob longer than the block is cut (QEMU warns "migration may not work"). */
function fillRom(block: RamBlock, blob: Uint8Array): void {
  writeBytes(block, 0, blob.subarray(0, block.usedLength));
}
