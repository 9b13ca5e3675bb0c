/**
 * Each historical break the catalog documents (src/builds/expected-breaks.ts),
 * run as a matrix cell on the simulated builds where the simulator models
 * what the break needs, must come out as an expected break with its reason.
 * Where it does not (a machine type without a recorded layout, a device the
 * simulator does not model), the case is skipped and says why, so the gap
 * shows in every test run. A break that needs a configuration (-smp) runs
 * with the configuration its entry requires.
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

/**
 * Breaks left skipped on purpose, with the exact reason.
 *
 * q35 before 2.4: the simulator takes every machine type's section layout
 * from real QEMU 7.2 (recorded per machine type), and 7.2 has no pc-q35
 * before 2.4 (pc-q35-1.4 .. 2.3 were removed in 2.6, commit 86165b499edf).
 * Borrowing pc-q35-2.4's layout would invent what 1.7 .. 2.5 wrote for
 * those types; the blocked cells (ich9_ahci unmigratable before 2.4) would
 * then pass on any layout at all, and the 2.4/2.5 cells that do migrate
 * pc-q35-2.3 would compare a made-up layout with itself. Neither would be a
 * test that can fail for the right reason.
 */
const LEFT_OUT: Record<string, string> = {
  'q35-unmigratable-before-2.4': 'pc-q35 before 2.4 has no recorded layout: real QEMU 7.2, the layout source, no longer offers it (removed in 2.6)',
};

function whyNot(br: ExpectedBreak, ex: Example): string | undefined {
  const leftOut = LEFT_OUT[br.id];
  if (leftOut !== undefined) return leftOut;
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
      const smp = br.requires?.smp;
      const result = await runMatrix({ builds, machines: [ex.machine], deviceSets: ex.devices.length ? [ex.devices] : [], workers: 1, ...(smp ? { smp } : {}) });
      const cell = result.cells.find((c) => c.from === ex.from && c.to === ex.to && c.direction !== 'round-trip' && c.devices.length === ex.devices.length);
      expect(cell?.class).toBe('expected-break');
      expect(cell?.expected?.id).toBe(br.id);
      // The manifest of the example's own direction (the example may run b -> a): the destination's
      // own words, printf-style ones with the values filled in, followed by anything the loader adds.
      const manifest = expectedBreaks(ex.from, ex.to, ex.machine).find((m) => m.break.id === br.id)!.manifest;
      if (manifest.kind === 'refused' && manifest.message !== undefined) {
        expect(cell?.verdict.kind).toBe('refused');
        const pattern = manifest.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%x/g, '[0-9a-f]+').replace(/%s/g, '.+');
        expect(cell?.verdict.kind === 'refused' ? cell.verdict.message : '').toMatch(new RegExp(`^${pattern}`));
      }
    });
  }
});
