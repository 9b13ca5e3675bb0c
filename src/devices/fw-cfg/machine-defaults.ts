import { FW_CFG_FILE_SLOTS_DEFAULT, FW_CFG_FILE_SLOTS_LEGACY } from './constants.js';
import type { FwCfgOptions } from './fw-cfg.js';

/** Major/minor of a versioned PC machine type (pc-i440fx-X.Y, pc-q35-X.Y), else undefined. */
export function pcMachineVersion(machine: string): { major: number; minor: number } | undefined {
  const m = /^pc-(?:i440fx-|q35-)?(\d+)\.(\d+)$/.exec(machine);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function atMost(v: { major: number; minor: number }, major: number, minor: number): boolean {
  return v.major < major || (v.major === major && v.minor <= minor);
}

/**
 * fw_cfg properties a QEMU 7.2 build gives each x86 machine type, from the
 * compat settings that touch fw_cfg:
 * - DMA: pc_i440fx_2_6_machine_options / pc_q35_2_6 set
 *   x86mc->fwcfg_dma_enabled = false, so 2.6 and older have no fw_cfg/dma
 *   subsection and no WRITE_POINTER (real 7.2 captures: pc-i440fx-2.4 and
 *   pc-q35-2.4 have no subsections; isapc and microvm have fw_cfg/dma).
 * - acpi-mr-restore: false in hw_compat_4_2.
 * - x-file-slots 0x10 in hw_compat_2_8.
 * - legacy_fw_cfg_order = 1 for 2.5 and older.
 * Unversioned boards (isapc, microvm) take the defaults.
 */
export function fwCfgOptionsForMachine(machine: string): FwCfgOptions {
  const v = pcMachineVersion(machine);
  if (!v) return { dmaEnabled: true, acpiMrRestore: true, fileSlots: FW_CFG_FILE_SLOTS_DEFAULT, legacyOrder: false };
  return {
    dmaEnabled: !atMost(v, 2, 6),
    acpiMrRestore: !atMost(v, 4, 2),
    fileSlots: atMost(v, 2, 8) ? FW_CFG_FILE_SLOTS_LEGACY : FW_CFG_FILE_SLOTS_DEFAULT,
    legacyOrder: atMost(v, 2, 5),
  };
}
