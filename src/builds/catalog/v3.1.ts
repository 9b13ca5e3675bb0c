import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_3_1: BuildDelta = {
  version: '3.1',
  base: '3.0',
  released: '2018-12',
  changes: [
    ...machineChanges('3.1', '3.0'),
    {
      kind: 'property-added', device: 'migration', property: 'decompress-error-check', default: 'on',
      effect: 'the destination checks decompression errors of compressed pages',
      compat: compatSwitch('hw_compat_2_12', 'migration', 'decompress-error-check'),
      reason: 'decompression errors were ignored; 3.0 fails the migration on them, except for 2.12 machine types',
      source: datedByCompat('hw_compat_2_12', '3.0'),
    },
  ],
};
