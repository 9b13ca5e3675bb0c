/**
 * Device implementations: what one build of the vnic device (a QEMU build,
 * or a vendor's mediated-device driver) knows. An implementation supports a
 * set of versions and parameters and a set of optional-data tags.
 */
import type { ParameterName } from './parameters.js';

export interface VnicImplementation {
  name: string;
  versions: readonly number[];
  parameters: readonly ParameterName[];
  /** Optional data it understands; anything else it drops on load. */
  optionalTags: readonly string[];
}

export const VNIC_IMPLEMENTATIONS: Readonly<Record<string, VnicImplementation>> = {
  'vnic-1': { name: 'vnic-1', versions: [1], parameters: [], optionalTags: [] },
  'vnic-2': { name: 'vnic-2', versions: [1, 2], parameters: ['rx-filter-size'], optionalTags: ['stats'] },
  'vnic-3': { name: 'vnic-3', versions: [1, 2, 3], parameters: ['rx-filter-size', 'queues'], optionalTags: ['stats', 'tx-timestamps'] },
};

export function getImplementation(name: string): VnicImplementation {
  const impl = VNIC_IMPLEMENTATIONS[name];
  if (!impl) throw new RangeError(`unknown vnic implementation '${name}'`);
  return impl;
}
