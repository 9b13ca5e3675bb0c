/**
 * Shape of the committed QEMU 7.2 platform data (qemu-7.2/*.json), written by
 * generate/build-data.ts from real captures and read by platform.ts.
 */
import type { PlatformSchema } from './schema.js';

/** One section as real QEMU 7.2 wrote it for a machine type. */
export interface SectionRecord {
  /** Section idstr; for optional PCI devices only the part after the slot (`e1000`). */
  id: string;
  inst: number;
  ver: number;
  /** Key into schemas.json. */
  schema: string;
  /** Subsections the real stream carried, in wire order. */
  subs?: string[];
  /** Key into bodies.json: the real section body (default state). */
  body: string;
}

/** [idstr, used_length, max_length] as `info ramblock` and MEM_SIZE showed them. */
export type RamBlockRecord = [string, number, number];

export interface DeviceRecord {
  section: SectionRecord;
  /** PCI devices carry their slot in section and RAM block names. */
  pci: boolean;
  /** RAM blocks the device adds; names relative to the device path (`e1000.rom`, `hmem`). */
  ramBlocks?: RamBlockRecord[];
  /**
   * The section of the bus the device creates (a bridge's secondary PCIBUS),
   * registered after the device; its instance id counts the buses before it.
   */
  bus?: SectionRecord;
  /** The section's vmsd has a migration priority (MIG_PRI_PCI_BUS): it goes before every default-priority section. */
  priority?: boolean;
}

export interface MachineRecord {
  /** Whether the stream carries the configuration section (machine name). */
  configuration: boolean;
  /** Whether sections end with QEMU_VM_SECTION_FOOTER. */
  footers: boolean;
  /** Whether the default stream ends with a vmdesc (suppress-vmdesc off). */
  vmdesc: boolean;
  /** The RAM section's idstr / instance / version. */
  ram: { id: string; inst: number; ver: number };
  sections: SectionRecord[];
  ramBlocks: RamBlockRecord[];
  /** How PCI section names look: `0000:00:%s.0` (modern) or `0000:%s.0` (1.6 and older). */
  pciPrefix?: string;
  /** First slot an added PCI device gets. */
  firstFreeSlot?: number;
  devices?: Record<string, DeviceRecord>;
}

export interface PlatformData {
  qemu: string;
  machines: Record<string, MachineRecord>;
}

export type SchemaTable = Record<string, PlatformSchema>;
/** body hash -> base64 of the gzip of the body bytes. */
export type BodyTable = Record<string, string>;

/**
 * qemu-7.2/pcie-root-port.json (generate/capture-pcie-root-port.ts): real
 * QEMU 7.2 with `-device pcie-root-port,chassis=1`, per PC machine type.
 */
export interface PcieRootPortData {
  qemu: string;
  /** The -device argument captured. */
  device: string;
  schemas: SchemaTable;
  bodies: BodyTable;
  machines: Record<string, {
    /** The root port's section (`0000:00:{slot}.0/pcie-root-port`); first of all device sections (MIG_PRI_PCI_BUS). */
    section: SectionRecord;
    /** Its secondary bus (PCIBUS, instance 1 for the first root port), registered with the -device sections. */
    bus: SectionRecord;
  }>;
}
