/**
 * The simulated seed 002 vnic as a -device of pc machine types. Outcomes
 * follow the thread as the versioned-device helper modelled it
 * (suites/unit/devices/versioned): version=1 expands to no parameters; an
 * enabled parameter the destination implementation lacks is refused; values
 * that differ are a mismatch; the same parameters are compatible whatever
 * versions produced them.
 */
import { describe, expect, it } from 'vitest';
import { boot, defaultVnicImpl, loadInto, snapshotDifferences, isBootError } from '../../../src/vm.js';

const M = 'pc-q35-7.2';

function migrate(from: string, to: string, src: string, dst = src) {
  const a = boot(from, M, { devices: [src], seed: 2 });
  const bytes = a.save();
  const r = loadInto(to, M, { devices: [dst] }, bytes);
  return { a, r, bytes };
}

describe('vnic -device (simulated, seed 002)', () => {
  it('builds ship vnic-1 in 5.2, vnic-2 from 6.0, vnic-3 from 8.0, none before 5.2', () => {
    expect(defaultVnicImpl('4.2')).toBeUndefined();
    expect(defaultVnicImpl('5.2')).toBe('vnic-1');
    expect(defaultVnicImpl('7.2')).toBe('vnic-2');
    expect(defaultVnicImpl('8.0')).toBe('vnic-3');
  });

  it('same build, same words: accepted and equal (filter state travels in vnic/rx-filter)', () => {
    const { a, r } = migrate('7.2', '7.2', 'vnic');
    expect(r.accepted).toBe(true);
    expect(snapshotDifferences(a.snapshot(), r.vm.snapshot())).toEqual([]);
    expect(a.snapshot().devices['vnic#0']).toMatchObject({ rx_filter_len: 18 }); // 3 entries x 6 bytes
  });

  it('newer implementation at version=2 -> older implementation at version=2: accepted (same parameters)', () => {
    const { a, r } = migrate('8.0', '7.2', 'vnic,version=2');
    expect(r.accepted).toBe(true);
    // optional tx-timestamps dropped by vnic-2: not guest state, so still equal
    expect(snapshotDifferences(a.snapshot(), r.vm.snapshot())).toEqual([]);
  });

  it('newest version on 8.0 -> 7.2: refused, queues unsupported by vnic-2', () => {
    const { r } = migrate('8.0', '7.2', 'vnic');
    expect(r.accepted).toBe(false);
    expect(r.error?.code).toBe('device.parameter-unsupported');
    expect(r.error?.message).toBe('vnic: the source device uses queues=4, destination implementation vnic-2 does not support queues');
  });

  it('vnic-2 at version=1 -> vnic-1: accepted; with rx-filter-size on: refused naming it', () => {
    expect(migrate('7.2', '7.2', 'vnic,impl=vnic-2,version=1', 'vnic,impl=vnic-1').r.accepted).toBe(true);
    const { r } = migrate('7.2', '7.2', 'vnic,impl=vnic-2,version=2', 'vnic,impl=vnic-1');
    expect(r.error?.code).toBe('device.parameter-unsupported');
    expect(r.error?.path).toBe('vnic/config/rx-filter-size');
  });

  it('a value mismatch points at the parameter table (the first byte of the vnic section body)', () => {
    const { r, bytes } = migrate('7.2', '7.2', 'vnic,rx-filter-size=16', 'vnic,rx-filter-size=32');
    expect(r.error?.code).toBe('device.parameter-mismatch');
    expect(r.error?.message).toBe('vnic: rx-filter-size is 16 on the source device and 32 on the destination device');
    const at = r.error!.offset;
    // count = 1 enabled parameter, then its NUL-padded name
    expect(bytes[at]).toBe(1);
    expect(new TextDecoder().decode(bytes.subarray(at + 1, at + 15))).toBe('rx-filter-size');
    // section header just before: idstr "vnic", instance 0, version 1
    expect(new TextDecoder().decode(bytes.subarray(at - 12, at - 8))).toBe('vnic');
  });

  it('refuses where QEMU would not start: before 5.2, on isapc, bad properties, two vnics', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
        return 'started';
      } catch (e) {
        return isBootError(e) ? e.code : 'other';
      }
    };
    expect(codeOf(() => boot('4.2', 'pc-q35-4.2', { devices: ['vnic'] }))).toBe('device-unavailable');
    expect(codeOf(() => boot('7.2', 'isapc', { devices: ['vnic'] }))).toBe('device-refused');
    expect(codeOf(() => boot('7.2', M, { devices: ['vnic,impl=vnic-9'] }))).toBe('bad-option');
    expect(codeOf(() => boot('7.2', M, { devices: ['vnic,impl=vnic-1,version=2'] }))).toBe('bad-option');
    expect(codeOf(() => boot('7.2', M, { devices: ['vnic,queues=2'] }))).toBe('bad-option'); // vnic-2 has no queues
    expect(codeOf(() => boot('7.2', M, { devices: ['vnic', 'vnic'] }))).toBe('device-refused');
  });
});
