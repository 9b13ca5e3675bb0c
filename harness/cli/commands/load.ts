import type { RegisterCommand } from './index.js';
import { describeVerdict, loadIntoQemu } from '../../targets/index.js';
import { addMachineOptions, machineSpecFrom, requireOneTarget, type MachineOptions } from '../machine-options.js';
import { readStreamFile } from '../../io/stream-file.js';
import { loadInto } from '../../../src/vm.js';
import { simBootOptions, withBootErrors } from './sim-build.js';
import { createOutput } from '../output.js';

/**
 * `migcompat load`: feed a stream to a fresh destination. Exit 0 accepted,
 * 1 refused (or hung, or crashed: a finding), 2 when the harness could not
 * run the case.
 */
export const registerLoad: RegisterCommand = (program, setExit) => {
  addMachineOptions(program.command('load').description('load a stream into a fresh destination and report the verdict'))
    .argument('<in>', 'stream file (raw or gzipped)')
    .option('--timeout <ms>', 'classify as a hang after this many ms', '30000')
    .option('--json', 'machine-readable verdict on stdout')
    .action(async (input: string, opts: MachineOptions & { timeout: string; json?: boolean }) => {
      const target = requireOneTarget(opts);
      const spec = machineSpecFrom(opts);
      const out = createOutput(opts.json === true);
      const stream = readStreamFile(input);
      if (target.kind === 'build') {
        const t0 = performance.now();
        const r = withBootErrors(() => loadInto(target.version, spec.machine, simBootOptions(opts), stream));
        const durationMs = performance.now() - t0;
        const verdict = r.accepted ? { kind: 'accepted' as const } : { kind: 'refused' as const, code: r.error!.code, message: r.error!.message };
        out.result({ verdict, durationMs, log: r.warnings, ...(r.error ? { error: r.error.toJSON() } : {}) });
        process.stderr.write(describeVerdict(verdict) + '\n');
        setExit(r.accepted ? 0 : 1);
        return;
      }
      const outcome = await loadIntoQemu(target.path, spec, stream, { timeoutMs: Number(opts.timeout) });
      out.result(outcome);
      const line = describeVerdict(outcome.verdict);
      process.stderr.write(line + '\n');
      if (outcome.verdict.kind === 'refused') for (const l of outcome.log.slice(-5)) process.stderr.write(`  qemu: ${l}\n`);
      setExit(outcome.verdict.kind === 'accepted' ? 0 : outcome.verdict.kind === 'harness-error' ? 2 : 1);
    });
};
