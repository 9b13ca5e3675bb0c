import type { RegisterCommand } from './index.js';
import { catalogSummary, type BuildSummary } from '../../../src/builds/index.js';
import { boardsOf, modelledDevices } from '../../../src/vm.js';
import { createOutput } from '../output.js';

/** `migcompat builds`: the simulated builds, their machine types and devices. */
export const registerBuilds: RegisterCommand = (program, setExit) => {
  program
    .command('builds')
    .description('simulated QEMU builds, their machine types and devices')
    .option('--json', 'machine-readable output on stdout')
    .action((opts: { json?: boolean }) => {
      const out = createOutput(opts.json === true);
      const builds = catalogSummary().map((b) => ({ ...b, modelledDevices: modelledDevices(b.version), boards: boardsOf(b.version) }));
      out.result(builds);
      if (!out.json) for (const b of builds) out.say(describe(b));
      setExit(0);
    });
};

function describe(b: BuildSummary & { modelledDevices: string[]; boards: string[] }): string {
  const when = b.released ? ` (${b.released})` : '';
  const range = b.machines.length > 1 ? `${b.machines[0]} .. ${b.machines.at(-1)}` : (b.machines[0] ?? 'none');
  const def = b.defaultMachine ? `, default ${b.defaultMachine}` : '';
  return `${b.version.padEnd(6)}${when}: ${b.machines.length} machine types [${range}${def}]; -device ${b.modelledDevices.join(' ') || 'none'}; seed 001 boards ${b.boards.join(' ') || 'none'}`;
}
