import type { RegisterCommand } from './index.js';
import { createOutput } from '../output.js';
import { compareWithBaseline, gateExitCode, GateFileError, latestResultPath, loadGateFile, writeBaseline, type GateFinding } from '../../gate/index.js';

function line(f: GateFinding): string {
  return `  ${f.machine} ${f.from} -> ${f.to} (${f.direction}): was ${f.was}, now ${f.now}: ${f.verdict}`;
}

/**
 * `migcompat gate`: 0 when the current run has no regression the baseline
 * did not already have, 1 listing each new one, 2 on a bad or missing file
 * (nothing is written then). `--update-baseline` replaces the baseline with
 * the current run atomically.
 */
export const registerGate: RegisterCommand = (program, setExit) => {
  program
    .command('gate')
    .description('fail on regressions that are not in the baseline')
    .requiredOption('--baseline <file>', 'the committed baseline result (reports/baseline.json)')
    .option('--current <file>', 'the run to judge (default: the last `migcompat matrix` run, from reports/LATEST)')
    .option('--update-baseline', 'replace the baseline with the current run (atomic write) and exit 0')
    .option('--json', 'the comparison as JSON on stdout')
    .action((opts: { baseline: string; current?: string; updateBaseline?: boolean; json?: boolean }) => {
      const out = createOutput(opts.json === true);
      try {
        const currentPath = opts.current ?? latestResultPath();
        const current = loadGateFile(currentPath, 'current');
        if (opts.updateBaseline) {
          writeBaseline(opts.baseline, current);
          out.say(`baseline ${opts.baseline} updated from ${currentPath} (${current.cells.length} cells)`);
          out.result({ updated: opts.baseline, cells: current.cells.length });
          setExit(0);
          return;
        }
        const baseline = loadGateFile(opts.baseline, 'baseline');
        const report = compareWithBaseline(baseline, current);
        out.result(report);
        const code = gateExitCode(report);
        if (code === 1) {
          process.stderr.write(`gate: ${report.newRegressions.length} new regression(s) against ${opts.baseline}:\n`);
          for (const f of report.newRegressions) process.stderr.write(line(f) + '\n');
        } else {
          out.say(`gate: no new regressions (${report.judged} cells judged, ${report.known.length} known failures, ${report.fixed.length} fixed)`);
        }
        if (report.fixed.length) out.say(`gate: ${report.fixed.length} cell(s) better than the baseline: consider --update-baseline`);
        if (report.missing.length) out.say(`gate: ${report.missing.length} baseline cell(s) not in this run (not judged)`);
        setExit(code);
      } catch (e) {
        if (e instanceof GateFileError) {
          process.stderr.write(`gate: ${e.message}\n`);
          setExit(2);
          return;
        }
        throw e;
      }
    });
};
