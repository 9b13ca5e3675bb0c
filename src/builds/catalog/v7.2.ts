// QEMU 7.2: the version installed on the development machine; the
// fidelity target of the simulated builds.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_7_2: BuildDelta = {
  version: '7.2',
  base: '6.2',
  released: '2022-12',
  changes: [
    ...machineChanges('7.2', '6.2'),
    {
      kind: 'field-added', device: 'PIIX4_PM', section: 'piix4_pm', field: 'acpi_pci_hotplug.acpi_index',
      condition: 'x-not-migrate-acpi-index is off (field_exists test on the PCI hotplug state)',
      compat: compatSwitch('hw_compat_6_2', 'PIIX4_PM', 'x-not-migrate-acpi-index'),
      reason: 'the ACPI index register of PCI hotplug was not migrated (landed in 7.0); old machine types keep the old layout',
      source: datedByCompat('hw_compat_6_2', '7.0'),
    },
    {
      kind: 'property-added', device: 'virtio-rng-pci', property: 'vectors', default: 'unset (MSI-X enabled)',
      effect: 'virtio-rng-pci gets an MSI-X capability and table: PCI config space and BAR layout',
      compat: compatSwitch('hw_compat_7_1', 'virtio-rng-pci', 'vectors'),
      reason: 'virtio-rng-pci uses MSI-X (landed in 7.2); old machine types keep vectors=0, no MSI-X',
      source: datedByCompat('hw_compat_7_1', '7.2'),
    },
  ],
};
