import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../harness/corpus/package-root.js';
import { listCorpusRecords, readRecord, targetDirName, verdictMatches } from '../../../harness/fuzz/corpus-store.js';
import { replayFile } from '../../../harness/fuzz/replay.js';

/**
 * Every saved fuzz failure under corpus/<target>/ replays on its replay target
 * with its expected verdict. The entries were found against weakened
 * loaders; each expected verdict is the mutator's QEMU-derived claim, and
 * `confirmedBy` records what real QEMU 7.2 did with the same bytes.
 */
const files = listCorpusRecords(join(packageRoot(), 'corpus'));

describe('fuzz corpus replay', () => {
  it('has entries', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('lays entries out as corpus/<target>/<check-or-crash>/<id>.json, target dirs apart from the captures', () => {
    expect(targetDirName('sim:10.0')).toBe('sim@10.0');
    expect(targetDirName('qemu:/usr/bin/qemu-system-x86_64')).toBe('qemu@usr-bin-qemu-system-x86_64');
    expect(targetDirName('profile:pc-q35-7.2~no:ram.length-too-large')).toBe('profile@pc-q35-7.2-no-ram.length-too-large');
    // A binary whose path is "7.2" would have collided with the capture directory under the old naming.
    expect(targetDirName('qemu:7.2')).not.toBe('qemu-7.2');
    for (const file of files) {
      const rel = file.slice(file.indexOf('corpus/')).split('/');
      const { record } = readRecord(file);
      expect(rel).toHaveLength(4);
      expect(rel[1]).toBe(targetDirName(record.target));
      expect(rel[3]).toBe(`${record.id}.json`);
    }
    // The capture directory's JSON (manifest.json, mutation-verdicts.json) is not a fuzz record.
    expect(files.some((f) => f.includes('/qemu-7.2/'))).toBe(false);
  });
  for (const file of files) {
    it(file.slice(file.indexOf('corpus/')), async () => {
      const r = await replayFile(file);
      expect(r.violations).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.bytesReproduced).toBe(true);
      // Where a real QEMU saw these bytes, it refused or accepted the same way.
      const { record } = readRecord(file);
      for (const c of record.confirmedBy ?? []) {
        expect(c.verdict.kind === 'accepted' ? 'accepted' : 'refused').toBe(r.verdict.kind);
        if (c.verdict.kind === 'refused' && c.verdict.code !== 'qemu.load-failed') expect(verdictMatches(record.expected, c.verdict)).toBe(true);
      }
    });
  }
});
