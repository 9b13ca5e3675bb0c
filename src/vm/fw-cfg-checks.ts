/**
 * fw_cfg's load-time behaviour on top of its recorded layout: with the
 * fw_cfg/acpi_mr subsection, QEMU's post_load resizes the three ACPI blocks
 * to the incoming sizes (with &error_abort, so a size above max_length kills
 * the destination). The fw_cfg model (src/devices/fw-cfg) refuses instead,
 * with qemu_ram_resize's wording; here its check runs inside the load, so a
 * refusal is transactional like every other.
 */
import { FwCfg, fwCfgFromState, fwCfgOptionsForMachine, type AcpiMrLimits } from '../devices/fw-cfg/index.js';
import { findRamBlock, type RamList } from '../memory/index.js';
import type { VMStateDescription } from '../vmstate/index.js';

export function acpiMrLimits(ram: RamList): AcpiMrLimits | undefined {
  const tables = findRamBlock(ram, '/rom@etc/acpi/tables');
  const loader = findRamBlock(ram, '/rom@etc/table-loader');
  if (!tables || !loader) return undefined;
  const rsdp = findRamBlock(ram, '/rom@etc/acpi/rsdp');
  return {
    tables: { idstr: tables.idstr, maxLength: tables.maxLength },
    loader: { idstr: loader.idstr, maxLength: loader.maxLength },
    ...(rsdp ? { rsdp: { idstr: rsdp.idstr, maxLength: rsdp.maxLength } } : {}),
  };
}

/** The fw_cfg description with the acpi_mr size check as post_load (throws the fw_cfg model's LoadError). */
export function withFwCfgChecks(vmsd: VMStateDescription, machine: string, ram: RamList): VMStateDescription {
  const limits = acpiMrLimits(ram);
  if (!limits) return vmsd;
  return {
    ...vmsd,
    post_load: (state, versionId) => {
      // A scratch device: the check must not touch anything before the whole stream is accepted.
      fwCfgFromState(new FwCfg(fwCfgOptionsForMachine(machine)), state, versionId, limits);
    },
  };
}
