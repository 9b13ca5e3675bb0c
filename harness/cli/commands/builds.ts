import type { RegisterCommand } from './index.js';
import { catalogSummary, type BuildSummary } from '../../../src/builds/index.js';
import { boardsOf, defaultVnicImpl, modelledDevices } from '../../../src/vm.js';
import { createOutput } from '../output.js';

/** `migcompat builds`: the simulated builds, their machine types and devices. */
export const registerBuilds: RegisterCommand = (program, setExit) => {
  program
    .command('builds')
    .description('simulated QEMU builds, their machine types and devices')
    .option('--json', 'machine-readable output on stdout')
    .action((opts: { json?: boolean }) => {
      const out = createOutput(opts.json === true);
      const builds = catalogSummary().map((b) => ({ ...b, modelledDevices: modelledDevices(b.version), boards: boardsOf(b.version), simulatedDevices: simulatedDevices(b.version) }));
      out.result(builds);
      if (!out.json) for (const b of builds) out.say(describe(b));
      setExit(0);
    });
};

/** Devices of the simulator's own (not real QEMU): the seed 002 vnic and the implementation the build ships. */
function simulatedDevices(version: string): { driver: string; impl: string; seed: string }[] {
  const impl = defaultVnicImpl(version);
  return impl ? [{ driver: 'vnic', impl, seed: '002' }] : [];
}

function describe(b: BuildSummary & { modelledDevices: string[]; boards: string[]; simulatedDevices: { driver: string; impl: string }[] }): string {
  const when = b.released ? ` (${b.released})` : '';
  const range = b.machines.length > 1 ? `${b.machines[0]} .. ${b.machines.at(-1)}` : (b.machines[0] ?? 'none');
  const def = b.defaultMachine ? `, default ${b.defaultMachine}` : '';
  return `${b.version.padEnd(6)}${when}: ${b.machines.length} machine types [${range}${def}]; -device ${b.modelledDevices.join(' ') || 'none'}; simulated ${b.simulatedDevices.map((d) => `${d.driver}(${d.impl})`).join(' ') || 'none'}; seed 001 boards ${b.boards.join(' ') || 'none'}`;
}
