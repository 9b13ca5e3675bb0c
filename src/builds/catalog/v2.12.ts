// QEMU 2.12 (with 2.10 and 2.11): hpet offset, e1000 TSO state, root port MSI-X.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_2_12: BuildDelta = {
  version: '2.12',
  base: '2.9',
  released: '2018-04',
  changes: [
    ...machineChanges('2.12', '2.9'),
    {
      kind: 'subsection-added', device: 'hpet', section: 'hpet', subsection: 'hpet/offset',
      needed: 'hpet-offset-saved is on and the guest enabled the HPET: the counter offset is migrated so the counter does not jump',
      compat: compatSwitch('hw_compat_2_11', 'hpet', 'hpet-offset-saved'),
      reason: 'the HPET main counter was recomputed from the clock after migration and jumped; 2.12 migrates its offset',
      source: datedByCompat('hw_compat_2_11', '2.12', 'subsection name as QEMU 7.2 -dump-vmstate lists it'),
    },
    {
      kind: 'subsection-added', device: 'e1000', section: 'e1000', subsection: 'e1000/tx_tso_state',
      needed: 'migrate_tso_props is on: the TSO context is migrated separately from the checksum offload context',
      compat: compatSwitch('hw_compat_2_11', 'e1000', 'migrate_tso_props'),
      reason: 'e1000 keeps separate TSO and non-TSO offload contexts; the TSO one needs its own subsection',
      source: datedByCompat('hw_compat_2_11', '2.12'),
    },
    {
      kind: 'property-added', device: 'pcie-root-port', property: 'x-migrate-msix', default: 'true',
      effect: 'the root port MSI-X table and PBA are migrated',
      compat: compatSwitch('hw_compat_2_9', 'pcie-root-port', 'x-migrate-msix'),
      reason: 'the generic root port forgot to migrate its MSI-X state (fixed in 2.10)',
      source: datedByCompat('hw_compat_2_9', '2.10'),
    },
  ],
};
