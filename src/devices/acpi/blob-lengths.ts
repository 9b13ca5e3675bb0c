/**
 * How long the three ACPI blobs are on a given QEMU *build*, for a machine
 * type and configuration: what decides whether a migration between two
 * builds that cannot resize RAM blocks (before 2.3, seed 000) is accepted.
 *
 * The history, from QEMU's sources:
 *
 * - QEMU 1.7 and 2.0 compiled the PIIX4 DSDT and SSDT from ASL, so their
 *   size is a property of the *binary*, not of the machine type; tables
 *   were aligned to 4 KiB ("We used to align the tables to 4k",
 *   acpi-build.c). pc_piix.c records those sizes: "This value depends on
 *   the actual DSDT and SSDT compiled into the source QEMU; unfortunately
 *   it depends on the binary and not on the machine type, so we cannot
 *   make pc-i440fx-1.7 work on both QEMU 1.7 and QEMU 2.0 ... 6652 is
 *   valid for QEMU 2.0, the right value for pc-i440fx-1.7 on QEMU 1.7 it
 *   is 6414", plus ACPI_BUILD_LEGACY_CPU_AML_SIZE = 97 bytes of AML per
 *   possible CPU. These are QEMU's own figures for those binaries; we do
 *   not have the binaries to measure them.
 * - From 2.1 the tables of pc-i440fx-1.7 / 2.0 are sized by that model,
 *   ROUND_UP(len - aml_len + legacy_acpi_table_size + 97 * max_cpus,
 *   0x1000), where aml_len is the DSDT+SSDT actually built; other machine
 *   types are padded to ACPI_BUILD_TABLE_SIZE (0x20000: "rounding to 128k,
 *   warning if >64k", Paolo Bonzini in the seed 000 thread, Nov 2014).
 * - The 2.1 layout of the fixed tables (acpi-build.c of 2.1 .. 2.4): FACS
 *   64, FADT rev 1 116, SSDT, MADT 44 + 8 per possible CPU + IO-APIC 12 +
 *   five interrupt overrides 50 + local NMI 6, HPET 56, RSDT 36 + 4 per
 *   entry (FADT, SSDT, MADT, HPET). So fixed = 400 + 8 * maxcpus bytes.
 * - Builds from 2.3 on are given QEMU 7.2's table set (blobs.ts, checked
 *   against real 7.2: FADT counted in aml_len, WAET, no separate SSDT).
 *   That is exact for 7.2; for 2.3 .. 7.1 and the later builds it is an
 *   approximation. It matters only for the legacy machine types as a
 *   source migrating into a build older than 2.3 (a resizeable
 *   destination takes any length up to max_length): e.g. pc-i440fx-2.0
 *   with maxcpus=11 is 0x2000 on 7.2 (verified) and 0x3000 by the 2.1
 *   layout, so the model has 7.2 -> 2.2 refused there.
 *
 * So with `-M pc-i440fx-1.7 -smp 1,maxcpus=N` the 2.0 binary builds
 * ROUND_UP(7052 + 105 N, 0x1000) bytes and every other build ROUND_UP(6814
 * + 105 N, 0x1000): they differ for N = 11..13 (0x3000 vs 0x2000) and
 * 50..52, "more than one consecutive value of the -smp maxcpus option", as
 * the pc_piix.c comment says. With one CPU all builds agree (0x2000).
 *
 * The loader blob is 128 bytes a command, aligned to 0x1000 in every
 * build; the RSDP is a RAM block only for rsdp_in_ram machine types (2.3+).
 */
import type { RamBlockOptions } from '../../memory/ram-block.js';
import { alignUp } from './acpi-blob.js';
import {
  acpiBuildPolicy,
  acpiTableSizes,
  acpiTablesBlobLength,
  apicIdLimit,
  linkerEntryCount,
  loaderBlobLength,
  rsdpLength,
  type AcpiBoard,
  type AcpiConfig,
  type MachineVersion,
} from './blobs.js';

/** DSDT+SSDT bytes a pre-2.1 binary compiled in for PIIX4: base + perCpu * max_cpus (pc_piix.c). */
export interface BinaryAml {
  base: number;
  perCpu: number;
}

