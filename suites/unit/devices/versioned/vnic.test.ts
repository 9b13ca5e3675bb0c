// Seed 002 (qemu-devel "VFIO Migration", Nov 2020): versions expand into parameters.
import { describe, expect, it } from 'vitest';
import {
  VnicConfigError,
  compatible,
  createVnic,
  exerciseVnic,
  getImplementation,
  loadVnic,
  optionalTags,
  saveVnic,
  type VnicDevice,
} from '../../../../src/devices/versioned/index.js';

function migrate(src: VnicDevice, dst: VnicDevice) {
  const before = dst.state;
  const verdict = loadVnic(dst, saveVnic(src));
  return { verdict, before };
}

function source(impl: string, props: Parameters<typeof createVnic>[1] = {}, seed = 7): VnicDevice {
  const d = createVnic(impl, props);
  exerciseVnic(d, seed);
  return d;
}

describe('version expansion', () => {
  it('version=1 expands to no parameters at all, so a version-1-only implementation can instantiate it', () => {
    // "It must to be empty, otherwise an older device implementation that only supports version=1 cannot instantiate the device."
    expect(createVnic('vnic-3', { version: 1 }).params).toEqual({});
    expect(createVnic('vnic-1', { version: 1 }).params).toEqual({});
  });

  it('version=2 is rx-filter-size=32 (the thread\'s example)', () => {
    expect(createVnic('vnic-2', { version: 2 }).params).toEqual({ 'rx-filter-size': 32 });
  });

  it('an implementation refuses versions and parameters it does not have', () => {
    expect(() => createVnic('vnic-1', { version: 2 })).toThrow(VnicConfigError);
    expect(() => createVnic('vnic-1', { 'rx-filter-size': 8 })).toThrow(/has no parameter 'rx-filter-size'/);
  });
});

describe('compatible(src, dst): decided from parameters, not versions', () => {
  it('the same parameters reached by different versions/overrides are compatible', () => {
    // version=1 with rx-filter-size=32 explicitly is version=2's configuration
    const a = createVnic('vnic-3', { version: 1, 'rx-filter-size': 32 });
    const b = createVnic('vnic-2', { version: 2 });
    expect(compatible(a.params, b)).toEqual({ ok: true });
  });

  it('a parameter at its disabled default is compatible with an implementation that never heard of it', () => {
    expect(compatible({ 'rx-filter-size': 0, queues: 1 }, createVnic('vnic-1'))).toEqual({ ok: true });
  });

  it('an enabled parameter the destination lacks is refused naming it and both sides', () => {
    const v = compatible({ 'rx-filter-size': 32 }, createVnic('vnic-1'));
    expect(v).toMatchObject({ ok: false, code: 'device.parameter-unsupported', parameter: 'rx-filter-size' });
  });

  it('different values are a mismatch', () => {
    const v = compatible({ 'rx-filter-size': 16 }, createVnic('vnic-2'));
    expect(v).toMatchObject({ ok: false, code: 'device.parameter-mismatch', parameter: 'rx-filter-size' });
  });
});

