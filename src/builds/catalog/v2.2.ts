import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_2_2: BuildDelta = {
  version: '2.2',
  base: '2.1',
  released: '2014-12',
  changes: [
    ...machineChanges('2.2', '2.1'),
    {
      kind: 'property-added', device: 'virtio-pci', property: 'virtio-pci-bus-master-bug-migration', default: 'off',
      effect: 'old machine types migrate virtio-pci devices the way 2.1 did, with its bus-master bug',
      compat: compatSwitch('hw_compat_2_1', 'virtio-pci', 'virtio-pci-bus-master-bug-migration'),
      reason: 'virtio-pci bus-master handling on migration was fixed; 2.1 machine types keep the old behaviour to stay compatible',
      source: datedByCompat('hw_compat_2_1', '2.2'),
    },
  ],
};
