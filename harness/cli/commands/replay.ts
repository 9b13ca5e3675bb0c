import type { RegisterCommand } from './index.js';
import { createOutput } from '../output.js';
import { describeVerdict } from '../../targets/index.js';
import { replayFile, type ReplayResult } from '../../fuzz/index.js';

/**
 * `migcompat replay FILE...`: replay saved fuzz failures (the .json or the
 * .bin of a corpus entry). Exit 0 when every entry gets its expected verdict
 * and breaks no property, 1 otherwise.
 */
export const registerReplay: RegisterCommand = (program, setExit) => {
  program
    .command('replay')
    .description('replay saved fuzz failures against their target and check the expected verdict')
    .argument('<files...>', 'corpus entries (.json or .bin)')
    .option('--target <id>', 'replay on this target instead of the recorded one (e.g. qemu:/usr/bin/qemu-system-x86_64)')
    .option('--timeout <ms>', 'qemu targets: hang after this many ms', '10000')
    .option('--json', 'machine-readable results on stdout')
    .action(async (files: string[], opts: { target?: string; timeout: string; json?: boolean }) => {
      const out = createOutput(opts.json === true);
      const results: ReplayResult[] = [];
      for (const f of files) {
        const r = await replayFile(f, { ...(opts.target ? { target: opts.target } : {}), qemuTimeoutMs: Number(opts.timeout) });
        results.push(r);
        out.say(`${r.ok ? 'ok  ' : 'FAIL'} ${r.file}: ${describeVerdict(r.verdict)} (expected ${r.record.expected}) on ${r.target}`);
        for (const v of r.violations) out.say(`     ${v.property}: ${v.message}`);
        if (!r.bytesReproduced) out.say('     note: the generator no longer produces these bytes from the stored case (the stored bytes were replayed)');
      }
      out.result(results.map((r) => ({ file: r.file, ok: r.ok, target: r.target, expected: r.record.expected, verdict: r.verdict, violations: r.violations, bytesReproduced: r.bytesReproduced })));
      setExit(results.every((r) => r.ok) ? 0 : 1);
    });
};
