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
      console.log(s.name, v.sectionsLoaded, v.pagesLoaded, v.warnings, profile.sections.filter((x) => x.versionSource === 'capture').map((x) => x.idstr));
    });
  }
});
