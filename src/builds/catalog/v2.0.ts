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
  ],
};
