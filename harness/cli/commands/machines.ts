import type { RegisterCommand } from './index.js';
import { listMachines } from '../../targets/index.js';
import { createOutput } from '../output.js';
import { UsageError } from '../usage-error.js';

/** `migcompat machines --qemu PATH`: the machine types a real binary offers. */
export const registerMachines: RegisterCommand = (program, setExit) => {
  program
    .command('machines')
    .description('machine types a real QEMU binary offers')
    .option('--qemu <path>', 'qemu-system-x86_64 binary')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { qemu?: string; json?: boolean }) => {
      if (!opts.qemu) throw new UsageError('--qemu PATH is required');
      const out = createOutput(opts.json === true);
      const machines = await listMachines(opts.qemu).catch((e: Error) => {
        throw new UsageError(`cannot list machine types of ${opts.qemu}: ${e.message}`);
      });
      out.result(machines);
      if (!out.json) {
        for (const m of machines) {
          const alias = m.aliasOf ? ` (alias of ${m.aliasOf})` : '';
          const tags = [m.isDefault && 'default', m.deprecated && 'deprecated'].filter(Boolean).join(', ');
          out.say(`${m.name.padEnd(20)} ${m.description}${alias}${tags ? ` [${tags}]` : ''}`);
        }
      }
      setExit(0);
    });
};
