// QEMU 4.2: microvm, virtio-pci FLR.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_4_2: BuildDelta = {
  version: '4.2',
  base: '4.1',
  released: '2019-12',
  changes: [
    ...machineChanges('4.2', '4.1'),
    {
      kind: 'property-added', device: 'virtio-pci', property: 'x-pcie-flr-init', default: 'on',
      effect: 'virtio PCIe devices advertise Function Level Reset in their PCIe capability (config bytes)',
      compat: compatSwitch('hw_compat_4_1', 'virtio-pci', 'x-pcie-flr-init'),
      reason: 'virtio-pci supports FLR (landed in 4.2); old machine types keep the capability without it',
      source: datedByCompat('hw_compat_4_1', '4.2'),
    },
  ],
};
