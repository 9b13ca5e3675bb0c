// QEMU 8.0: the PCI_ERR_UNCOR_MASK regression (docs/devel/migration.rst).
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { commit, compatSwitch, datedByCompat } from './sources.js';

export const build_8_0: BuildDelta = {
  version: '8.0',
  base: '7.2',
  released: '2023-04',
  changes: [
    ...machineChanges('8.0', '7.2'),
    {
      kind: 'pci-config', capability: 'AER (PCIe extended capability)', register: 'PCI_ERR_UNCOR_MASK',
      effect: 'config bytes of the Uncorrectable Error Mask get PCI_ERR_UNC_MASK_DEFAULT and become writable (wmask PCI_ERR_UNC_SUPPORTED) on every device with AER',
      reason: 'AER mask register implemented unconditionally, for every machine type: the destination config check then sees different read-only bytes',
      source: commit('hw/pci/aer: Implement PCI_ERR_UNCOR_MASK register', '8.0', '010746ae1db7'),
    },
    {
      kind: 'property-added', device: 'ICH9-LPC', property: 'noreboot', default: 'false',
      effect: 'the ICH9 TCO watchdog no-reboot strap: whether a watchdog expiry resets the guest',
      compat: compatSwitch('pc_compat_7_2', 'ICH9-LPC', 'noreboot'),
      reason: 'q35 no longer forces the no-reboot strap (landed in 8.0); pc-q35-7.2 and older keep it',
      source: datedByCompat('pc_compat_7_2', '8.0'),
    },
  ],
};
