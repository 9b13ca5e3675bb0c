import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_6_2: BuildDelta = {
  version: '6.2',
  base: '6.0',
  released: '2021-12',
  changes: [
    ...machineChanges('6.2', '6.0'),
    {
      kind: 'property-added', device: 'e1000', property: 'init-vet', default: 'on',
      effect: 'the VET register (VLAN ethertype) starts at 0x8100 instead of 0: guest-visible register state',
      compat: compatSwitch('hw_compat_6_0', 'e1000', 'init-vet'),
      reason: 'e1000 initialises VET like real hardware (landed in 6.1); old machine types keep 0',
      source: datedByCompat('hw_compat_6_0', '6.1'),
    },
  ],
};
