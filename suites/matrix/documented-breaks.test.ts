/**
 * Each historical break the catalog documents (src/builds/expected-breaks.ts),
 * run as a matrix cell on the simulated builds where the simulator models
 * what the break needs, must come out as an expected break with its reason.
 * Where it does not (a machine type without a recorded layout, a device the
 * simulator does not model, a break that needs particular table sizes), the
 * case is skipped and says why, so the gap shows in every test run.
 */
import { describe, expect, it } from 'vitest';
import { EXPECTED_BREAKS, getBuild, listBuilds, modelledDevices, runMatrix, simulatedBuilds, type ExpectedBreak } from '../../harness/index.js';
import { expectedBreaks } from '../../src/builds/index.js';
import { simulatorModels } from '../../harness/matrix/builds.js';

interface Example {
  machine: string;
  from: string;
  to: string;
  devices: string[];
}

/**
 * The first catalog migration the break covers: a machine it names, builds on
 * each side that offer it; when the break needs a device, the first such
 * migration between builds that both have the device (pcie-root-port exists
 * from 2.9, so a 1.7 -> 4.0 example could only ever be skipped).
 */
function exampleOf(br: ExpectedBreak): Example | undefined {
  const devices = br.requires?.devices?.slice(0, 1) ?? [];
  const builds = listBuilds();
  let first: Example | undefined;
  for (const from of builds) {
    for (const to of builds) {
      if (from === to && br.sameBuild !== true) continue;
      const names = [...getBuild(from).machines.map((m) => m.name), ...getBuild(from).boards.map((b) => b.board)];
      for (const machine of names) {
        if (!expectedBreaks(from, to, machine).some((m) => m.break.id === br.id)) continue;
        const ex = { machine, from, to, devices };
        if (devices.every((d) => modelledDevices(from).includes(d) && modelledDevices(to).includes(d))) return ex;
        first ??= ex;
      }
    }
  }
  return first;
}

function whyNot(br: ExpectedBreak, ex: Example): string | undefined {
  if (!simulatorModels(ex.machine)) return `machine type ${ex.machine} is not modelled by the simulator`;
  const missing = ex.devices.filter((d) => !modelledDevices(ex.from).includes(d) || !modelledDevices(ex.to).includes(d));
  if (missing.length) return `device ${missing.join(', ')} is not modelled`;
  if (br.conditional !== undefined) return `conditional: ${br.conditional}`;
  return undefined;
}

describe('documented breaks show as expected breaks', () => {
  for (const br of EXPECTED_BREAKS) {
    const ex = exampleOf(br);
    it(`${br.id} has a catalog example`, () => {
      expect(ex).toBeDefined();
    });
    if (ex === undefined) continue;
    const reason = whyNot(br, ex);
    it.skipIf(reason !== undefined)(`${br.id}: ${ex.machine} ${ex.from} -> ${ex.to}${reason ? ` (skipped: ${reason})` : ''}`, async () => {
      const builds = simulatedBuilds().filter((b) => b.name === ex.from || b.name === ex.to);
      const result = await runMatrix({ builds, machines: [ex.machine], deviceSets: ex.devices.length ? [ex.devices] : [], workers: 1 });
      const cell = result.cells.find((c) => c.from === ex.from && c.to === ex.to && c.direction !== 'round-trip' && c.devices.length === ex.devices.length);
      expect(cell?.class).toBe('expected-break');
      expect(cell?.expected?.id).toBe(br.id);
    });
  }
});
