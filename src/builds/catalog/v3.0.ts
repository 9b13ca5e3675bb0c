// QEMU 3.0: RAM_MIGRATABLE (seed 001).
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { SEED_001 } from './sources.js';

export const build_3_0: BuildDelta = {
  version: '3.0',
  base: '2.12',
  released: '2018-08',
  changes: [
    ...machineChanges('3.0', '2.12'),
    {
      kind: 'ram-feature', feature: 'migratable-flag', enabled: true,
      reason: 'only RAM blocks registered with vmstate_register_ram() are sent; an incoming unregistered block is refused: a compat break for boards that never registered theirs',
      source: {
        ...SEED_001, qemu: '3.0',
        note: 'the thread is dated 2018-04-20, the week 2.12.0 was released, and discusses v2: the patch could only land in the next release, 3.0',
      },
    },
  ],
};
