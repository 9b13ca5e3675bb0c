// QEMU 4.0: ACS on PCIe root ports, for every machine type (a break).
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { ACS_FIX_4_1 } from './sources.js';

export const build_4_0: BuildDelta = {
  version: '4.0',
  base: '3.1',
  released: '2019-04',
  changes: [
    ...machineChanges('4.0', '3.1'),
    {
      kind: 'pci-config', capability: 'ACS (PCIe extended capability)', register: 'ACS capability on PCIe root ports',
      effect: 'root ports gain an ACS extended capability: the capability chain and its headers, compared by the config check, differ from 3.1',
      reason: 'ACS added to PCIe root ports unconditionally, for old machine types too, breaking older <-> 4.0 migration with a root port',
      source: ACS_FIX_4_1,
    },
  ],
};
