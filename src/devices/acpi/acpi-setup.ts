import { AcpiBlob } from './acpi-blob.js';
import {
  acpiBuildPolicy,
  acpiTableSizes,
  acpiTablesBlobLength,
  apicIdLimit,
  type AcpiConfig,
  type AcpiTableSizes,
} from './blobs.js';
import { BiosLinker } from './linker-builder.js';
import { finishAcpiTable } from './table-header.js';
import { ACPI_BUILD_LOADER_FILE, ACPI_BUILD_RSDP_FILE, ACPI_BUILD_TABLE_FILE } from '../fw-cfg/constants.js';
import type { FwCfg } from '../fw-cfg/fw-cfg.js';

/** A device that contributes its own SSDT and linker commands (vmgenid). */
export interface AcpiSsdtProvider {
  buildAcpi(tables: AcpiBlob, linker: BiosLinker, oemId?: string): AcpiBlob;
}

export interface AcpiSetup {
  /** etc/acpi/tables after padding. */
  tables: Uint8Array;
  /** etc/table-loader, padded to 0x1000. */
  loader: Uint8Array;
  /** etc/acpi/rsdp (20 bytes, or 36 without rsdp_in_ram). */
  rsdp: Uint8Array;
  sizes: AcpiTableSizes;
  /** The extra device's fw_cfg blob (vmgenid's etc/vmgenid_guid), if any. */
  deviceBlob?: AcpiBlob;
}

const OEM_ID = 'BOCHS ';
const OEM_TABLE_ID = 'BXPC';

/** Append a table of `length` bytes (zero body) and return its start. */
function reserveTable(blob: AcpiBlob, length: number): number {
  const start = blob.length;
  blob.setLength(start + length);
  return start;
}

/**
 * A model of acpi_build for pc and q35 (QEMU 7.2): the same tables in the
 * same order and sizes (blobs.ts), the same linker commands in the same
 * order, and the same padding, with zero-filled table bodies. Headers,
 * pointers and checksums are real, so the firmware model (linker-executor)
 * runs on it as on QEMU's blobs, and the etc/table-loader it produces for a
 * configuration equals real QEMU's byte for byte (tested against the real
 * pc-q35-7.2 + vmgenid run). microvm is not modelled here (sizes only).
 */
