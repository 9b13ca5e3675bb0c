import type { StateObject, VMStateDescription } from '../../vmstate/description.js';
import { LoadError } from '../../wire/load-error.js';
import type { FwCfg } from './fw-cfg.js';

/**
 * vmstate_fw_cfg as QEMU 7.2 writes it (hw/nvram/fw_cfg.c; checked against
 * the vmdesc of real pc-q35-7.2 / isapc / pc-i440fx-2.4 captures):
 *   fw_cfg v2 (min 1): cur_entry u16; cur_offset as u16 only in v1 streams
 *   (VMSTATE_UINT16_HACK, is_version_1); cur_offset u32 from v2.
 *   fw_cfg/dma v0: dma_addr u64, needed when the DMA interface exists.
 *   fw_cfg/acpi_mr v1: table/linker/rsdp mr sizes u64, needed when
 *   acpi-mr-restore is on and one of the sizes is not page aligned
 *   (fw_cfg_acpi_mr_restore): on x86 the 20-byte RSDP makes it always so.
 *
 * Keys starting with `x_` are device properties the `needed` hooks read;
 * they are not on the wire.
 */
const HOST_PAGE = 4096n;

function asBigint(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(typeof v === 'number' ? v : 0);
}

export function fwCfgAcpiMrNeeded(state: StateObject): boolean {
  if (state['x_acpi_mr_restore'] !== true) return false;
  const aligned = ['table_mr_size', 'linker_mr_size', 'rsdp_mr_size'].every((k) => asBigint(state[k]) % HOST_PAGE === 0n);
  return !aligned;
}

export const vmstateFwCfgDma: VMStateDescription = {
  name: 'fw_cfg/dma',
  version_id: 0,
  minimum_version_id: 0,
  needed: (s) => s['x_dma_enabled'] === true,
  fields: [{ name: 'dma_addr', kind: 'int', type: 'uint64' }],
};

export const vmstateFwCfgAcpiMr: VMStateDescription = {
  name: 'fw_cfg/acpi_mr',
  version_id: 1,
  minimum_version_id: 1,
  needed: fwCfgAcpiMrNeeded,
  fields: [
    { name: 'table_mr_size', kind: 'int', type: 'uint64' },
    { name: 'linker_mr_size', kind: 'int', type: 'uint64' },
    { name: 'rsdp_mr_size', kind: 'int', type: 'uint64' },
  ],
};

export const vmstateFwCfg: VMStateDescription = {
  name: 'fw_cfg',
  version_id: 2,
  minimum_version_id: 1,
  fields: [
    { name: 'cur_entry', kind: 'int', type: 'uint16' },
    // VMSTATE_UINT16_HACK: a uint32 C field sent as 16 bits in v1 streams only.
    {
      name: 'cur_offset',
      kind: 'int',
      type: 'uint16',
      field_exists: (_s, v) => v === 1,
      meta: { dumpSize: 4 },
    },
    { name: 'cur_offset', kind: 'int', type: 'uint32', version_id: 2 },
  ],
  subsections: [vmstateFwCfgDma, vmstateFwCfgAcpiMr],
};

/** The state object the walker saves for this device. */
export function fwCfgToState(fw: FwCfg): StateObject {
  const r = fw.regs;
  return {
    cur_entry: r.curEntry,
    'cur_offset[0]': r.curOffset & 0xffff,
    'cur_offset[1]': r.curOffset >>> 0,
    dma_addr: r.dmaAddr,
    table_mr_size: r.tableMrSize,
    linker_mr_size: r.linkerMrSize,
    rsdp_mr_size: r.rsdpMrSize,
    x_dma_enabled: fw.dmaEnabled,
    x_acpi_mr_restore: fw.acpiMrRestore,
  };
}

/** Max lengths of the ACPI blocks on the destination, for the acpi_mr post_load check. */
export interface AcpiMrLimits {
  tables: { idstr: string; maxLength: number };
  loader: { idstr: string; maxLength: number };
  rsdp?: { idstr: string; maxLength: number };
}

/**
 * Commit a loaded state into the device. With acpi_mr present, QEMU's post_load
 * resizes the three ACPI blocks to the incoming sizes with &error_abort: a
 * size above max_length aborts the destination. The model refuses instead,
 * with qemu_ram_resize's wording; `resize` is the memory layer's hook.
 */
export function fwCfgFromState(
  fw: FwCfg,
  s: StateObject,
  versionId: number,
  limits?: AcpiMrLimits,
  resize?: (idstr: string, size: bigint) => void,
): void {
  const sizes = 'table_mr_size' in s;
  if (sizes && limits) {
    const pairs: [string, { idstr: string; maxLength: number } | undefined][] = [
      ['table_mr_size', limits.tables],
      ['linker_mr_size', limits.loader],
      ['rsdp_mr_size', limits.rsdp],
    ];
    for (const [key, lim] of pairs) {
      const size = asBigint(s[key]);
      if (!lim) continue;
      const aligned = (size + HOST_PAGE - 1n) & ~(HOST_PAGE - 1n);
      if (aligned > BigInt(lim.maxLength)) {
        throw new LoadError(
          'fwcfg.acpi-mr-too-large',
          `Size too large: ${lim.idstr}: 0x${aligned.toString(16)} > 0x${lim.maxLength.toString(16)}`,
          0,
          `fw_cfg/fw_cfg/acpi_mr/${key}`,
        );
      }
    }
  }
  fw.regs.curEntry = Number(s['cur_entry'] ?? 0);
  fw.regs.curOffset = Number(versionId === 1 ? (s['cur_offset[0]'] ?? 0) : (s['cur_offset[1]'] ?? 0));
  fw.regs.dmaAddr = asBigint(s['dma_addr']);
  if (sizes) {
    fw.regs.tableMrSize = asBigint(s['table_mr_size']);
    fw.regs.linkerMrSize = asBigint(s['linker_mr_size']);
    fw.regs.rsdpMrSize = asBigint(s['rsdp_mr_size']);
    if (resize && limits) {
      resize(limits.tables.idstr, fw.regs.tableMrSize);
      resize(limits.loader.idstr, fw.regs.linkerMrSize);
      if (limits.rsdp) resize(limits.rsdp.idstr, fw.regs.rsdpMrSize);
    }
  }
}
