// QEMU 8.0.1: the stable release that repairs 7.2 <-> 8.x for old machine
// types, at the price of breaking 8.0 <-> 8.0.1.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { MIGRATION_RST_UNC_MASK } from './sources.js';

export const build_8_0_1: BuildDelta = {
  version: '8.0.1',
  base: '8.0',
  released: '2023-05',
  changes: [
    ...machineChanges('8.0.1', '8.0'),
    {
      kind: 'pci-cap-present', bit: 'QEMU_PCIE_ERR_UNC_MASK', bitnr: 11, property: 'x-pcie-err-unc-mask', default: true,
      effect: 'only with the bit set does pcie_aer_init() initialise PCI_ERR_UNCOR_MASK and make it writable',
      reason: 'the 8.0 AER mask register is put behind a cap_present bit so old machine types can switch it off',
      source: MIGRATION_RST_UNC_MASK,
    },
    {
      kind: 'compat-entry-added', array: 'hw_compat_7_2',
      entry: { driver: 'pci-device', property: 'x-pcie-err-unc-mask', value: 'off', since: '8.0.1' },
      reason: 'machine types 7.2 and older get the 7.2 config layout back (commit cherry-picked to 8.0.1, in 8.1)',
      source: { ...MIGRATION_RST_UNC_MASK, ref: 'commit "hw/pci: Disable PCI_ERR_UNCOR_MASK register for machine type < 8.0"' },
    },
  ],
};
