import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../harness/corpus/package-root.js';
import { listRecords, readRecord, verdictMatches } from '../../../harness/fuzz/corpus-store.js';
import { replayFile } from '../../../harness/fuzz/replay.js';

/**
 * Every saved fuzz failure under corpus/fuzz replays on its replay target
 * with its expected verdict. The entries were found against weakened
 * loaders; each expected verdict is the mutator's QEMU-derived claim, and
 * `confirmedBy` records what real QEMU 7.2 did with the same bytes.
 */
const files = listRecords(join(packageRoot(), 'corpus', 'fuzz'));

describe('fuzz corpus replay', () => {
  it('has entries', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file.slice(file.indexOf('corpus/fuzz')), async () => {
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
