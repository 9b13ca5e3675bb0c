import type { RegisterCommand } from './index.js';
import { captureStream, QemuStartError } from '../../targets/index.js';
import { addMachineOptions, machineSpecFrom, requireOneTarget, type MachineOptions } from '../machine-options.js';
import { writeStreamFile } from '../../io/stream-file.js';
import { simulatedBuildUnavailable } from './simulated.js';
import { UsageError } from '../usage-error.js';

/** `migcompat save`: boot a machine paused, migrate it out, write the stream. */
export const registerSave: RegisterCommand = (program, setExit) => {
  addMachineOptions(program.command('save').description('write the migration stream of a freshly booted machine'))
    .option('--seed <n>', 'workload seed (simulated builds)')
    .requiredOption('-o, --out <file>', 'output stream file (gzipped when it ends in .gz)')
    .action(async (opts: MachineOptions & { out: string }) => {
      const target = requireOneTarget(opts);
      const spec = machineSpecFrom(opts);
      if (target.kind === 'build') simulatedBuildUnavailable('save');
      const result = await captureStream(target.path, spec).catch((e: Error) => {
        if (e instanceof QemuStartError) throw new UsageError(`QEMU could not start ${spec.machine}: ${e.message}`);
        throw e;
      });
      writeStreamFile(opts.out, result.stream);
      process.stderr.write(`saved ${result.stream.length} bytes from ${spec.machine} to ${opts.out} in ${result.durationMs} ms\n`);
      setExit(0);
    });
};
