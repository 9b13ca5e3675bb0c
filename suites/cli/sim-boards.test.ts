/**
 * Seed 001 boards and the seed 002 vnic through the built `migcompat`, as a
 * user runs it. Outcomes argued in suites/unit/vm/board-machine.test.ts and
 * suites/unit/vm/vnic-device.test.ts (from the seeds and migration/ram.c).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('migcompat migrate on seed 001 boards', () => {
  it('2.12 -> 3.0 highbank: exit 1, refused: ram.block-not-migratable, a documented break', async () => {
    const r = await runCli(['migrate', '--from', '2.12', '--to', '3.0', '--machine', 'highbank']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('refused: ram.block-not-migratable: block highbank.sysram should not be migrated !');
    expect(r.stderr).toContain('expected break: ram-migratable-unregistered-boards');
  });

  it('3.0 -> 2.12 highbank: exit 1 with a state diff naming the lost block', async () => {
    const r = await runCli(['migrate', '--from', '3.0', '--to', '2.12', '--machine', 'highbank']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/guest-visible state differs: ram\.\d+\(highbank\.sysram\)/);
    expect(r.stdout).toContain('"idstr": "highbank.sysram"');
    // the catalog documents this as a state-difference break of the pair
    expect(r.stderr).toContain('expected break: ram-migratable-unregistered-boards');
  });

  it('same build: exit 0 on both sides of the flag', async () => {
    for (const v of ['2.12', '3.0']) {
      const r = await runCli(['migrate', '--from', v, '--to', v, '--machine', 'highbank']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('guest-visible state equal');
    }
  });

  it('the fixed board (x-register-ram=on) migrates 2.12 -> 3.0', async () => {
    const r = await runCli(['migrate', '--from', '2.12', '--to', '3.0', '--machine', 'malta,x-register-ram=on']);
    expect(r.exitCode).toBe(0);
  });

  it('builds --json lists the boards and the simulated vnic per build', async () => {
    const r = await runCli(['builds', '--json']);
    expect(r.exitCode).toBe(0);
    const builds = JSON.parse(r.stdout) as { version: string; boards: string[]; simulatedDevices: { driver: string; impl: string }[] }[];
    const b30 = builds.find((b) => b.version === '3.0')!;
    expect([...b30.boards].sort()).toEqual(['aspeed', 'boston', 'highbank', 'magnum', 'malta']);
    expect(b30.simulatedDevices).toEqual([]);
    expect(builds.find((b) => b.version === '7.2')!.simulatedDevices).toEqual([{ driver: 'vnic', impl: 'vnic-2', seed: '002' }]);
  });
});

describe('migcompat migrate with the simulated vnic', () => {
  const base = ['migrate', '--machine', 'pc-q35-7.2'];

  it('7.2 -> 7.2 --device vnic: exit 0', async () => {
    const r = await runCli([...base, '--from', '7.2', '--to', '7.2', '--device', 'vnic']);
    expect(r.exitCode).toBe(0);
  });

  it('backward 8.0 -> 7.2 at version=2: exit 0; at the newest version: refused, queues unsupported', async () => {
    expect((await runCli([...base, '--from', '8.0', '--to', '7.2', '--device', 'vnic,version=2'])).exitCode).toBe(0);
    const r = await runCli([...base, '--from', '8.0', '--to', '7.2', '--device', 'vnic']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('refused: device.parameter-unsupported: vnic: the source device uses queues=4, destination implementation vnic-2 does not support queues');
    // the pair's documented PCIe break (a state difference) does not explain a vnic refusal
    expect(r.stderr).not.toContain('expected break:');
  });

  it('--to-device: vnic-2 at version=1 into vnic-1 is accepted, at version=2 refused', async () => {
    const ok = await runCli([...base, '--from', '7.2', '--to', '7.2', '--device', 'vnic,impl=vnic-2,version=1', '--to-device', 'vnic,impl=vnic-1']);
    expect(ok.exitCode).toBe(0);
    const no = await runCli([...base, '--json', '--from', '7.2', '--to', '7.2', '--device', 'vnic,impl=vnic-2,version=2', '--to-device', 'vnic,impl=vnic-1']);
    expect(no.exitCode).toBe(1);
    const j = JSON.parse(no.stdout) as { toDevices: string[]; verdict: { code: string; path: string } };
    expect(j.toDevices).toEqual(['vnic,impl=vnic-1']);
    expect(j.verdict).toMatchObject({ code: 'device.parameter-unsupported', path: 'vnic/config/rx-filter-size' });
  });

  it('forward 5.2 -> 7.2: the default versions differ (mismatch), version=1 on both sides works', async () => {
    const m = ['migrate', '--machine', 'pc-i440fx-5.2', '--from', '5.2', '--to', '7.2'];
    const r = await runCli([...m, '--device', 'vnic']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('device.parameter-mismatch: vnic: rx-filter-size is 0 on the source device and 32 on the destination device');
    expect((await runCli([...m, '--device', 'vnic,version=1'])).exitCode).toBe(0);
  });

  it('a build without vnic is a usage error (exit 2)', async () => {
    const r = await runCli([...base.slice(0, 1), '--machine', 'pc-q35-4.2', '--from', '4.2', '--to', '4.2', '--device', 'vnic']);
    expect(r.exitCode).toBe(2);
  });
});
