import { describe, expect, it } from 'vitest';
import { cellSeed, parseDeviceSet, planMatrix } from '../../../harness/matrix/plan.js';
import { selectBuilds, simulatedBuilds, qemuBuildFrom } from '../../../harness/matrix/builds.js';
import { getBuild, listBuilds, sharedMachines } from '../../../src/builds/index.js';
import { THREE_BUILDS } from './fixtures/sample.js';

describe('planMatrix', () => {
  it('plans, per machine, a control per build and forward/backward/round trip per pair', () => {
    const plan = planMatrix({ builds: THREE_BUILDS });
    // m1 is offered by 3 builds: 3 controls + 3 pairs x (forward, backward, round trip) = 12;
    // m2 by 2 builds: 2 controls + 1 pair x 3 = 5.
    expect(plan.cells).toHaveLength(17);
    const m2 = plan.cells.filter((c) => c.machine === 'm2').map((c) => c.id);
    expect(m2).toEqual(['m2:1.0>1.0', 'm2:1.0>2.0', 'm2:2.0>1.0', 'm2:1.0>2.0>1.0', 'm2:2.0>2.0']);
    expect(new Set(plan.cells.map((c) => c.id)).size).toBe(plan.cells.length);
  });

  it('forward only is old -> new plus controls, with no round trips', () => {
    const plan = planMatrix({ builds: THREE_BUILDS, direction: 'forward' });
    // m1: 3 controls + 3 forward; m2: 2 controls + 1 forward.
    expect(plan.cells).toHaveLength(9);
    for (const c of plan.cells.filter((x) => x.direction === 'forward')) expect(Number(c.from)).toBeLessThan(Number(c.to));
    expect(plan.cells.some((c) => c.direction === 'round-trip' || c.direction === 'backward')).toBe(false);
  });

  it('backward only is new -> old', () => {
    const plan = planMatrix({ builds: THREE_BUILDS, direction: 'backward', control: false });
    expect(plan.cells.map((c) => `${c.from}>${c.to}`).sort()).toEqual(['2.0>1.0', '2.0>1.0', '3.0>1.0', '3.0>2.0']);
  });

  it('each device set repeats the plan with its devices; machine globs filter', () => {
    const plan = planMatrix({ builds: THREE_BUILDS, deviceSets: [['e1000', 'vmgenid']], machines: ['m2'] });
    expect(plan.cells).toHaveLength(10);
    expect(plan.cells.filter((c) => c.devices.length === 2).map((c) => c.id)).toContain('m2:1.0>2.0+e1000+vmgenid');
    expect(planMatrix({ builds: THREE_BUILDS, machines: ['m*'] }).cells).toHaveLength(17);
    expect(planMatrix({ builds: THREE_BUILDS, machines: ['x*'] }).cells).toHaveLength(0);
  });

  it('seeds depend only on the run seed and the source guest (machine, from, devices)', () => {
    const a = planMatrix({ builds: THREE_BUILDS, seed: 7 });
    const b = planMatrix({ builds: [...THREE_BUILDS].reverse(), seed: 7 });
    expect(b.cells.map((c) => [c.id, c.seed])).toEqual(a.cells.map((c) => [c.id, c.seed]));
    expect(cellSeed(7, 'm1:1.0')).not.toBe(cellSeed(8, 'm1:1.0'));
    const seedOf = (id: string): number | undefined => a.cells.find((c) => c.id === id)?.seed;
    // Every cell leaving m1 on 1.0 migrates the same guest; another source build is another guest.
    expect(seedOf('m1:1.0>2.0')).toBe(cellSeed(7, 'm1:1.0'));
    expect(seedOf('m1:1.0>1.0')).toBe(cellSeed(7, 'm1:1.0'));
    expect(seedOf('m1:1.0>3.0>1.0')).toBe(cellSeed(7, 'm1:1.0'));
    expect(seedOf('m1:2.0>1.0')).toBe(cellSeed(7, 'm1:2.0'));
    expect(seedOf('m1:2.0>1.0')).not.toBe(seedOf('m1:1.0>2.0'));
    const withDevices = planMatrix({ builds: THREE_BUILDS, seed: 7, deviceSets: [['e1000']] }).cells.find((c) => c.id === 'm1:1.0>2.0+e1000');
    expect(withDevices?.seed).toBe(cellSeed(7, 'm1:1.0+e1000'));
  });

  it('on the catalog, a pair of builds gets exactly the cells of the machine types both offer', () => {
    const builds = selectBuilds(simulatedBuilds({ all: true }), '7.2,8.0').builds;
    const plan = planMatrix({ builds, control: false });
    // Every shared machine type, and every board without versioned machine types (seed 001's
    // aspeed, malta, ...) that both have, gives forward, backward and round trip; nothing else.
    const boardsOf = (v: string) => [...new Set(getBuild(v).boards.map((b) => b.board))];
    const sharedBoards = boardsOf('7.2').filter((b) => boardsOf('8.0').includes(b));
    expect(sharedBoards.length).toBeGreaterThan(0);
    expect(plan.cells).toHaveLength(3 * (sharedMachines('7.2', '8.0').length + sharedBoards.length));
    expect(plan.cells.map((c) => c.machine)).toContain('pc-q35-7.2');
    expect(plan.cells.map((c) => c.machine)).not.toContain('pc-q35-8.0');
  });
});

describe('parseDeviceSet', () => {
  it('keeps key=value parts with the device word before them', () => {
    expect(parseDeviceSet('e1000,vmgenid,guid=1234')).toEqual(['e1000', 'vmgenid,guid=1234']);
    expect(parseDeviceSet('e1000,romfile=,virtio-net-pci')).toEqual(['e1000,romfile=', 'virtio-net-pci']);
  });
});

describe('selectBuilds', () => {
  const all = simulatedBuilds({ all: true });
  it('takes lists and inclusive ranges of catalog versions', () => {
    expect(selectBuilds(all, '6.2,7.2,8.2').builds.map((b) => b.name)).toEqual(['6.2', '7.2', '8.2']);
    expect(selectBuilds(all, '2.4..3.0').builds.map((b) => b.name)).toEqual(['2.4', '2.6', '2.9', '2.12', '3.0']);
    expect(selectBuilds(all, '9.2..').builds.map((b) => b.name)).toEqual(['9.2', '10.0']);
    expect(selectBuilds(all, '..1.7').builds.map((b) => b.name)).toEqual(['1.7']);
    expect(selectBuilds(all, undefined).builds).toHaveLength(listBuilds().length);
  });
  it('reports names it does not know', () => {
    expect(selectBuilds(all, '7.2,9.9').unknown).toEqual(['9.9']);
  });
  it('a real binary maps onto the catalog release of its major.minor', () => {
    const b = qemuBuildFrom('/usr/bin/qemu-system-x86_64', '7.2.22', ['pc-q35-7.2'], listBuilds());
    expect(b).toMatchObject({ name: 'qemu-7.2.22', kind: 'qemu', catalogVersion: '7.2' });
    expect(qemuBuildFrom('/x', '8.0.1', [], listBuilds()).catalogVersion).toBe('8.0.1');
    expect(qemuBuildFrom('/x', '5.1.0', [], listBuilds()).catalogVersion).toBeUndefined();
  });
});
