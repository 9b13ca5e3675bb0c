/**
 * vnic's VMState. The section stays at version_id 1 on every
 * implementation: in seed 002's model new state does not bump a version,
 * it comes with a parameter ("Each change to device state must have a
 * corresponding device configuration parameter that allows the change to
 * be toggled"), here a subsection sent only when its parameter is enabled.
 *
 * The configuration travels first, in the main fields, so the destination
 * decides compatibility from parameters before it reads any state they
 * gate. Optional data ("a way to send optional data that the destination
 * can drop") is a tagged list in the main fields that every
 * implementation can parse and that drops tags it does not know; QEMU's
 * subsections cannot be dropped (an unknown one fails the load), which is
 * exactly the mandatory case.
 */
import type { HookRefusal, StateObject, VMStateDescription, VMStateField } from '../../vmstate/index.js';
import { compatible } from './compatible.js';
import type { VnicImplementation } from './implementations.js';
import { effective, parameterSpec, type Parameters } from './parameters.js';

export const PARAM_NAME_BYTES = 24;
export const OPTIONAL_TAG_BYTES = 16;
export const MAX_PARAMS = 16;
export const MAX_OPTIONAL = 8;
export const MAX_OPTIONAL_BYTES = 64;
export const FILTER_ENTRY_BYTES = 6;

const paramEntry: VMStateDescription = {
  name: 'vnic/param',
  version_id: 1,
  minimum_version_id: 1,
  fields: [
    { name: 'name', kind: 'buffer', size: PARAM_NAME_BYTES },
    { name: 'value', kind: 'int', type: 'uint32' },
  ],
};

const optionalEntry: VMStateDescription = {
  name: 'vnic/optional',
  version_id: 1,
  minimum_version_id: 1,
  fields: [
    { name: 'tag', kind: 'buffer', size: OPTIONAL_TAG_BYTES },
    { name: 'len', kind: 'int', type: 'uint8' },
    { name: 'data', kind: 'vbuffer', sizeField: 'len', max: MAX_OPTIONAL_BYTES },
  ],
};

/** The description of one device: its subsections and checks depend on its implementation and parameters. */
export function vnicVmsd(impl: VnicImplementation, params: Parameters): VMStateDescription {
  const config: VMStateDescription = {
    name: 'vnic/config',
    version_id: 1,
    minimum_version_id: 1,
    fields: [
      { name: 'count', kind: 'int', type: 'uint8' },
      { name: 'params', kind: 'varray', of: { kind: 'struct', vmsd: paramEntry }, countField: 'count', max: MAX_PARAMS },
    ],
    // Runs right after the parameter table, before any state they gate.
    post_load: (state) => configurationRefusal(state, impl, params),
  };
  const fields: VMStateField[] = [
    { name: 'config', kind: 'struct', vmsd: config },
    { name: 'mac', kind: 'buffer', size: 6 },
    { name: 'link_up', kind: 'bool' },
    { name: 'rx_head', kind: 'int', type: 'uint32' },
    { name: 'rx_tail', kind: 'int', type: 'uint32' },
    { name: 'opt_count', kind: 'int', type: 'uint8' },
    { name: 'optional', kind: 'varray', of: { kind: 'struct', vmsd: optionalEntry }, countField: 'opt_count', max: MAX_OPTIONAL },
  ];
  const subsections: VMStateDescription[] = [];
  if (impl.parameters.includes('rx-filter-size')) {
    const entries = effective(params, 'rx-filter-size');
    subsections.push({
      name: 'vnic/rx-filter',
      version_id: 1,
      minimum_version_id: 1,
      needed: () => entries > 0,
      fields: [
        { name: 'rx_filter_len', kind: 'int', type: 'uint16' },
        { name: 'rx_filter', kind: 'vbuffer', sizeField: 'rx_filter_len', max: entries * FILTER_ENTRY_BYTES },
      ],
    });
  }
  if (impl.parameters.includes('queues')) {
    const queues = effective(params, 'queues');
    subsections.push({
      name: 'vnic/mq',
      version_id: 1,
      minimum_version_id: 1,
      needed: () => queues > 1,
      fields: [
        { name: 'queue_count', kind: 'int', type: 'uint8' },
        { name: 'queue_heads', kind: 'varray', of: { kind: 'int', type: 'uint32' }, countField: 'queue_count', max: queues },
      ],
    });
  }
  return {
    name: 'vnic',
    version_id: 1,
    minimum_version_id: 1,
    fields,
    subsections,
    post_load: (state) => dropUnknownOptional(state, impl),
  };
}

/** The parameter table a device sends: its enabled parameters, NUL-padded names. */
export function encodeConfig(params: [string, number][]): StateObject {
  return {
    count: params.length,
    params: params.map(([name, value]) => ({ name: padded(name, PARAM_NAME_BYTES), value })),
  };
}

/** Parameters named in a loaded table; unknown names are kept (the check reports them). */
export function decodeConfig(config: StateObject): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of (config['params'] as StateObject[] | undefined) ?? []) out[unpadded(p['name'] as Uint8Array)] = p['value'] as number;
  return out;
}

/**
 * Refuses with the thread's reason and a device.* code, pointing at the
 * parameter table (offset 0 from its first byte: the walker reports the
 * stream offset), under the table's path or the parameter's below it.
 */
function configurationRefusal(state: StateObject, impl: VnicImplementation, local: Parameters): HookRefusal | undefined {
  const incoming = decodeConfig(state);
  const unknown = Object.keys(incoming).find((n) => parameterSpec(n) === undefined);
  if (unknown !== undefined) {
    return {
      code: 'device.parameter-unsupported',
      message: `vnic: the source device uses ${unknown}=${incoming[unknown]}, destination implementation ${impl.name} does not support ${unknown}`,
      offset: 0,
    };
  }
  const verdict = compatible(incoming as Parameters, { impl, params: local });
  return verdict.ok ? undefined : { code: verdict.code, message: verdict.message, field: verdict.parameter, offset: 0 };
}

/** "Since it just gets dropped if the destination doesn't recognize it there is no need to introduce a configuration parameter." */
function dropUnknownOptional(state: StateObject, impl: VnicImplementation): void {
  const kept = ((state['optional'] as StateObject[] | undefined) ?? []).filter((o) =>
    impl.optionalTags.includes(unpadded(o['tag'] as Uint8Array)),
  );
  state['optional'] = kept;
  state['opt_count'] = kept.length;
}

export function padded(text: string, size: number): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length >= size) throw new RangeError(`'${text}' does not fit ${size} bytes`);
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

export function unpadded(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}
