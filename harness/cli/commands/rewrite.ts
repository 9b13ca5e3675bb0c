import type { RegisterCommand } from './index.js';
import { encodeStream, parseStream } from '../../../src/migration/index.js';
import { readStreamFile, writeStreamFile } from '../../io/stream-file.js';
import { addVmstateOption, descriptionsFromFiles } from '../descriptions.js';

/**
 * Parse and re-encode: byte-identical for a valid stream, a LoadError for an
 * invalid one. Streams with neither a vmdesc nor section footers (machine
 * types 2.0-2.2) cannot be delimited without descriptions: pass --vmstate.
 */
export const registerRewrite: RegisterCommand = (program, setExit) => {
  addVmstateOption(program.command('rewrite'))
    .description('parse a stream and encode it again (byte-identical for a valid stream)')
    .argument('<in>', 'stream file (raw or gzipped)')
    .argument('<out>', 'output file (gzipped when it ends in .gz)')
    .action((input: string, out: string, opts: { vmstate: string[] }) => {
      const bytes = readStreamFile(input);
      const descriptions = opts.vmstate.length ? descriptionsFromFiles(opts.vmstate) : undefined;
      const model = parseStream(bytes, descriptions ? { descriptions } : {});
      const encoded = encodeStream(model);
      writeStreamFile(out, encoded);
      const same = encoded.length === bytes.length && Buffer.compare(Buffer.from(encoded), Buffer.from(bytes)) === 0;
      for (const w of model.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stderr.write(`rewrote ${bytes.length} bytes to ${out}${same ? ' (byte-identical)' : ' (DIFFERS from input)'}\n`);
      setExit(same ? 0 : 1);
    });
};
