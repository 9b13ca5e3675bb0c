import type { RegisterCommand } from './index.js';
import { encodeStream, parseStream } from '../../../src/migration/index.js';
import { readStreamFile, writeStreamFile } from '../../io/stream-file.js';

/** Parse and re-encode: byte-identical for a valid stream, a LoadError for an invalid one. */
export const registerRewrite: RegisterCommand = (program, setExit) => {
  program
    .command('rewrite')
    .description('parse a stream and encode it again (byte-identical for a valid stream)')
    .argument('<in>', 'stream file (raw or gzipped)')
    .argument('<out>', 'output file (gzipped when it ends in .gz)')
    .action((input: string, out: string) => {
      const bytes = readStreamFile(input);
      const encoded = encodeStream(parseStream(bytes));
      writeStreamFile(out, encoded);
      const same = encoded.length === bytes.length && Buffer.compare(Buffer.from(encoded), Buffer.from(bytes)) === 0;
      process.stderr.write(`rewrote ${bytes.length} bytes to ${out}${same ? ' (byte-identical)' : ' (DIFFERS from input)'}\n`);
      setExit(same ? 0 : 1);
    });
};
