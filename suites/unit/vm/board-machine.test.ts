/**
 * Seed 001 boards as machines of src/vm (and so of SimTarget and the CLI).
 * Expected outcomes follow the boards helper's reasoning (suites/unit/devices/
 * boards): RAM_MIGRATABLE arrives in 3.0 (catalog); a 3.0 destination refuses a
 * block it did not register ("block %s should not be migrated !", migration/
 * ram.c); a 3.0 source skips it, so a 2.12 destination keeps its own copy.
 */
import { describe, expect, it } from 'vitest';
import { boardsOf, boot, incoming, loadInto, parseBoardMachine, snapshotDifferences, isBootError } from '../../../src/vm.js';
import { SimTarget } from '../../../harness/targets/sim-target.js';

function migrate(from: string, to: string, machine: string) {
  const src = boot(from, machine, { seed: 4 });
  const r = loadInto(to, machine, {}, src.save());
  return { src, r };
}

describe('seed 001 boards in src/vm', () => {
  it('boardsOf lists the thread\'s boards for every catalog build, nothing for an unknown one', () => {
    expect(boardsOf('7.2').sort()).toEqual(['aspeed', 'boston', 'highbank', 'magnum', 'malta']);
    expect(boardsOf('no-such-build')).toEqual([]);
  });

  it('parses the fix as a machine property, refuses others', () => {
    expect(parseBoardMachine('highbank')).toEqual({ board: 'highbank', registered: false });
    expect(parseBoardMachine('malta,x-register-ram=on')).toEqual({ board: 'malta', registered: true });
    expect(parseBoardMachine('pc-q35-7.2')).toBeUndefined();
    expect(() => parseBoardMachine('malta,foo=1')).toThrow(/no property 'foo'/);
    expect(() => parseBoardMachine('malta,x-register-ram=yes')).toThrow(/on or off/);
  });

  it('2.12 -> 3.0 is refused with ram.block-not-migratable and the destination is left as it was', () => {
    const dst = incoming('3.0', 'highbank');
    const before = dst.snapshot();
    const r = dst.load(boot('2.12', 'highbank').save());
    expect(r.accepted).toBe(false);
    expect(r.error?.code).toBe('ram.block-not-migratable');
    expect(r.error?.message).toBe('block highbank.sysram should not be migrated !');
    expect(dst.snapshot()).toEqual(before);
  });

  it('3.0 -> 2.12 is accepted but differs exactly on the unregistered block', () => {
    const { src, r } = migrate('3.0', '2.12', 'highbank');
    expect(r.accepted).toBe(true);
    const diff = snapshotDifferences(src.snapshot(), r.vm.snapshot());
    const sysram = r.vm.snapshot().ram.findIndex((b) => b.idstr === 'highbank.sysram');
    expect(sysram).toBeGreaterThanOrEqual(0);
    expect(diff.length).toBeGreaterThan(0);
    // every difference is in highbank.sysram: main RAM arrived
    for (const d of diff) expect(d.startsWith(`ram.${sysram}.`)).toBe(true);
  });

  it('same build is equal on both sides of the flag (3.0 does not migrate the block on either side)', () => {
    for (const v of ['2.12', '3.0']) {
      const { src, r } = migrate(v, v, 'malta');
      expect(r.accepted).toBe(true);
      expect(snapshotDifferences(src.snapshot(), r.vm.snapshot())).toEqual([]);
    }
  });

  it('with x-register-ram=on the board migrates across the flag both ways', () => {
    for (const [from, to] of [['2.12', '3.0'], ['3.0', '2.12']] as const) {
      const { src, r } = migrate(from, to, 'boston,x-register-ram=on');
      expect(r.accepted).toBe(true);
      expect(snapshotDifferences(src.snapshot(), r.vm.snapshot())).toEqual([]);
    }
  });

  it('boards take no -device and unknown builds are boot errors', () => {
    expect(() => boot('7.2', 'highbank', { devices: ['e1000'] })).toThrow(/without devices/);
    try {
      boot('0.1', 'highbank');
      expect.unreachable();
    } catch (e) {
      expect(isBootError(e) && e.code).toBe('unknown-build');
    }
  });

  it('SimTarget drives boards like any machine', async () => {
    const saved = await new SimTarget('2.12').save({ machine: 'aspeed' });
    if (!saved.ok) throw new Error('save failed');
    const loaded = await new SimTarget('3.0').load({ machine: 'aspeed' }, saved.stream);
    expect(loaded.verdict).toMatchObject({ kind: 'refused', code: 'ram.block-not-migratable' });
  });
});
