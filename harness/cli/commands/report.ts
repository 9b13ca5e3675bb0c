import { join } from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import type { RegisterCommand } from './index.js';
import { UsageError } from '../usage-error.js';
import { mergeResults } from '../../matrix/shard.js';
import { ResultFileError, readResult, renderHtml, renderJunit, renderMarkdown, renderTerminalSummary, writeFileAtomic, writeReports, type MatrixResult } from '../../report/index.js';

function load(path: string): MatrixResult {
  try {
    return readResult(path);
  } catch (e) {
    if (e instanceof ResultFileError) throw new UsageError(e.message);
    throw e;
  }
}

function emit(text: string, outFile: string | undefined): void {
  if (outFile === undefined) process.stdout.write(text);
  else writeFileAtomic(outFile, text);
}

/**
 * `migcompat report merge|html|markdown|junit|summary`: every report from
 * result.json files; `merge` joins the results of CI shards into one run.
 */
export const registerReport: RegisterCommand = (program, setExit) => {
  const report = program.command('report').description('make reports from result.json files; merge shard results');
  report
    .command('merge')
    .description('join shard results of one plan into one result with every report')
    .argument('<results...>', 'result.json files of the shards')
    .requiredOption('--out <dir>', 'directory for the merged result.json, junit.xml, summary.md, report.html')
    .action((results: string[], opts: { out: string }) => {
      let merged: MatrixResult;
      try {
        merged = mergeResults(results.map(load), uuidv4());
      } catch (e) {
        if (e instanceof ResultFileError) throw new UsageError(e.message);
        throw e;
      }
      const files = writeReports(merged, opts.out);
      process.stderr.write(renderTerminalSummary(merged));
      process.stderr.write(`merged ${results.length} results into ${files.result}\n`);
      if (merged.plan.cellCount !== merged.cells.length) process.stderr.write(`note: ${merged.cells.length} of the plan's ${merged.plan.cellCount} cells (shards ${merged.plan.mergedShards?.join(',') ?? ''})\n`);
      setExit(merged.totals.regression > 0 || merged.totals['harness-error'] > 0 ? 1 : 0);
    });
  const single = (name: string, what: string, render: (r: MatrixResult) => string): void => {
    report
      .command(name)
      .description(`render ${what} from a result.json`)
      .argument('<result>', 'result.json')
      .option('-o, --out <file>', 'write to a file instead of stdout')
      .action((file: string, opts: { out?: string }) => {
        emit(render(load(file)), opts.out);
        setExit(0);
      });
  };
  single('html', 'the self-contained report.html', renderHtml);
  single('markdown', 'summary.md', renderMarkdown);
  single('junit', 'junit.xml', renderJunit);
  single('summary', 'the terminal summary', (r) => renderTerminalSummary(r));
  report
    .command('all')
    .description('write every report next to a result.json (or into --out)')
    .argument('<result>', 'result.json')
    .option('--out <dir>', 'directory (default: the result file directory)')
    .action((file: string, opts: { out?: string }) => {
      const files = writeReports(load(file), opts.out ?? join(file, '..'));
      process.stderr.write(`wrote ${files.junit} ${files.markdown} ${files.html}\n`);
      setExit(0);
    });
};
