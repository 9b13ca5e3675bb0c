import type { RegisterCommand } from './index.js';
import { captureStream, QemuStartError } from '../../targets/index.js';
import { addMachineOptions, machineSpecFrom, requireOneTarget, type MachineOptions } from '../machine-options.js';
import { writeStreamFile } from '../../io/stream-file.js';
import { boot } from '../../../src/vm.js';
import { blockedLine, simBootOptions, withBootErrors } from './sim-build.js';
import { UsageError } from '../usage-error.js';

/** `migcompat save`: boot a machine paused, migrate it out, write the stream. */
export const registerSave: RegisterCommand = (program, setExit) => {
  addMachineOptions(program.command('save').description('write the migration stream of a freshly booted machine'))
    .option('--seed <n>', 'workload seed (simulated builds)')
    .requiredOption('-o, --out <file>', 'output stream file (gzipped when it ends in .gz)')
    .action(async (opts: MachineOptions & { out: string }) => {
      const target = requireOneTarget(opts);
      const spec = machineSpecFrom(opts);
      if (target.kind === 'build') {
        saveSimulated(target.version, opts, setExit);
        return;
      }
      const result = await captureStream(target.path, spec).catch((e: Error) => {
        if (e instanceof QemuStartError) throw new UsageError(`QEMU could not start ${spec.machine}: ${e.message}`);
        throw e;
      });
      writeStreamFile(opts.out, result.stream);
      process.stderr.write(`saved ${result.stream.length} bytes from ${spec.machine} to ${opts.out} in ${result.durationMs} ms\n`);
      setExit(0);
    });
};

/** --build: boot the simulated machine (firmware, seeded workload) and migrate it out. */
function saveSimulated(build: string, opts: MachineOptions & { out: string }, setExit: (code: number) => void): void {
  const spec = machineSpecFrom(opts);
  const t0 = performance.now();
  const vm = withBootErrors(() => boot(build, spec.machine, simBootOptions(opts)));
  let stream: Uint8Array;
  try {
    stream = vm.save();
  } catch (e) {
    const line = blockedLine(e);
    if (!line) throw e;
    process.stderr.write(line + '\n');
    setExit(1);
    return;
  }
  writeStreamFile(opts.out, stream);
  process.stderr.write(`saved ${stream.length} bytes from sim:${build} ${vm.machine} to ${opts.out} in ${Math.round(performance.now() - t0)} ms\n`);
  setExit(0);
}
