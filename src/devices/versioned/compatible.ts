/**
 * The migration compatibility decision of seed 002: "the version is
 * expanded into configuration parameters when the device is instantiated.
 * Those parameters are then used to check migration compatibility of the
 * destination (versions don't play a role once the device has been
 * created)."
 */
import type { CheckCode } from '../../wire/index.js';
import type { VnicImplementation } from './implementations.js';
import { PARAMETERS, effective, enabledParameters, type ParameterName, type Parameters } from './parameters.js';

export type Compatibility =
  | { ok: true }
  | { ok: false; code: CheckCode; parameter: string; message: string };

/**
 * Can a device configured with `src` be loaded into `dst` (its
 * implementation and its own configuration)?
 *
 * - A parameter the source has enabled that the destination implementation
 *   lacks refuses: "If the destination doesn't support the new parameter
 *   then migration will be refused."
 * - A parameter whose values differ refuses: the hardware interface would
 *   change under the guest ("a link-speed configuration parameter is
 *   required to prevent unexpected changes to the link speed after
 *   migration").
 * - A parameter at its disabled default on one side and unknown to the
 *   other is fine: "When the parameter is disabled the hardware interface
 *   and device state representation are unchanged. This allows old device
 *   states to be loaded."
 */
export function compatible(src: Parameters, dst: { impl: VnicImplementation; params: Parameters }, srcName = 'source'): Compatibility {
  for (const [name, value] of enabledParameters(src)) {
    if (!dst.impl.parameters.includes(name)) {
      return {
        ok: false,
        code: 'device.parameter-unsupported',
        parameter: name,
        message: `vnic: the ${srcName} device uses ${name}=${value}, destination implementation ${dst.impl.name} does not support ${name}`,
      };
    }
  }
  for (const p of PARAMETERS) {
    const a = effective(src, p.name);
    const b = effective(dst.params, p.name);
    if (a !== b) return mismatch(p.name, a, b, srcName);
  }
  return { ok: true };
}

function mismatch(name: ParameterName, src: number, dst: number, srcName: string): Compatibility {
  return {
    ok: false,
    code: 'device.parameter-mismatch',
    parameter: name,
    message: `vnic: ${name} is ${src} on the ${srcName} device and ${dst} on the destination device`,
  };
}
