// QEMU 4.1: ACS switched off again for machine types 3.1 and older.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { ACS_FIX_4_1 } from './sources.js';

export const build_4_1: BuildDelta = {
  version: '4.1',
  base: '4.0',
  released: '2019-08',
  changes: [
    ...machineChanges('4.1', '4.0'),
    {
      kind: 'pci-config', capability: 'ACS (PCIe extended capability)', register: 'ACS capability on PCIe root ports',
      effect: 'with disable-acs=true the root port has no ACS capability, as in 3.1',
      controlledBy: { bit: 'PCIESlot.disable_acs', property: 'disable-acs' },
      reason: 'ACS becomes a property of the root port so old machine types can drop it',
      source: ACS_FIX_4_1,
    },
    {
      kind: 'compat-entry-added', array: 'hw_compat_3_1',
      entry: { driver: 'pcie-root-port-base', property: 'disable-acs', value: 'true', since: '4.1' },
      reason: 'machine types 3.1 and older get the 3.1 root port back; 4.0 <-> 4.1 then breaks for them',
      source: { ...ACS_FIX_4_1, note: 'the entry is commented /* Added in 4.1 */ in hw/core/machine.c' },
    },
  ],
};
