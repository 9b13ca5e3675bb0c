/**
 * A vnic device instance: an implementation, the parameters its version
 * expanded into (plus explicit overrides), its description and its state;
 * and a one-section stream to migrate it with src/migration.
 */
import { createRamList } from '../../memory/index.js';
import { buildStream, encodeStream, loadStream, type Destination, type LoadVerdict } from '../../migration/index.js';
import type { StateObject, VMStateDescription } from '../../vmstate/index.js';
import { getImplementation, type VnicImplementation } from './implementations.js';
import { VERSION_PARAMETERS, enabledParameters, parameterSpec, type ParameterName, type Parameters } from './parameters.js';
import { FILTER_ENTRY_BYTES, encodeConfig, padded, unpadded, OPTIONAL_TAG_BYTES, vnicVmsd } from './vmstate.js';

export interface VnicProps extends Parameters {
  /** -device vnic,version=N (default: the implementation's newest). */
  version?: number;
}

export interface VnicDevice {
  impl: VnicImplementation;
  /** The version it was instantiated with; only used to expand parameters. */
  version: number;
  params: Parameters;
  vmsd: VMStateDescription;
  state: StateObject;
}

/** Refused at instantiation, as QEMU refuses a bad -device option. */
export class VnicConfigError extends Error {
  override readonly name = 'VnicConfigError';
}

/**
 * Instantiates a device: "the version is expanded into configuration
 * parameters when the device is instantiated" by the device itself ("If it's
 * the device itself that expands that, then a version 2 device knows about
 * what it needs to do for version 1 compatibility").
 */
export function createVnic(implName: string, props: VnicProps = {}): VnicDevice {
  const impl = getImplementation(implName);
  const version = props.version ?? Math.max(...impl.versions);
  if (!impl.versions.includes(version)) throw new VnicConfigError(`vnic: ${impl.name} does not support version=${version}`);
  const params: Parameters = { ...VERSION_PARAMETERS[version] };
  for (const [name, value] of Object.entries(props)) {
    if (name === 'version' || value === undefined) continue;
    const spec = parameterSpec(name);
    if (!spec || !impl.parameters.includes(spec.name)) throw new VnicConfigError(`vnic: ${impl.name} has no parameter '${name}'`);
    if (!Number.isInteger(value) || value < 0 || value > spec.max) throw new VnicConfigError(`vnic: ${name}=${value} out of range 0..${spec.max}`);
    params[name as ParameterName] = value;
  }
  return { impl, version, params, vmsd: vnicVmsd(impl, params), state: initialState(params) };
}

function initialState(params: Parameters): StateObject {
  return {
    config: encodeConfig(enabledParameters(params)),
    mac: new Uint8Array([0x52, 0x54, 0, 0x12, 0x34, 0x56]),
    link_up: true,
    rx_head: 0,
    rx_tail: 0,
    opt_count: 0,
    optional: [],
    rx_filter_len: 0,
    rx_filter: new Uint8Array(0),
    queue_count: params.queues ?? 1,
    queue_heads: new Array<number>(params.queues ?? 1).fill(0),
  };
}

/**
 * A seeded guest: rings move, filter entries get programmed (when the
 * device has a filter), queues advance, and the implementation records the
 * optional data it knows (stats, tx-timestamps).
 */
export function exerciseVnic(dev: VnicDevice, seed: number): void {
  const s = dev.state;
  s['rx_head'] = (seed * 17) % 256;
  s['rx_tail'] = (seed * 17 + 5) % 256;
  const entries = dev.params['rx-filter-size'] ?? 0;
  const used = Math.min(entries, 3);
  const filter = new Uint8Array(used * FILTER_ENTRY_BYTES);
  for (let i = 0; i < filter.length; i++) filter[i] = (seed + i * 31) & 0xff;
  s['rx_filter_len'] = filter.length;
  s['rx_filter'] = filter;
  const queues = dev.params.queues ?? 1;
  s['queue_count'] = queues;
  // queue_heads travel only in the vnic/mq subsection (queues > 1); a single
  // queue's ring is rx_head/rx_tail, so its head stays at reset value.
  s['queue_heads'] = queues > 1 ? Array.from({ length: queues }, (_, q) => (seed * 3 + q * 11) % 4096) : [0];
  const optional = dev.impl.optionalTags.map((tag, i) => ({
    tag: padded(tag, OPTIONAL_TAG_BYTES),
    len: 8,
    data: new Uint8Array(8).fill((seed + i + 1) & 0xff),
  }));
  s['optional'] = optional;
  s['opt_count'] = optional.length;
}

/** The tags of the optional data a state holds. */
export function optionalTags(state: StateObject): string[] {
  return ((state['optional'] as StateObject[] | undefined) ?? []).map((o) => unpadded(o['tag'] as Uint8Array));
}

const MACHINE = 'vnic-test';

/** A stream holding the device's one section (idstr "vnic", instance 0). */
export function saveVnic(dev: VnicDevice): Uint8Array {
  return encodeStream(
    buildStream({
      configuration: MACHINE,
      footers: true,
      vmdesc: true,
      devices: [{ sectionId: 0, idstr: 'vnic', instanceId: 0, vmsd: dev.vmsd, state: dev.state }],
    }),
  );
}

/** Loads a saveVnic stream into `dev`; its state is replaced only when accepted. */
export function loadVnic(dev: VnicDevice, bytes: Uint8Array): LoadVerdict {
  const dest: Destination = {
    machine: MACHINE,
    sendConfiguration: true,
    sendSectionFooter: true,
    sections: [{ idstr: 'vnic', instanceId: 0, versionId: 1, minimumVersionId: 1, vmsd: dev.vmsd, vmsdName: 'vnic', state: dev.state }],
    ram: createRamList([]),
  };
  const verdict = loadStream(bytes, dest);
  if (verdict.accepted) {
    const loaded = verdict.states.get('vnic#0');
    if (loaded) dev.state = loaded;
  }
  return verdict;
}
