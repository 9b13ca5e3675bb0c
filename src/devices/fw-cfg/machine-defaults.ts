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
 * - DMA (fw_cfg DMA arrived in QEMU 2.5): off for 2.4 and older. Checked
 *   on the real 7.2 binary: `-device vmgenid` is refused for pc-i440fx-2.0
 *   and 2.4 ("vmgenid requires DMA write support in fw_cfg...") and accepted
 *   for pc-i440fx-2.5, 2.6, pc-q35-2.6 and isapc; the pc-i440fx-2.4 and
 *   pc-q35-2.4 captures have no fw_cfg/dma subsection, isapc and microvm
 *   have it. (Newer QEMU sources set fwcfg_dma_enabled = false in the 2.6
 *   options; 7.2 does not behave that way, and 7.2 is the reference.)
 * - acpi-mr-restore: false in hw_compat_4_2.
 * - x-file-slots 0x10 in hw_compat_2_8.
 * - legacy_fw_cfg_order = 1 for 2.5 and older.
 * Unversioned boards (isapc, microvm) take the defaults.
 */
export function fwCfgOptionsForMachine(machine: string): FwCfgOptions {
  const v = pcMachineVersion(machine);
  if (!v) return { dmaEnabled: true, acpiMrRestore: true, fileSlots: FW_CFG_FILE_SLOTS_DEFAULT, legacyOrder: false };
  return {
    dmaEnabled: !atMost(v, 2, 4),
    acpiMrRestore: !atMost(v, 4, 2),
    fileSlots: atMost(v, 2, 8) ? FW_CFG_FILE_SLOTS_LEGACY : FW_CFG_FILE_SLOTS_DEFAULT,
    legacyOrder: atMost(v, 2, 5),
  };
}
