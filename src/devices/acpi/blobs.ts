import { alignUp } from './acpi-blob.js';

/**
 * How big QEMU's ACPI blobs are, and the RAM blocks that hold them.
 *
 * acpi_build (hw/i386/acpi-build.c) produces three fw_cfg files that are
 * also RAM blocks, so they migrate: /rom@etc/acpi/tables,
 * /rom@etc/table-loader and /rom@etc/acpi/rsdp. Their used length is the
 * blob length rounded up to the host page (qemu_ram_alloc aligns), and the
 * blob length itself is padded so that small configuration changes do not
 * change it (changing it breaks migration to a build that cannot resize):
 *
 *  - tables, 2.1+ machine types: ROUND_UP(len, ACPI_BUILD_TABLE_SIZE =
 *    0x20000) ("the table size is always 64k for pc-i440fx-2.1", later
 *    128k). A -nodefaults pc-q35-7.2 has 8646 bytes of tables, so 0x20000.
 *  - tables, pc-i440fx-1.7/2.0 (legacy_acpi_table_size 6414/6652): the exact
 *    size QEMU 1.7/2.0 produced, recomputed as ROUND_UP(len - aml_len +
 *    legacy + 97 * apic_id_limit, 0x1000), where aml_len is the DSDT+FADT
 *    bytes ("we can always pad the smaller tables with zeros").
 *  - microvm: no padding (acpi-microvm.c), so one page.
 *  - table-loader: ROUND_UP(128 * entries, ACPI_BUILD_ALIGN_SIZE = 0x1000).
 *  - rsdp: 20 bytes (revision 0) or 36 for machine types without
 *    rsdp_in_ram (<= 2.2, "wasting those extra 16 bytes"); one page.
 *
 * Table sizes come from the tables real QEMU 7.2 built (walked table by
 * table in the RAM blocks of -S captures, -nodefaults -m 32M):
 *   pc-q35-7.2: FACS 64, DSDT 8070, FACP 244, APIC 120, HPET 56, WAET 40, RSDT 52
 *   pc-i440fx-7.2: DSDT 3346, FACP 116; pc-i440fx-2.0 and 2.3: DSDT 2677;
 *   pc-q35-2.4: DSDT 6903; microvm: DSDT 284, FACP 268, APIC 82, XSDT 52
 *   per extra possible CPU (maxcpus): DSDT +85 (q35 -smp 4: 8325), APIC +8
 *   per PCI device on the root bus: DSDT +17 (e1000: 8087 / 3363)
 *   per PCI bridge: DSDT +34 (8104 / 3380); vmgenid: SSDT 202 + 4 in RSDT
 *   after firmware (the rebuild on the guest's first read; a running
 *   pc-q35-7.2 + vmgenid capture): DSDT 8180, plus MCFG 60 and its RSDT entry.
 * The per-CPU DSDT figure is an estimate: -smp 4,maxcpus=8 measured 8670,
 * the model says 8665 (package-length bytes grow at thresholds). The
 * padding makes used lengths exact regardless.
 */
export type AcpiBoard = 'pc' | 'q35' | 'microvm';

export interface MachineVersion {
  major: number;
  minor: number;
}

export interface AcpiConfig {
  board: AcpiBoard;
  /** The machine type's version (pc-i440fx-X.Y); undefined for the newest / unversioned. */
  machineVersion?: MachineVersion;
  cpus?: number;
  /** -smp maxcpus; apic_id_limit for a flat topology. Defaults to cpus. */
  maxCpus?: number;
  /** PCI devices on the root bus beyond the board's own (NICs, virtio, pvpanic...). */
  pciDevices?: number;
  pciBridges?: number;
  vmgenid?: boolean;
  /**
   * Tables as rebuilt on the guest's first fw_cfg read, after firmware
   * programmed the PCI windows and (q35) MMCONFIG: the running q35 capture
   * has DSDT +110 bytes (8180) and an MCFG. Not measured for pc (kept at
   * the -S sizes).
   */
  afterFirmware?: boolean;
}

export interface AcpiTableSizes {
  facs: number;
  dsdt: number;
  fadt: number;
  madt: number;
  ssdtVmgenid: number;
  hpet: number;
  mcfg: number;
  waet: number;
  /** RSDT (pc/q35) or XSDT (microvm). */
  rsdt: number;
  /** Bytes of DSDT + FADT: what acpi_build subtracts for the legacy sizing. */
  amlLen: number;
  /** tables_blob->len before padding. */
  total: number;
}

const ACPI_BUILD_TABLE_SIZE = 0x20000;
const ACPI_BUILD_ALIGN_SIZE = 0x1000;
const ACPI_BUILD_LEGACY_CPU_AML_SIZE = 97;

function atMost(v: MachineVersion | undefined, major: number, minor: number): boolean {
  return v !== undefined && (v.major < major || (v.major === major && v.minor <= minor));
}

/** The DSDT of a bare board (one CPU, no extra devices) as real QEMU 7.2 builds it for that machine type. */
function dsdtBase(cfg: AcpiConfig): number {
  switch (cfg.board) {
    case 'microvm':
      return 284;
    case 'q35':
      return atMost(cfg.machineVersion, 2, 4) ? 6903 : 8070;
    case 'pc':
      // Measured: 2677 for pc-i440fx-2.0 and 2.3, 3346 for 7.2; 2.4..7.1 take 7.2's (an estimate).
      return atMost(cfg.machineVersion, 2, 3) ? 2677 : 3346;
  }
}

export function apicIdLimit(cfg: AcpiConfig): number {
  return Math.max(cfg.maxCpus ?? 0, cfg.cpus ?? 1, 1);
}

