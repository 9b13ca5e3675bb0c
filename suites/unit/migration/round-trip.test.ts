import { describe, expect, it } from 'vitest';
import { encodeStream, parseStream } from '../../../src/migration/index.js';
import { corpusStream, haveCorpus, manifest } from './corpus-helpers.js';

describe.runIf(haveCorpus)('real QEMU 7.2 captures', () => {
  for (const s of haveCorpus ? manifest().streams : []) {
    it(`${s.name}: parses and re-encodes byte for byte`, () => {
      const bytes = corpusStream(s.file);
      expect(bytes.length).toBe(s.size);
      const model = parseStream(bytes);
      const out = encodeStream(model);
      expect(out.length).toBe(bytes.length);
      expect(Buffer.compare(Buffer.from(out), Buffer.from(bytes))).toBe(0);
      const kinds = model.items.map((i) => (i.kind === 'section' ? i.body.kind : i.kind));
      console.log(s.name, JSON.stringify(Object.fromEntries(['ram', 'vmstate', 'opaque'].map((k) => [k, kinds.filter((x) => x === k).length]))), model.warnings.slice(0, 2));
    });
  }
});
