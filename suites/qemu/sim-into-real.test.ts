import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVICE_VARIANTS, VARIANT_MACHINE } from '../../harness/targets/capture-corpus.js';
import { parseMachineHelp } from '../../harness/targets/qemu-info.js';
import { loadIntoQemu } from '../../harness/targets/qemu-target.js';
import type { MachineSpec } from '../../harness/targets/target.js';
import { runFirmware } from '../../src/vm/firmware.js';
import { instantiate } from '../../src/vm/instantiate.js';
import { saveVm } from '../../src/vm/save.js';
import { runWorkload } from '../../src/vm/workload.js';
import { assertNoQemuLeft, describeQemu } from './qemu-env.js';

/**
 * Issue 3's stretch goal, judged by the only judge that counts: real QEMU
 * 7.2 loads streams written by the simulated 7.2 build, for a machine that
 * never ran and for one that ran firmware and a seeded workload (several
 * dirty-page passes, device registers edited), machine type by machine type.
 */

const NOT_MODELLED = new Set(['none', 'x-remote']);

function simulatedStream(spec: MachineSpec, booted: boolean): Uint8Array {
  const core = instantiate('7.2', spec.machine, { devices: spec.devices ?? [], ram: spec.ram ?? '32M', seed: 7 });
  if (!booted) return saveVm(core, { passes: 1 });
  runFirmware(core);
  runWorkload(core, 2);
  return saveVm(core, { passes: 3 });
}

describeQemu('real QEMU 7.2 loads simulated 7.2 streams', (qemu) => {
  afterAll(() => {
    assertNoQemuLeft();
  });
  const machines = qemu ? parseMachineHelp(execFileSync(qemu, ['-machine', 'help'], { encoding: 'utf8' })).filter((m) => !NOT_MODELLED.has(m.name)) : [];
  const specs: Array<[string, MachineSpec]> = [
    ...machines.map((m): [string, MachineSpec] => [m.name, { machine: m.name }]),
    ...DEVICE_VARIANTS.map((v): [string, MachineSpec] => [`${VARIANT_MACHINE}+${v.name}`, { machine: VARIANT_MACHINE, devices: v.devices }]),
  ];
  describe.concurrent.each([
    ['never ran', false],
    ['booted with workload', true],
  ] as const)('%s', (_what, booted) => {
    it.each(specs)('%s', async (_n, spec) => {
      const r = await loadIntoQemu(qemu, spec, simulatedStream(spec, booted));
      expect(r.verdict, r.log.join('\n')).toEqual({ kind: 'accepted' });
    });
  });
}, { series: '7.2' });
