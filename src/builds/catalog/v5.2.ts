// QEMU 5.2 (with 5.0 and 5.1): fw_cfg's ACPI region sizes, PCI host config_reg.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_5_2: BuildDelta = {
  version: '5.2',
  base: '4.2',
  released: '2020-12',
  changes: [
    ...machineChanges('5.2', '4.2'),
    {
      kind: 'subsection-added', device: 'fw_cfg_io', section: 'fw_cfg', subsection: 'fw_cfg/acpi_mr',
      needed: 'acpi-mr-restore is on: the used sizes of the ACPI table, loader and RSDP blobs are migrated and restored',
      compat: compatSwitch('hw_compat_4_2', 'fw_cfg', 'acpi-mr-restore'),
      reason: 'after migration fw_cfg served ACPI blobs with the destination sizes, not the resized ones; 5.0 migrates them',
      source: datedByCompat('hw_compat_4_2', '5.0', 'subsection name as QEMU 7.2 -dump-vmstate lists it'),
    },
    {
      kind: 'property-added', device: 'pci-host-bridge', property: 'x-config-reg-migration-enabled', default: 'on',
      effect: 'a PCIHost section carries the host bridge config address register (0xcf8)',
      compat: compatSwitch('hw_compat_5_0', 'pci-host-bridge', 'x-config-reg-migration-enabled'),
      reason: 'the host bridge config address register was not migrated (landed in 5.1); old machine types keep the old stream',
      source: datedByCompat('hw_compat_5_0', '5.1', 'section name "PCIHost" as QEMU 7.2 -dump-vmstate lists it'),
    },
  ],
};
