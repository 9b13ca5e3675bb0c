/**
 * Machine-level options that are not device properties: the migration
 * stream layout a machine type asks for, and the firmware/ACPI layout that
 * decides its RAM blocks. Part comes from the compat properties of the
 * "migration" object (hw_compat_2_3), part from MachineClass fields set in
 * the pc_piix.c option functions, which are not global properties; those are
 * given as version ranges, checked against real QEMU 7.2 streams captured
 * with -nodefaults -m 32M (/tmp/cap, cap.py).
 */
import { parseBoolProperty, resolveProperty } from './compat-properties.js';
import { parseMachineName, type MachineFamily } from './machine-types.js';
import type { Source } from './source.js';
import { versionGe, versionLe, type VersionString } from './version.js';

export interface MachineStreamOptions {
  /** QEMU_VM_CONFIGURATION (0x07) with the machine name right after the header. */
  sendConfiguration: boolean;
  /** QEMU_VM_SECTION_FOOTER (0x7e) after each section. */
  sendSectionFooter: boolean;
  /**
   * The "globalstate" section (run state) is mandatory. When false it is
   * optional: migration/global_state.c still sends it unless the run state
   * is "running" or "paused".
   */
  storeGlobalState: boolean;
  /** No trailing vmdesc JSON (MachineState.suppress_vmdesc). */
  suppressVmdesc: boolean;
}

export interface MachineFirmwareLayout {
  /** idstr of guest RAM: "pc.ram", "microvm.ram" for microvm. */
  mainRamBlock: string;
  /** The 128 KiB "pc.rom" option ROM area (absent on microvm). */
  pcRom: boolean;
  /** pc.bios size: bios.bin (128 KiB) up to pc-i440fx-1.7, bios-256k.bin after. */
  biosSize: number;
  /**
   * 'none': no ACPI tables in fw_cfg (no /rom@etc/acpi/* blocks);
   * 'legacy-size': tables padded to the size QEMU 2.0 produced (used_length
   * 0x2000 at -m 32M); 'aligned-0x20000': padded to ACPI_BUILD_TABLE_SIZE;
   * 'unpadded': microvm's tables, page-rounded only (0x1000 at -m 32M).
   */
  acpiTables: 'none' | 'legacy-size' | 'aligned-0x20000' | 'unpadded';
  /** RSDP in its own /rom@etc/acpi/rsdp block (pcmc->rsdp_in_ram). */
  rsdpInRam: boolean;
}

interface FieldRange<T> {
  families: readonly MachineFamily[];
  /** Inclusive version range of the machine types. */
  from?: VersionString;
  upTo?: VersionString;
  value: T;
  source: Source;
}

const OBSERVED_72: Source = {
  ref: 'real QEMU 7.2 streams and "info ramblock", -nodefaults -m 32M, machine by machine',
  qemu: '7.2',
  confidence: 'verified',
};

/** Only i440fx 2.0 .. 2.2 omit the vmdesc; 1.4 .. 1.7 and 2.3 write it (observed, surprising but real). */
const SUPPRESS_VMDESC: readonly FieldRange<boolean>[] = [
  { families: ['pc-i440fx'], from: '2.0', upTo: '2.2', value: true, source: OBSERVED_72 },
];

const BIOS_SIZE: readonly FieldRange<number>[] = [
  { families: ['pc-i440fx', 'pc-legacy'], upTo: '1.7', value: 0x20000, source: OBSERVED_72 },
  { families: ['isapc'], value: 0x20000, source: OBSERVED_72 },
  { families: ['microvm'], value: 0x10000, source: OBSERVED_72 },
];

const ACPI_TABLES: readonly FieldRange<MachineFirmwareLayout['acpiTables']>[] = [
  { families: ['pc-i440fx', 'pc-legacy'], upTo: '1.6', value: 'none', source: OBSERVED_72 },
  { families: ['pc-i440fx'], from: '1.7', upTo: '2.0', value: 'legacy-size', source: OBSERVED_72 },
  { families: ['isapc'], value: 'none', source: OBSERVED_72 },
  { families: ['microvm'], value: 'unpadded', source: OBSERVED_72 },
];

const RSDP_IN_RAM: readonly FieldRange<boolean>[] = [
  { families: ['pc-i440fx', 'pc-legacy'], upTo: '2.2', value: false, source: OBSERVED_72 },
  { families: ['isapc'], value: false, source: OBSERVED_72 },
];

function lookup<T>(ranges: readonly FieldRange<T>[], machine: string, fallback: T): T {
  const parsed = parseMachineName(machine);
  if (parsed === undefined) return fallback;
  for (const r of ranges) {
    if (!r.families.includes(parsed.family)) continue;
    const v = parsed.version;
    if (v !== undefined && r.from !== undefined && !versionGe(v, r.from)) continue;
    if (v !== undefined && r.upTo !== undefined && !versionLe(v, r.upTo)) continue;
    return r.value;
  }
  return fallback;
}

/**
 * Stream layout the machine type asks for in `release`. Whether the release
 * can write those parts at all (no configuration section before 2.4, no
 * vmdesc before 2.3) is a build fact; src/builds combines the two.
 */
export function machineStreamOptions(machine: string, release: VersionString): MachineStreamOptions {
  const migration = (property: string): boolean =>
    parseBoolProperty(resolveProperty(machine, release, 'migration', property, 'on'));
  return {
    sendConfiguration: migration('send-configuration'),
    sendSectionFooter: migration('send-section-footer'),
    storeGlobalState: migration('store-global-state'),
    suppressVmdesc: lookup(SUPPRESS_VMDESC, machine, false),
  };
}

export function machineFirmwareLayout(machine: string): MachineFirmwareLayout {
  const microvm = parseMachineName(machine)?.family === 'microvm';
  return {
    mainRamBlock: microvm ? 'microvm.ram' : 'pc.ram',
    pcRom: !microvm,
    biosSize: lookup(BIOS_SIZE, machine, 0x40000),
    acpiTables: lookup(ACPI_TABLES, machine, 'aligned-0x20000'),
    rsdpInRam: lookup(RSDP_IN_RAM, machine, true),
  };
}