/** Size of each table acpi_build emits for this configuration (QEMU 7.2 build). */
export function acpiTableSizes(cfg: AcpiConfig): AcpiTableSizes {
  const cpusExtra = apicIdLimit(cfg) - 1;
  const micro = cfg.board === 'microvm';
  const q35Booted = cfg.board === 'q35' && cfg.afterFirmware === true;
  const dsdt = dsdtBase(cfg) + (q35Booted ? 110 : 0) + 85 * cpusExtra + 17 * (cfg.pciDevices ?? 0) + 34 * (cfg.pciBridges ?? 0);
  const fadt = micro ? 268 : cfg.board === 'q35' ? 244 : 116;
  const madt = (micro ? 82 : 120) + 8 * cpusExtra;
  const ssdtVmgenid = cfg.vmgenid ? 202 : 0;
  const hpet = micro ? 0 : 56;
  const mcfg = q35Booted ? 60 : 0;
  const waet = micro ? 0 : 40;
  const facs = micro ? 0 : 64;
  // RSDT lists FADT, MADT, HPET, WAET and the optional ones; microvm's XSDT has 8-byte entries.
  const pointed = [fadt, madt, ssdtVmgenid, hpet, mcfg, waet].filter((n) => n > 0).length;
  const rsdt = micro ? 36 + 8 * pointed : 36 + 4 * pointed;
  const total = facs + dsdt + fadt + madt + ssdtVmgenid + hpet + mcfg + waet + rsdt;
  return { facs, dsdt, fadt, madt, ssdtVmgenid, hpet, mcfg, waet, rsdt, amlLen: dsdt + fadt, total };
}

export interface AcpiBuildPolicy {
  /** pcmc->has_acpi_build: false for pc <= 1.6 and isapc (no blobs at all). */
  hasAcpiBuild: boolean;
  /** pcmc->legacy_acpi_table_size: 6414 (pc-i440fx-1.7), 6652 (pc-i440fx-2.0), else 0. */
  legacyAcpiTableSize: number;
  /** pcmc->rsdp_in_ram: false for <= 2.2 (RSDP is a plain fw_cfg file, no RAM block, 36 bytes). */
  rsdpInRam: boolean;
  /** microvm does not pad its tables. */
  padTables: boolean;
}

/** What a QEMU 7.2 build does for a machine type (pc_piix.c / pc_q35.c compat settings). */
export function acpiBuildPolicy(board: AcpiBoard | 'isapc', v?: MachineVersion): AcpiBuildPolicy {
  if (board === 'isapc' || (board === 'pc' && atMost(v, 1, 6))) {
    return { hasAcpiBuild: false, legacyAcpiTableSize: 0, rsdpInRam: false, padTables: false };
  }
  let legacy = 0;
  if (board === 'pc' && atMost(v, 2, 0)) legacy = atMost(v, 1, 7) ? 6414 : 6652;
  return { hasAcpiBuild: true, legacyAcpiTableSize: legacy, rsdpInRam: !atMost(v, 2, 2), padTables: board !== 'microvm' };
}

/**
 * Length of the etc/acpi/tables blob after acpi_build's padding.
 * `tableSize` is the building QEMU's ACPI_BUILD_TABLE_SIZE (0x20000 in 7.2;
 * older builds: blob-lengths.ts).
 */
export function acpiTablesBlobLength(sizes: AcpiTableSizes, policy: AcpiBuildPolicy, apicIds: number, tableSize = ACPI_BUILD_TABLE_SIZE): number {
  if (!policy.padTables) return sizes.total;
  if (policy.legacyAcpiTableSize) {
    const legacyAml = policy.legacyAcpiTableSize + ACPI_BUILD_LEGACY_CPU_AML_SIZE * apicIds;
    // Tables larger than that are truncated by g_array_set_size (QEMU warns "migration may not work").
    return alignUp(sizes.total - sizes.amlLen + legacyAml, ACPI_BUILD_ALIGN_SIZE);
  }
  return alignUp(sizes.total, tableSize);
}

/**
 * Entries in etc/table-loader: ALLOCATE tables and rsdp, a checksum per
 * table and for the RSDP, FADT -> FACS/DSDT pointers (plus X_DSDT on the
 * revision 3 q35 FADT), one pointer per RSDT entry, RSDP -> RSDT; vmgenid
 * adds ALLOCATE, WRITE_POINTER and VGIA's ADD_POINTER. Real 7.2: pc 16, q35
 * 17, q35 with vmgenid 22, microvm 13.
 */
export function linkerEntryCount(cfg: AcpiConfig): number {
  if (cfg.board === 'microvm') return 13;
  const sizes = acpiTableSizes(cfg);
  const tables = [sizes.dsdt, sizes.fadt, sizes.madt, sizes.ssdtVmgenid, sizes.hpet, sizes.mcfg, sizes.waet, sizes.rsdt].filter((n) => n > 0).length;
  const rsdtEntries = tables - 2; // all but DSDT and RSDT itself
  const fadtPointers = cfg.board === 'q35' ? 3 : 2;
  const vmgenidExtra = cfg.vmgenid ? 3 : 0;
  return 2 + tables + 1 + fadtPointers + rsdtEntries + 1 + vmgenidExtra;
}

export function loaderBlobLength(entries: number): number {
  return alignUp(entries * 128, ACPI_BUILD_ALIGN_SIZE);
}

export function rsdpLength(board: AcpiBoard, policy: AcpiBuildPolicy): number {
  if (board === 'microvm') return 36; // revision 2 RSDP with XSDT
  return policy.rsdpInRam ? 20 : 36;
}
