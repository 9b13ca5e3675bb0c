import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVICE_VARIANTS, VARIANT_MACHINE } from '../../harness/targets/capture-corpus.js';
import { parseMachineHelp } from '../../harness/targets/qemu-info.js';
import { captureStream } from '../../harness/targets/qemu-target.js';
import type { MachineSpec } from '../../harness/targets/target.js';
import { instantiate } from '../../src/vm/instantiate.js';
import { saveVm } from '../../src/vm/save.js';
import { readCorpusStream, readManifest } from './corpus-files.js';
import { assertNoQemuLeft, describeQemu } from './qemu-env.js';
import { diffShapes, shapeOf, type StreamShape } from './stream-shape.js';

/**
 * Issue 3's fidelity target: for each machine type and device variant, the
 * simulated 7.2 build writes a stream of the same shape as real QEMU 7.2
 * (sections, instances, versions, body sizes, subsections, RAM blocks with
 * their used lengths) and holds RAM blocks with the same max_length as real
 * `info ramblock`. Against the committed corpus without QEMU, and against
 * live captures of every machine type when QEMU is installed.
 */

/** Machine types real 7.2 lists that the simulated catalog does not model (yet): run as `it.fails`. */
const NOT_MODELLED: Record<string, string> = {
  none: 'the empty machine (RAM block "ram", no devices)',
  'x-remote': 'the experimental multi-process remote machine',
};

interface Sim {
  shape: StreamShape;
  maxLengths: Array<{ idstr: string; max: number }>;
}

function simulate(spec: MachineSpec): Sim {
  const core = instantiate('7.2', spec.machine, { devices: spec.devices ?? [], ram: spec.ram ?? '32M' });
  // Captures come from a paused guest: one pass, as the simulated save does for a machine that never ran.
  const shape = shapeOf(saveVm(core, { passes: 1 }));
  const maxLengths = core.ram.blocks.filter((b) => b.migratable).map((b) => ({ idstr: b.idstr, max: b.maxLength }));
  return { shape, maxLengths };
}

function expectSameMachine(real: Uint8Array, realBlocks: ReadonlyArray<{ idstr: string; max: number }>, spec: MachineSpec): void {
  const sim = simulate(spec);
  expect(diffShapes(shapeOf(real), sim.shape)).toEqual([]);
  expect(sim.maxLengths).toEqual(realBlocks.map((b) => ({ idstr: b.idstr, max: b.max })));
}

describe('simulated 7.2 vs the committed real captures', () => {
  it.each(readManifest().streams.map((e) => [e.name, e] as const))('%s', (_n, e) => {
    expectSameMachine(readCorpusStream(e), e.ramBlocks, { machine: e.machine, devices: e.devices, ram: e.ram });
  });
});

describeQemu('simulated 7.2 vs live real QEMU, every machine type', (qemu) => {
  afterAll(() => {
    assertNoQemuLeft();
  });
  const machines = qemu ? parseMachineHelp(execFileSync(qemu, ['-machine', 'help'], { encoding: 'utf8' })) : [];
  const specs: Array<[string, MachineSpec]> = [
    ...machines.map((m): [string, MachineSpec] => [m.name, { machine: m.name }]),
    ...DEVICE_VARIANTS.map((v): [string, MachineSpec] => [`${VARIANT_MACHINE}+${v.name}`, { machine: VARIANT_MACHINE, devices: v.devices }]),
  ];
  describe.concurrent('each', () => {
    for (const [name, spec] of specs) {
      const run = NOT_MODELLED[name] ? it.fails : it;
      run(`${name}${NOT_MODELLED[name] ? ` (not modelled: ${NOT_MODELLED[name]})` : ''}`, async () => {
        const real = await captureStream(qemu, spec);
        expectSameMachine(real.stream, real.ramBlocks, spec);
      });
    }
  });
});