/** What a build's acpi_build does with the tables blob (the catalog's ram-block rule for /rom@etc/acpi/tables). */
export interface TablesRule {
  /** ACPI_BUILD_TABLE_SIZE: non-legacy tables are padded to a multiple of it; undefined: 4 KiB alignment (1.7, 2.0). */
  padding?: number;
  /** The binary's own AML size (1.7, 2.0): tables do not depend on the machine type. */
  binaryAml?: BinaryAml;
}

export interface AcpiBlobLengths {
  tables: number;
  loader: number;
  /** Undefined when the RSDP is a plain fw_cfg file (machine types <= 2.2). */
  rsdp?: number;
}

const ALIGN = 0x1000;
const LEGACY_CPU_AML = 97;

function before(v: MachineVersion, major: number, minor: number): boolean {
  return v.major < major || (v.major === major && v.minor < minor);
}

/** FACS + FADT + MADT + HPET + RSDT of the 2.1 layout (PIIX4): 400 + 8 per possible CPU. */
export function fixedTables21(maxCpus: number): number {
  const madt = 44 + 8 * maxCpus + 12 + 10 + 4 * 10 + 6;
  const rsdt = 36 + 4 * 4;
  return 64 + 116 + madt + 56 + rsdt;
}

function tablesOnOldBuild(cfg: AcpiConfig, board: AcpiBoard, rule: TablesRule): number {
  const n = apicIdLimit(cfg);
  const legacy = acpiBuildPolicy(board, cfg.machineVersion).legacyAcpiTableSize;
  if (board === 'pc' && rule.binaryAml) return alignUp(fixedTables21(n) + rule.binaryAml.base + rule.binaryAml.perCpu * n, ALIGN);
  if (board === 'pc' && legacy) return alignUp(fixedTables21(n) + legacy + LEGACY_CPU_AML * n, ALIGN);
  // q35 before 2.4 cannot migrate at all (ich9-ahci blocks it); its size here is 7.2's, padded as the build pads.
  return alignUp(acpiTableSizes(cfg).total, rule.padding ?? ALIGN);
}

/**
 * Used lengths (before page rounding) of the ACPI blobs `build` creates for
 * `cfg`, or undefined when the machine type has no QEMU-built tables.
 */
export function acpiBlobLengths(cfg: AcpiConfig, build: MachineVersion, board: AcpiBoard | 'isapc' = cfg.board, rule: TablesRule = { padding: 0x20000 }): AcpiBlobLengths | undefined {
  const policy = acpiBuildPolicy(board, cfg.machineVersion);
  if (!policy.hasAcpiBuild || board === 'isapc') return undefined;
  const tables = before(build, 2, 3)
    ? tablesOnOldBuild(cfg, board, rule)
    : acpiTablesBlobLength(acpiTableSizes(cfg), policy, apicIdLimit(cfg), rule.padding ?? ALIGN);
  const out: AcpiBlobLengths = { tables, loader: loaderBlobLength(linkerEntryCount(cfg)) };
  if (policy.rsdpInRam) out.rsdp = rsdpLength(cfg.board, policy);
  return out;
}

/** Max lengths QEMU 7.2 gives the three blocks (`info ramblock`); older builds' limits are catalog data (src/builds). */
const LIMITS_72 = { tables: 0x200000, loader: 0x10000, rsdp: 0x1000 };

function block(idstr: string, length: number, max: number): RamBlockOptions {
  const used = alignUp(length, ALIGN);
  return { idstr, usedLength: used, maxLength: Math.max(alignUp(max, ALIGN), used), resizeable: true, migratable: true };
}

/** The ACPI RAM blocks QEMU 7.2 creates for a machine: idstr, used length, max length. */
export function acpiRomBlocks(cfg: AcpiConfig, board: AcpiBoard | 'isapc' = cfg.board): RamBlockOptions[] {
  const lengths = acpiBlobLengths(cfg, { major: 7, minor: 2 }, board);
  if (!lengths) return [];
  const out = [block('/rom@etc/acpi/tables', lengths.tables, LIMITS_72.tables), block('/rom@etc/table-loader', lengths.loader, LIMITS_72.loader)];
  if (lengths.rsdp !== undefined) out.push(block('/rom@etc/acpi/rsdp', lengths.rsdp, LIMITS_72.rsdp));
  return out;
}
