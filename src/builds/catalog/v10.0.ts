import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_10_0: BuildDelta = {
  version: '10.0',
  base: '9.2',
  released: '2025-04',
  changes: [
    ...machineChanges('10.0', '9.2'),
    {
      kind: 'stream-feature', feature: 'switchover-start', enabled: true,
      compat: compatSwitch('hw_compat_9_2', 'migration', 'send-switchover-start'),
      reason: 'the source announces the switchover point with a command so devices (VFIO multifd) can prepare; older destinations do not know the command',
      source: datedByCompat('hw_compat_9_2', '10.0', 'patch adding qemu_savevm_maybe_send_switchover_start(); whether it is sent also depends on the migration configuration'),
    },
    {
      kind: 'property-added', device: 'migration', property: 'multifd-clean-tls-termination', default: 'true',
      effect: 'a destination treats an unclean TLS termination of a multifd channel as an error',
      compat: compatSwitch('hw_compat_9_2', 'migration', 'multifd-clean-tls-termination'),
      reason: 'sources up to 9.2 close multifd TLS channels uncleanly; new destinations accept that only for old machine types',
      source: datedByCompat('hw_compat_9_2', '10.0'),
    },
  ],
};
