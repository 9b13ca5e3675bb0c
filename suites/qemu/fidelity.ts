import { expect } from 'vitest';
import type { MachineSpec } from '../../harness/targets/target.js';
import { instantiate } from '../../src/vm/instantiate.js';
import { saveVm } from '../../src/vm/save.js';
import { diffShapes, shapeOf, type StreamShape } from './stream-shape.js';

/** Simulated 7.2 against a real 7.2 stream of the same configuration (issue 3's fidelity target). */

/** Machine types real 7.2 lists that the simulated catalog does not model (yet): run as `it.fails`. */
export const NOT_MODELLED: Record<string, string> = {
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

export function expectSameMachine(real: Uint8Array, realBlocks: ReadonlyArray<{ idstr: string; max: number }>, spec: MachineSpec): void {
  const sim = simulate(spec);
  expect(diffShapes(shapeOf(real), sim.shape)).toEqual([]);
  expect(sim.maxLengths).toEqual(realBlocks.map((b) => ({ idstr: b.idstr, max: b.max })));
}