export function buildAcpiSetup(cfg: AcpiConfig, device?: AcpiSsdtProvider): AcpiSetup {
  if (cfg.board === 'microvm') throw new RangeError('buildAcpiSetup models pc and q35 only');
  const sizes = acpiTableSizes(cfg);
  const policy = acpiBuildPolicy(cfg.board, cfg.machineVersion);
  const linker = new BiosLinker();
  const tables = new AcpiBlob();
  const table = (sig: string, rev: number, start: number) =>
    finishAcpiTable(tables, start, { sig, rev, oemId: OEM_ID, oemTableId: `${OEM_TABLE_ID}${sig}` }, linker, ACPI_BUILD_TABLE_FILE);

  linker.alloc(ACPI_BUILD_TABLE_FILE, tables, 64, false);
  // FACS first (the only table with an alignment need); it has no checksum.
  const facs = reserveTable(tables, sizes.facs);
  [...'FACS'].forEach((c, i) => tables.setLE(facs + i, c.charCodeAt(0), 1));
  tables.setLE(facs + 4, sizes.facs, 4);

  const dsdt = reserveTable(tables, sizes.dsdt);
  table('DSDT', 1, dsdt);

  const pointed: number[] = [];
  const fadt = reserveTable(tables, sizes.fadt);
  pointed.push(fadt);
  linker.addPointer(ACPI_BUILD_TABLE_FILE, fadt + 36, 4, ACPI_BUILD_TABLE_FILE, facs);
  linker.addPointer(ACPI_BUILD_TABLE_FILE, fadt + 40, 4, ACPI_BUILD_TABLE_FILE, dsdt);
  if (cfg.board === 'q35') linker.addPointer(ACPI_BUILD_TABLE_FILE, fadt + 140, 8, ACPI_BUILD_TABLE_FILE, dsdt);
  table('FACP', cfg.board === 'q35' ? 3 : 1, fadt);

  const madt = reserveTable(tables, sizes.madt);
  pointed.push(madt);
  table('APIC', 1, madt);

  let deviceBlob: AcpiBlob | undefined;
  if (device && cfg.vmgenid) {
    pointed.push(tables.length);
    deviceBlob = device.buildAcpi(tables, linker, OEM_ID);
  }
  for (const [sig, len] of [['HPET', sizes.hpet], ['MCFG', sizes.mcfg], ['WAET', sizes.waet]] as const) {
    if (len === 0) continue;
    const at = reserveTable(tables, len);
    pointed.push(at);
    table(sig, 1, at);
  }
  const rsdt = reserveTable(tables, sizes.rsdt);
  pointed.forEach((target, i) => {
    tables.setLE(rsdt + 36 + 4 * i, 0, 4);
    linker.addPointer(ACPI_BUILD_TABLE_FILE, rsdt + 36 + 4 * i, 4, ACPI_BUILD_TABLE_FILE, target);
  });
  table('RSDT', 1, rsdt);

  // RSDP revision 0 in the F-segment: signature, checksum @8, OEM @9, revision @15, RSDT @16.
  const rsdp = new AcpiBlob();
  rsdp.append([...'RSD PTR '].map((c) => c.charCodeAt(0)));
  rsdp.appendLE(0, 1);
  rsdp.append([...OEM_ID].map((c) => c.charCodeAt(0)));
  rsdp.appendLE(0, 1);
  rsdp.appendLE(0, 4);
  linker.alloc(ACPI_BUILD_RSDP_FILE, rsdp, 16, true);
  linker.addPointer(ACPI_BUILD_RSDP_FILE, 16, 4, ACPI_BUILD_TABLE_FILE, rsdt);
  linker.addChecksum(ACPI_BUILD_RSDP_FILE, 0, 20, 8);
  if (!policy.rsdpInRam) rsdp.appendLE(0, 16);

  // Padding last, as acpi_build does; the legacy size can even truncate (QEMU only warns).
  tables.setLength(acpiTablesBlobLength(sizes, policy, apicIdLimit(cfg)));
  const out: AcpiSetup = { tables: tables.copy(), loader: linker.encode(0x1000), rsdp: rsdp.copy(), sizes };
  if (deviceBlob) out.deviceBlob = deviceBlob;
  return out;
}

/**
 * AcpiBuildState.patched (vmstate "acpi_build"): the first guest read of
 * any ACPI file rebuilds the tables (acpi_build_update, which is when the
 * DSDT picks up firmware's PCI windows and q35 gains its MCFG) and sets
 * patched; reset clears it so the next boot rebuilds again.
 */
export class AcpiBuildState {
  patched = 0;
  constructor(private readonly rebuild: () => void) {}

  onGuestRead(): void {
    if (this.patched) return;
    this.patched = 1;
    this.rebuild();
  }

  reset(): void {
    this.patched = 0;
  }
}

/**
 * Expose the blobs through fw_cfg as acpi_setup does (the RAM blocks are the
 * memory layer's); with `state`, a guest select of any of them triggers the
 * rebuild once.
 */
export function installAcpiFwCfg(fw: FwCfg, setup: AcpiSetup, state?: AcpiBuildState): void {
  const onSelect = state ? () => state.onGuestRead() : undefined;
  const opts = onSelect ? { onSelect } : {};
  fw.addFile(ACPI_BUILD_TABLE_FILE, setup.tables, opts);
  fw.addFile(ACPI_BUILD_LOADER_FILE, setup.loader, opts);
  fw.addFile(ACPI_BUILD_RSDP_FILE, setup.rsdp, opts);
}

/** Replace the three files after a rebuild (acpi_ram_update; sizes feed fw_cfg/acpi_mr). */
export function updateAcpiFwCfg(fw: FwCfg, setup: AcpiSetup): void {
  fw.modifyFile(ACPI_BUILD_TABLE_FILE, setup.tables);
  fw.modifyFile(ACPI_BUILD_LOADER_FILE, setup.loader);
  fw.modifyFile(ACPI_BUILD_RSDP_FILE, setup.rsdp);
}