describe('migration forward and back', () => {
  it('v1 implementation -> v2 implementation instantiated with version=1: accepted, runs at version 1 level', () => {
    // "The new device is instantiated with version=1, which disables rx-filter-size and is capable of loading the version=1 device state."
    const src = source('vnic-1');
    const dst = createVnic('vnic-2', { version: 1 });
    const { verdict } = migrate(src, dst);
    expect(verdict.accepted).toBe(true);
    expect(dst.state['rx_head']).toBe(src.state['rx_head']);
    expect(dst.state['mac']).toEqual(src.state['mac']);
  });

  it('v2 source with rx-filter-size on -> v1 destination: refused with the parameter named', () => {
    // "If the destination doesn't support the new parameter then migration will be refused."
    const src = source('vnic-2', { version: 2 });
    const dst = createVnic('vnic-1');
    const { verdict, before } = migrate(src, dst);
    expect(verdict.accepted).toBe(false);
    if (verdict.accepted) return;
    expect(verdict.error.code).toBe('device.parameter-unsupported');
    expect(verdict.error.message).toBe(
      'vnic: the source device uses rx-filter-size=32, destination implementation vnic-1 does not support rx-filter-size',
    );
    expect(verdict.error.path).toBe('vnic/config/rx-filter-size');
    // the refusal points at the parameter table: the section body's first byte is its count (1 parameter)
    const bytes = saveVnic(src);
    expect(bytes[verdict.error.offset]).toBe(1);
    expect(new TextDecoder().decode(bytes.subarray(verdict.error.offset + 1, verdict.error.offset + 15))).toBe('rx-filter-size');
    expect(dst.state).toBe(before); // nothing committed
  });

  it('v2 source instantiated with version=1 -> v1 destination: accepted', () => {
    // "the device can only be migrated when instantiated with version=1 or the equivalent full configuration parameters"
    const src = source('vnic-2', { version: 1 });
    const dst = createVnic('vnic-1');
    const { verdict } = migrate(src, dst);
    expect(verdict.accepted).toBe(true);
    expect(dst.state['rx_tail']).toBe(src.state['rx_tail']);
  });

  it('v2 source -> v2 destination carries the filter (mandatory state gated by the parameter)', () => {
    const src = source('vnic-2', { version: 2 });
    const dst = createVnic('vnic-3', { version: 2 });
    expect(migrate(src, dst).verdict.accepted).toBe(true);
    expect(dst.state['rx_filter']).toEqual(src.state['rx_filter']);
    expect((dst.state['rx_filter'] as Uint8Array).length).toBe(3 * 6);
  });

  it('a destination configured with another value refuses with a mismatch', () => {
    const src = source('vnic-3', { version: 3 });
    const dst = createVnic('vnic-3', { version: 3, queues: 2 });
    const { verdict } = migrate(src, dst);
    expect(verdict.accepted).toBe(false);
    if (!verdict.accepted) {
      expect(verdict.error.code).toBe('device.parameter-mismatch');
      expect(verdict.error.message).toBe('vnic: queues is 4 on the source device and 2 on the destination device');
    }
  });

  it('a newer destination running a newer version than the source is refused too (the guest would see a new interface)', () => {
    const src = source('vnic-1');
    const dst = createVnic('vnic-2', { version: 2 });
    const { verdict } = migrate(src, dst);
    expect(verdict.accepted).toBe(false);
    if (!verdict.accepted) expect(verdict.error.code).toBe('device.parameter-mismatch');
  });

  it('optional data the destination does not know is dropped, not refused', () => {
    // "Since it just gets dropped if the destination doesn't recognize it there is no need to introduce a configuration parameter"
    const src = source('vnic-3', { version: 1 });
    expect(optionalTags(src.state)).toEqual(['stats', 'tx-timestamps']);
    const v2 = createVnic('vnic-2', { version: 1 });
    expect(migrate(src, v2).verdict.accepted).toBe(true);
    expect(optionalTags(v2.state)).toEqual(['stats']);
    const v1 = createVnic('vnic-1');
    expect(migrate(src, v1).verdict.accepted).toBe(true);
    expect(optionalTags(v1.state)).toEqual([]);
    expect(v1.state['opt_count']).toBe(0);
  });

  it('a destination that dropped optional data migrates back cleanly', () => {
    const src = source('vnic-3', { version: 1 });
    const mid = createVnic('vnic-1');
    expect(migrate(src, mid).verdict.accepted).toBe(true);
    const back = createVnic('vnic-3', { version: 1 });
    expect(migrate(mid, back).verdict.accepted).toBe(true);
    expect(back.state['rx_head']).toBe(src.state['rx_head']);
    expect(optionalTags(back.state)).toEqual([]);
  });

  it('implementations are data', () => {
    expect(getImplementation('vnic-3').versions).toEqual([1, 2, 3]);
  });
});
