/**
 * The ACPI configuration of a machine type and its -device / -smp options:
 * which board's tables, which machine-type compat (legacy sizing,
 * rsdp_in_ram), how many possible CPUs and PCI functions.
 */
import { parseMachineName } from '../../machines/index.js';
import type { AcpiBoard, AcpiConfig } from './blobs.js';

export interface MachineAcpiOptions {
  /** -smp maxcpus (apic_id_limit for a flat topology); default 1. */
  maxCpus?: number;
  /** PCI functions the -device options add on bus 0. */
  pciDevices?: number;
  vmgenid?: boolean;
}

export interface MachineAcpi {
  cfg: AcpiConfig;
  /** 'isapc' has no QEMU-built tables. */
  board: AcpiBoard | 'isapc';
}

export function machineAcpi(machine: string, opts: MachineAcpiOptions = {}): MachineAcpi | undefined {
  const parsed = parseMachineName(machine);
  if (parsed === undefined) return undefined;
  const board: AcpiBoard | 'isapc' | undefined =
    parsed.family === 'pc-i440fx' || parsed.family === 'pc-legacy' ? 'pc' : parsed.family === 'pc-q35' ? 'q35' : parsed.family === 'microvm' ? 'microvm' : parsed.family === 'isapc' ? 'isapc' : undefined;
  if (board === undefined) return undefined;
  const cfg: AcpiConfig = { board: board === 'isapc' ? 'pc' : board, cpus: 1, maxCpus: opts.maxCpus ?? 1 };
  if (parsed.version !== undefined) {
    const [major = 0, minor = 0] = parsed.version.split('.').map(Number);
    cfg.machineVersion = { major, minor };
  }
  if (opts.pciDevices) cfg.pciDevices = opts.pciDevices;
  if (opts.vmgenid) cfg.vmgenid = true;
  return { cfg, board };
}
