/**
 * `-device vnic,...` on the pc machine types of a simulated build: the
 * seed 002 thought experiment (qemu-devel "VFIO Migration", Nov 2020), a
 * SIMULATED device that real QEMU does not have. The device model is the
 * versioned-device helper's (src/devices/versioned); this file only decides
 * which builds offer it, parses the -device words and adds its section.
 *
 * Properties (QEMU -device style):
 *   impl=vnic-1|vnic-2|vnic-3   the implementation (the "device driver" a
 *                               host has); default: the build's, below
 *   version=N                   the device version, expanded into
 *                               parameters at instantiation (default: the
 *                               implementation's newest)
 *   rx-filter-size=N, queues=N  explicit parameters (override the version's)
 *
 * Builds: vnic exists from 5.2 (the thread's release); a build ships
 * vnic-1 up to 5.2, vnic-2 from 6.0, vnic-3 from 8.0 (a made-up history,
 * chosen so the catalog has one implementation step old -> new on each
 * side of 7.2). One vnic per machine (section "vnic", instance 0).
 */
import { compareVersions } from '../machines/version.js';
import { createVnic, effective, exerciseVnic, VNIC_IMPLEMENTATIONS, VnicConfigError, type VnicDevice, type VnicProps } from '../devices/versioned/index.js';
import { BootError } from './boot-error.js';
import type { DeviceWord } from './options.js';
import type { VmSection } from './vm-core.js';

export const VNIC_DRIVER = 'vnic';
export const VNIC_SINCE = '5.2';

/** The implementation a build ships, or undefined before VNIC_SINCE. */
export function defaultVnicImpl(build: string): string | undefined {
  if (compareVersions(build, VNIC_SINCE) < 0) return undefined;
  if (compareVersions(build, '8.0') >= 0) return 'vnic-3';
  if (compareVersions(build, '6.0') >= 0) return 'vnic-2';
  return 'vnic-1';
}

/** A vnic section as the VM holds it: the device model rides along for the workload. */
export interface VnicSection extends VmSection {
  vnic: VnicDevice;
}

export function isVnicSection(s: VmSection): s is VnicSection {
  return 'vnic' in s;
}

/** Instantiates the device for `word` on (build, machine); BootError as QEMU refusing -device. */
export function vnicSection(build: string, machine: string, word: DeviceWord): VnicSection {
  const buildImpl = defaultVnicImpl(build);
  if (buildImpl === undefined) throw new BootError('device-unavailable', `'vnic' is not a valid device model name (simulated vnic arrives in ${VNIC_SINCE})`);
  if (!/^pc-(i440fx|q35)-/.test(machine)) throw new BootError('device-refused', `vnic is a PCI device: machine '${machine}' is not a pc-i440fx/pc-q35 type`);
  const { impl = buildImpl, ...rest } = word.props;
  if (!(impl in VNIC_IMPLEMENTATIONS)) throw new BootError('bad-option', `vnic: impl must be one of ${Object.keys(VNIC_IMPLEMENTATIONS).join(', ')}, got '${impl}'`);
  const props: VnicProps = {};
  for (const [key, text] of Object.entries(rest)) {
    const n = Number(text);
    if (!/^\d+$/.test(text)) throw new BootError('bad-option', `vnic: ${key} takes a non-negative integer, got '${text}'`);
    (props as Record<string, number>)[key] = n;
  }
  let dev: VnicDevice;
  try {
    dev = createVnic(impl, props);
  } catch (e) {
    if (e instanceof VnicConfigError || e instanceof RangeError) throw new BootError('bad-option', e.message);
    throw e;
  }
  return {
    idstr: 'vnic',
    instanceId: 0,
    versionId: dev.vmsd.version_id,
    minimumVersionId: dev.vmsd.minimum_version_id,
    vmsdName: dev.vmsd.name,
    vmsd: dev.vmsd,
    state: dev.state,
    device: word.raw,
    vnic: dev,
  };
}

/**
 * The guest drives the device (rings, filter entries, queues, optional
 * data). States are never edited in place (snapshot caches by object), so
 * the section gets a fresh copy.
 */
export function exerciseVnicSection(s: VnicSection, seed: number): void {
  s.vnic.state = { ...s.state };
  exerciseVnic(s.vnic, seed);
  s.state = s.vnic.state;
}
