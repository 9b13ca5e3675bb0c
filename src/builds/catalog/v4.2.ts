// QEMU 4.2 (with 4.0 and 4.1): microvm, pc-q35-4.0.1, and a compat fix
// appended to an old array in 4.1.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_4_2: BuildDelta = {
  version: '4.2',
  base: '3.1',
  released: '2019-12',
  changes: [
    ...machineChanges('4.2', '3.1'),
    {
      kind: 'compat-entry-added', array: 'hw_compat_3_1',
      entry: { driver: 'pcie-root-port-base', property: 'disable-acs', value: 'true', since: '4.1' },
      reason: 'the ACS capability of PCIe root ports is turned off for pc-*-3.1 and older; the entry was appended to the old array in 4.1',
      source: { ref: 'hw/core/machine.c hw_compat_3_1', qemu: '4.1', confidence: 'verified', note: 'the entry is commented /* Added in 4.1 */' },
    },
    {
      kind: 'property-added', device: 'virtio-pci', property: 'x-pcie-flr-init', default: 'on',
      effect: 'virtio PCIe devices advertise Function Level Reset in their PCIe capability (config bytes)',
      compat: compatSwitch('hw_compat_4_1', 'virtio-pci', 'x-pcie-flr-init'),
      reason: 'virtio-pci supports FLR (landed in 4.2); old machine types keep the capability without it',
      source: datedByCompat('hw_compat_4_1', '4.2'),
    },
  ],
};
