// deviceAvailability('7.2', ...) against the installed QEMU 7.2: vmgenid is
// refused exactly on the machine types whose fw_cfg has no DMA.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deviceAvailability } from '../../../src/builds/index.js';

function qemu72(): boolean {
  const r = spawnSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /version 7\.2\./.test(r.stdout);
}

function startsWith(machine: string, device: string): { ok: boolean; stderr: string } {
  const r = spawnSync(
    'qemu-system-x86_64',
    ['-machine', machine, '-accel', 'tcg', '-nodefaults', '-display', 'none', '-S', '-monitor', 'stdio', '-device', device],
    { input: 'quit\n', encoding: 'utf8', timeout: 20_000 },
  );
  return { ok: r.status === 0, stderr: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!qemu72())('deviceAvailability agrees with real QEMU 7.2', () => {
  for (const machine of ['pc-i440fx-2.4', 'pc-q35-2.4', 'pc-i440fx-2.5', 'pc-q35-7.2']) {
    it(`vmgenid on ${machine}`, () => {
      const real = startsWith(machine, 'vmgenid');
      const sim = deviceAvailability('7.2', machine, 'vmgenid');
      expect(sim.status === 'available', real.stderr).toBe(real.ok);
      if (!real.ok) expect(real.stderr).toContain('vmgenid requires DMA write support in fw_cfg');
    });
  }
});
