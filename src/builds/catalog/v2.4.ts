// QEMU 2.4: the stream learns to identify itself (configuration section)
// and to frame sections (footers); q35 becomes migratable.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { commit, compatSwitch, datedByCompat } from './sources.js';

export const build_2_4: BuildDelta = {
  version: '2.4',
  base: '2.3',
  released: '2015-08',
  changes: [
    ...machineChanges('2.4', '2.3'),
    {
      kind: 'stream-feature', feature: 'configuration-section', enabled: true,
      compat: compatSwitch('hw_compat_2_3', 'migration', 'send-configuration'),
      reason: 'QEMU_VM_CONFIGURATION names the machine type so a mismatched destination refuses early',
      source: datedByCompat('hw_compat_2_3', '2.4', 'observed on real 7.2: pc-i440fx-2.3 streams have no configuration section, 2.4 streams do'),
    },
    {
      kind: 'stream-feature', feature: 'section-footer', enabled: true,
      compat: compatSwitch('hw_compat_2_3', 'migration', 'send-section-footer'),
      reason: 'every section ends with a footer carrying its id, so a desynchronised stream is caught at the section that caused it',
      source: datedByCompat('hw_compat_2_3', '2.4', 'observed on real 7.2: footers from pc-i440fx-2.4 on'),
    },
    {
      kind: 'stream-feature', feature: 'global-state', enabled: true,
      compat: compatSwitch('hw_compat_2_3', 'migration', 'store-global-state'),
      reason: 'the run state before migration travels in a globalstate section',
      source: datedByCompat('hw_compat_2_3', '2.4'),
    },
    {
      kind: 'device-migratable', device: 'ich9-ahci', migratable: true,
      reason: 'q35 always creates an ich9-ahci; it was unmigratable, so no q35 guest could migrate before 2.4',
      source: commit('q35: Remove old machine versions', '2.6', '86165b499edf', 'quotes the fix as commit 04329029a8c5, which made ich9-ahci migratable'),
    },
  ],
};
