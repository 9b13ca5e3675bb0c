import { describe, expect, it } from 'vitest';
import { destinationFromProfile, loadStream, parseStream, profileFromCapture } from '../../../src/migration/index.js';
import { corpusStream, corpusText, haveCorpus, manifest } from './corpus-helpers.js';

describe.runIf(haveCorpus)('loading real captures into a profile of the machine that wrote them', () => {
  const dump = haveCorpus ? JSON.parse(corpusText('pc-q35-7.2.vmstate.json.gz')) : undefined;
  for (const s of haveCorpus ? manifest().streams.filter((x) => !['pc-i440fx-2.0'].includes(x.name)) : []) {
    it(`${s.name} is accepted`, () => {
      const bytes = corpusStream(s.file);
      const profile = profileFromCapture({ capture: parseStream(bytes), ramBlocks: s.ramBlocks, dumpVmstate: dump, machine: s.machine });
      const dest = destinationFromProfile(profile);
      const v = loadStream(bytes, dest);
      if (!v.accepted) throw v.error;
      expect(v.accepted).toBe(true);
      // Every page of every migratable block is sent in the first pass.
      const migratable = profile.ramBlocks.filter((b) => b.migratable);
      expect(v.accepted && v.pagesLoaded).toBe(migratable.reduce((n, b) => n + b.usedLength / 4096, 0));
      expect(v.accepted && v.warnings).toEqual(profile.expectVmdesc ? [] : ['Expected vmdescription section, but got 0']);
    });
  }
});
