// QEMU 9.2 (with 9.0 and 9.1): zero-page detection, PCIe extended tag.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_9_2: BuildDelta = {
  version: '9.2',
  base: '8.2',
  released: '2024-12',
  changes: [
    ...machineChanges('9.2', '8.2'),
    {
      kind: 'property-added', device: 'migration', property: 'zero-page-detection', default: 'multifd',
      effect: 'with multifd, zero pages are detected in the channels instead of the main thread (how zero pages are sent)',
      compat: compatSwitch('hw_compat_8_2', 'migration', 'zero-page-detection'),
      reason: 'zero-page detection moves to multifd (landed in 9.0); 8.2 machine types keep the legacy scheme',
      source: datedByCompat('hw_compat_8_2', '9.0'),
    },
    {
      kind: 'pci-cap-present', bit: 'QEMU_PCIE_EXT_TAG', property: 'x-pcie-ext-tag', default: true,
      effect: 'PCIe Device Capabilities advertise the Extended Tag field: a read-only config byte the config check compares',
      compat: compatSwitch('hw_compat_9_1', 'pci-device', 'x-pcie-ext-tag'),
      reason: 'PCIe devices support extended tags as the spec expects; 9.1 machine types keep the old capability bytes',
      source: datedByCompat('hw_compat_9_1', '9.2', 'patch "pcie: enable Extended tag field support" (DEFINE_PROP_BIT on cap_present)'),
    },
  ],
};
