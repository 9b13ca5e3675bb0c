import type { RegisterCommand } from './index.js';
import { createTwoFilesPatch } from 'diff';
import { expectedBreaks, type BreakManifest, type MatchedBreak } from '../../../src/builds/index.js';
import { boot, loadInto, snapshotDifferences, snapshotText, type VmSnapshot } from '../../../src/vm.js';
import { addMachineOptions, machineSpecFrom, type MachineOptions } from '../machine-options.js';
import { blockedLine, simBootOptions, withBootErrors } from './sim-build.js';
import { createOutput } from '../output.js';
import { UsageError } from '../usage-error.js';

/**
 * `migcompat migrate --from V1 --to V2 --machine M`: one migration between
 * simulated builds. Exit 0 when the destination accepted the stream and
 * holds the same guest-visible state; 1 when it refused, the migration was
 * blocked, or the state differs (the diff is printed); 2 usage.
 */
export const registerMigrate: RegisterCommand = (program, setExit) => {
  addMachineOptions(program.command('migrate').description('migrate a booted machine from one simulated build to another and compare guest-visible state'), { target: false })
    .requiredOption('--from <version>', 'source build')
    .requiredOption('--to <version>', 'destination build')
    .option('--seed <n>', 'workload seed')
    .option('--to-device <spec>', 'destination -device list instead of --device (repeatable), e.g. a different vnic impl=', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'machine-readable result on stdout')
    .action((opts: MachineOptions & { from: string; to: string; toDevice: string[]; json?: boolean }) => {
      if (opts.qemu || opts.build) throw new UsageError('migrate takes --from and --to (simulated builds), not --build or --qemu');
      const spec = machineSpecFrom(opts);
      const bootOpts = simBootOptions(opts);
      // Both sides get --device unless --to-device says what the destination was started with.
      const destOpts = opts.toDevice.length > 0 ? simBootOptions({ ...opts, device: opts.toDevice }) : bootOpts;
      const out = createOutput(opts.json === true);
      const matched = expectedBreaks(opts.from, opts.to, spec.machine);
      const breaks = matched.map((b) => b.break.id);
      const base = { from: opts.from, to: opts.to, machine: spec.machine, devices: spec.devices ?? [], ...(opts.toDevice.length > 0 ? { toDevices: opts.toDevice } : {}), expectedBreaks: breaks };
      const t0 = performance.now();
      const src = withBootErrors(() => boot(opts.from, spec.machine, bootOpts));
      let stream: Uint8Array;
      try {
        stream = src.save();
      } catch (e) {
        const line = blockedLine(e);
        if (!line) throw e;
        out.result({ ...base, verdict: { kind: 'refused', code: 'migration.blocked', message: line.slice('refused: migration.blocked: '.length) } });
        process.stderr.write(line + '\n');
        setExit(1);
        return;
      }
      const r = withBootErrors(() => loadInto(opts.to, spec.machine, destOpts, stream));
      const durationMs = performance.now() - t0;
      if (!r.accepted) {
        const error = r.error!;
        out.result({ ...base, streamBytes: stream.length, durationMs, verdict: { kind: 'refused', code: error.code, message: error.message, offset: error.offset, path: error.path } });
        process.stderr.write(`refused: ${error.code}: ${error.message}\n`);
        writeBreakNote(matched, (m) => m.kind === 'refused' && m.code === error.code);
        setExit(1);
        return;
      }
      const a = src.snapshot();
      const b = r.vm.snapshot();
      const differences = snapshotDifferences(a, b);
      out.result({ ...base, streamBytes: stream.length, durationMs, verdict: { kind: 'accepted' }, stateEqual: differences.length === 0, differences });
      if (differences.length === 0) {
        out.say(`accepted: ${opts.from} -> ${opts.to} ${spec.machine}, ${stream.length} bytes, guest-visible state equal`);
        setExit(0);
        return;
      }
      process.stderr.write(`accepted, but guest-visible state differs: ${differences.map((d) => namedRamPath(d, b)).join(', ')}\n`);
      writeBreakNote(matched, (m) => m.kind === 'state-difference');
      if (!out.json) out.say(createTwoFilesPatch(`source ${opts.from}`, `destination ${opts.to}`, snapshotText(a), snapshotText(b), '', '', { context: 2 }));
      setExit(1);
    });
};

/** `ram.1.pages.0` -> `ram.1(highbank.sysram).pages.0`: the block's name for the reader (paths stay index-based in JSON). */
function namedRamPath(path: string, snapshot: VmSnapshot): string {
  const m = /^ram\.(\d+)(.*)$/.exec(path);
  const block = m ? snapshot.ram[Number(m[1])] : undefined;
  return m && block ? `ram.${m[1]}(${block.idstr})${m[2]}` : path;
}

/**
 * Which documented breaks explain this outcome: those whose manifest matches
 * it; other breaks of the pair are named as not explaining it (a vnic
 * refusal on 8.0 -> 7.2 is not the PCIe ERR_UNC_MASK break of that pair).
 */
function writeBreakNote(matched: readonly MatchedBreak[], explains: (m: BreakManifest) => boolean): void {
  const yes = matched.filter((b) => explains(b.manifest)).map((b) => b.break.id);
  const other = matched.filter((b) => !explains(b.manifest)).map((b) => b.break.id);
  if (yes.length > 0) process.stderr.write(`expected break: ${yes.join(', ')}\n`);
  if (other.length > 0) process.stderr.write(`documented breaks of this pair that do not explain it: ${other.join(', ')}\n`);
}
