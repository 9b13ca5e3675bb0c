import { describe, expect, it } from 'vitest';
import { destinationFromProfile, loadStream, parseStream, profileFromCapture } from '../../../src/migration/index.js';
import { descriptionFromVmdesc, parseVmdesc } from '../../../src/vmstate/index.js';
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

describe.runIf(haveCorpus)('an old-layout stream (pc-i440fx-2.0: no footers, no vmdesc) into its profile', () => {
  const entry = () => manifest().streams.find((s) => s.name === 'pc-i440fx-2.0')!;
  const dest = () => {
    const e = entry();
    return destinationFromProfile(profileFromCapture({ capture: parse20(), ramBlocks: e.ramBlocks, machine: e.machine }));
  };
  // The profile needs a parsed capture; descriptions from the 2.3 capture's vmdesc make that possible.
  const descriptions = () => {
    const m23 = parseStream(corpusStream('pc-i440fx-2.3.bin.gz'));
    return new Map(parseVmdesc(m23.vmdesc!.raw).devices.map((d) => [d.name, descriptionFromVmdesc(d)]));
  };
  const parse20 = () => parseStream(corpusStream(entry().file), { descriptions: descriptions() });

  it('has the old layout', () => {
    const d = dest();
    expect([d.sendConfiguration, d.sendSectionFooter, d.expectVmdesc]).toEqual([false, false, false]);
  });

  it('is accepted when descriptions are supplied', () => {
    const v = loadStream(corpusStream(entry().file), dest(), { descriptions: descriptions() });
    expect(v).toMatchObject({ accepted: true, warnings: [] });
  });

  it('without descriptions the first device section cannot be delimited (a migcompat limit, not a QEMU verdict)', () => {
    const v = loadStream(corpusStream(entry().file), dest());
    expect(!v.accepted && v.error.code).toBe('vmstate.opaque-section');
  });
});
