import type { Command } from 'commander';
import type { MachineSpec } from '../targets/index.js';
import { parseDevice, parseRamSize } from './qemu-syntax.js';
import { UsageError } from './usage-error.js';

/** The options every machine-driving command shares, in QEMU's own words. */
export interface MachineOptions {
  build?: string;
  qemu?: string;
  machine?: string;
  device: string[];
  ram: string;
  smp?: string;
  seed?: string;
}

export function addMachineOptions(cmd: Command, opts: { target?: boolean } = {}): Command {
  // migrate names its two builds with --from/--to instead of one target.
  if (opts.target !== false) {
    cmd
      .option('--build <version>', 'a simulated QEMU build (see `migcompat builds`)')
      .option('--qemu <path>', 'a real qemu-system-x86_64 binary');
  }
  return cmd
    .option('--machine <type>', 'machine type, e.g. pc-q35-7.2')
    .option('--device <spec>', 'a device in QEMU -device syntax (repeatable)', collect, [])
    .option('--ram <size>', 'guest RAM in QEMU -m syntax', '32M')
    .option('--smp <words>', "CPUs in QEMU -smp syntax, e.g. '1,maxcpus=12' (one vCPU simulated; maxcpus sizes the ACPI tables)");
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Validates the words (so a typo is exit 2, not a QEMU failure) and builds the spec. */
export function machineSpecFrom(opts: MachineOptions): MachineSpec {
  if (!opts.machine) throw new UsageError('--machine is required');
  for (const d of opts.device) parseDevice(d);
  parseRamSize(opts.ram);
  return { machine: opts.machine, devices: opts.device, ram: opts.ram, ...(opts.smp ? { smp: opts.smp } : {}) };
}

export function requireOneTarget(opts: MachineOptions): { kind: 'qemu'; path: string } | { kind: 'build'; version: string } {
  if (opts.qemu && opts.build) throw new UsageError('give either --build or --qemu, not both');
  if (opts.qemu) return { kind: 'qemu', path: opts.qemu };
  if (opts.build) return { kind: 'build', version: opts.build };
  throw new UsageError('give --build VERSION (simulated) or --qemu PATH (real binary)');
}
