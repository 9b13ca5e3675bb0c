import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_2_0: BuildDelta = {
  version: '2.0',
  base: '1.7',
  released: '2014-04',
  changes: [
    ...machineChanges('2.0', '1.7'),
    {
      kind: 'property-added', device: 'PIIX4_PM', property: 'acpi-pci-hotplug-with-bridge-support', default: 'on',
      effect: 'ACPI hotplug for devices behind PCI bridges: the generated ACPI tables grow (their blob size is migrated state)',
      compat: compatSwitch('pc_compat_1_7', 'PIIX4_PM', 'acpi-pci-hotplug-with-bridge-support'),
      reason: 'bridge hotplug changes the ACPI tables, so pc-i440fx-1.7 keeps it off to keep its table size',
      source: datedByCompat('pc_compat_1_7', '2.0'),
    },
    {
      kind: 'ram-block', block: '/rom@etc/acpi/tables', resizeable: false, binaryAml: { base: 6652, perCpu: 97 },
      reason: "QEMU 2.0's compiled DSDT+SSDT is 238 bytes larger than 1.7's for every machine type, so -M pc-i440fx-1.7 tables change size for some maxcpus (\"Length mismatch\")",
      source: {
        ref: 'hw/i386/pc_piix.c, pc_i440fx_2_0_machine_options: "it depends on the binary and not on the machine type, so we cannot make pc-i440fx-1.7 work on both QEMU 1.7 and QEMU 2.0 ... 6652 is valid for QEMU 2.0"',
        qemu: '2.0', confidence: 'verified',
        note: "QEMU's own figures for the 1.7 and 2.0 binaries (not measured here); the break window follows by arithmetic (blob-lengths.ts)",
      },
    },
  ],
};
