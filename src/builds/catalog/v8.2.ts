import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_8_2: BuildDelta = {
  version: '8.2',
  base: '8.1',
  released: '2023-12',
  changes: [
    ...machineChanges('8.2', '8.1'),
    {
      kind: 'property-added', device: 'base-pci-bridge', property: 'x-pci-express-writeable-slt-bug', default: 'false',
      effect: 'the bridge Secondary Latency Timer becomes read-only on PCIe bridges: its wmask, hence the config check',
      compat: compatSwitch('hw_compat_8_1', 'base-pci-bridge', 'x-pci-express-writeable-slt-bug'),
      reason: 'PCIe bridges wrongly let the guest write the secondary latency timer; 8.1 machine types keep the bug',
      source: datedByCompat('hw_compat_8_1', '8.2'),
    },
  ],
};
