import { describe, expect, it } from 'vitest';
import { encodeStream, parseStream } from '../../../src/migration/index.js';
import { corpusStream, haveCorpus, manifest } from './corpus-helpers.js';

describe.runIf(haveCorpus)('real QEMU 7.2 captures', () => {
  // pc-i440fx-2.0 has neither footers nor a vmdesc: see parse-stream.test.ts.
  for (const s of haveCorpus ? manifest().streams.filter((x) => x.name !== 'pc-i440fx-2.0') : []) {
    it(`${s.name}: parses and re-encodes byte for byte`, () => {
      const bytes = corpusStream(s.file);
      expect(bytes.length).toBe(s.size);
      const model = parseStream(bytes);
      const out = encodeStream(model);
      expect(out.length).toBe(bytes.length);
      expect(Buffer.compare(Buffer.from(out), Buffer.from(bytes))).toBe(0);
      // Every device section decodes with the stream's own vmdesc.
      expect(model.items.filter((i) => i.kind === 'section' && i.body.kind === 'opaque')).toEqual([]);
      expect(model.warnings).toEqual([]);
    });
  }
});
