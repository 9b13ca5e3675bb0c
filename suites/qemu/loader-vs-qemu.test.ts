import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../harness/targets/capture-corpus.js';
import type { Verdict } from '../../harness/targets/target.js';
import { CORPUS_DIR, readCorpusJson, readCorpusStream, readManifest } from './corpus-files.js';
import { KNOWN_DIVERGENCES, agreement, ourVerdict, simulatedVerdict } from './loader-vs-qemu.js';
import { standardMutations } from './mutate-real.js';

/**
 * Without QEMU: our loader, as a pc-q35-7.2 destination profiled from the
 * corpus and as the simulated 7.2 pc-q35-7.2 machine, against the verdicts real QEMU 7.2 gave for the very same bytes
 * (recorded by suites/qemu/mutations.test.ts with MIGCOMPAT_UPDATE_CORPUS=1).
 * mutations.test.ts makes the same comparison live when QEMU is installed.
 */

interface RecordedFile {
  streamSha256: string;
  mutations: Array<{ name: string; sha256: string; verdict: Verdict }>;
}

const recorded = JSON.parse(readFileSync(join(CORPUS_DIR, 'mutation-verdicts.json'), 'utf8')) as RecordedFile;
const entry = readManifest().streams.find((s) => s.name === 'pc-q35-7.2')!;
const base = readCorpusStream(entry);
const dump = readCorpusJson('pc-q35-7.2.vmstate.json.gz');
const mutations = standardMutations(base);

describe('our loader vs recorded real QEMU 7.2 verdicts (pc-q35-7.2)', () => {
  it('the recording is of this stream and these mutations', () => {
    expect(recorded.streamSha256).toBe(entry.sha256);
    expect(recorded.mutations.map((m) => [m.name, m.sha256])).toEqual(mutations.map((m) => [m.name, sha256(m.bytes)]));
  });

  it('accepts the unmodified stream, as QEMU does', () => {
    expect(ourVerdict(base, entry, dump, base)).toEqual({ kind: 'accepted' });
  });

  for (const m of mutations) {
    const run = KNOWN_DIVERGENCES[m.name] ? it.fails : it;
    run(`${m.name}${KNOWN_DIVERGENCES[m.name] ? ' (known divergence)' : ''}`, () => {
      const qemu = recorded.mutations.find((r) => r.name === m.name)!.verdict;
      const verdict = agreement(m.name, qemu, ourVerdict(base, entry, dump, m.bytes));
      expect(verdict.ok, verdict.why).toBe(true);
    });
  }

  describe('the simulated 7.2 machine as the destination', () => {
    it('accepts the unmodified stream', () => {
      expect(simulatedVerdict({ machine: 'pc-q35-7.2' }, base)).toEqual({ kind: 'accepted' });
    });
    it.each(mutations.map((m) => [m.name, m] as const))('%s', (_n, m) => {
      const qemu = recorded.mutations.find((r) => r.name === m.name)!.verdict;
      const verdict = agreement(m.name, qemu, simulatedVerdict({ machine: 'pc-q35-7.2' }, m.bytes));
      expect(verdict.ok, verdict.why).toBe(true);
    });
  });
});
