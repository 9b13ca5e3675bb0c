import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCampaign } from '../../../harness/fuzz/campaign.js';
import { readRecord } from '../../../harness/fuzz/corpus-store.js';
import { materialize } from '../../../harness/fuzz/fuzz-case.js';
import { judge } from '../../../harness/fuzz/oracle.js';
import { ProfileTarget } from '../../../harness/fuzz/profile-target.js';
import { replayFile } from '../../../harness/fuzz/replay.js';
import { seedDestination } from '../../../harness/fuzz/seed.js';
import { diffSnapshots, snapshotDestination } from '../../../harness/fuzz/snapshot.js';
import { q35, SMALL_PLAN } from './helpers.js';
import { acceptsOversized, mutatesOnRefusal, overAllocates, releaseOverAllocation, scribblesOnRefusal, throwsTypeError } from './weak-loaders.js';

/** The oracle flags deliberately broken targets, and passes the real loader on the same inputs. */
describe('oracle', () => {
  const seed = q35();
  const full = new ProfileTarget(seed);
  const dir = mkdtempSync(join(tmpdir(), 'migcompat-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // A stream the full loader refuses: /rom@etc/acpi/tables one page over max_length.
  const oversized = materialize(seed, { plan: SMALL_PLAN, mutation: { op: 'ram.used-above-max', a: 0, b: 2 } });
  const valid = materialize(seed, { plan: SMALL_PLAN });

  it('passes the real loader on a valid and on a refused stream', () => {
    expect(judge(full.loadSync(valid.bytes))).toEqual([]);
    const r = full.loadSync(oversized.bytes);
    expect(r.verdict).toMatchObject({ kind: 'refused', code: 'ram.length-too-large' });
    expect(judge(r)).toEqual([]);
  });

  it('flags a TypeError as an exception (never another exception than LoadError)', () => {
    const t = new ProfileTarget(seed, { loader: throwsTypeError });
    const load = t.loadSync(valid.bytes); // 2 pages: > 4200 bytes
    expect(load.verdict.kind).toBe('crash');
    expect(judge(load).map((v) => v.property)).toEqual(['exception']);
  });

  it('flags a destination changed by a refused stream (a new page, and a page scribbled in place)', () => {
    const added = judge(new ProfileTarget(seed, { loader: mutatesOnRefusal }).loadSync(oversized.bytes));
    expect(added).toEqual([{ property: 'changed-on-refusal', message: 'RAM block pc.ram pages changed (1 -> 2 held)' }]);
    const scribbled = judge(new ProfileTarget(seed, { loader: scribblesOnRefusal }).loadSync(oversized.bytes));
    expect(scribbled).toEqual([{ property: 'changed-on-refusal', message: 'RAM block pc.ram pages changed (1 -> 1 held)' }]);
  });

  it('flags an accepted oversized block as an invariant break', () => {
    const load = new ProfileTarget(seed, { loader: acceptsOversized }).loadSync(oversized.bytes);
    expect(load.verdict.kind).toBe('accepted');
    expect(judge(load)).toEqual([
      { property: 'invariant', message: 'RAM block /rom@etc/acpi/tables used_length 0x201000 above max_length 0x200000' },
    ]);
  });

  it('measures allocation against the stream plus declared sizes', () => {
    const load = new ProfileTarget(seed, { measureEvery: 1 }).loadSync(oversized.bytes);
    expect(load.allocated).toBeTypeOf('number');
    // 32 MiB of pc.ram + 2 MiB ACPI + ... declared, plus slack: a small stream never comes near it.
    expect(load.allocationBound!).toBeGreaterThan(32 * 1024 * 1024);
    expect(judge({ ...load, allocated: load.allocationBound! + 1 }).map((v) => v.property)).toEqual(['allocation']);
  });

  it('catches a loader that allocates beyond the bound, and not the real loader', () => {
    const real = new ProfileTarget(seed, { measureEvery: 1 }).loadSync(valid.bytes);
    expect(real.allocated).toBeLessThan(real.allocationBound!);
    expect(judge(real)).toEqual([]);
    const load = new ProfileTarget(seed, { loader: overAllocates, measureEvery: 1 }).loadSync(valid.bytes);
    const held = releaseOverAllocation();
    expect(load.verdict.kind).toBe('accepted');
    expect(load.allocated).toBeGreaterThanOrEqual(held);
    expect(judge(load).map((v) => v.property)).toEqual(['allocation']);
  });

  it('a campaign against the oversized-accepting loader fails, shrinks, saves, and the entry replays clean on the full loader', async () => {
    const target = new ProfileTarget(seed, { loader: acceptsOversized, variant: 'accepts-oversized' });
    const r = await runCampaign({ target, seed, runs: 3000, rngSeed: 42, outDir: dir, replayTarget: 'profile:pc-q35-7.2' });
    expect(r.failure).toBeDefined();
    const f = r.failure!;
    expect(f.violations.map((v) => v.property)).toContain('invariant');
    // Shrunk: no device sections, at most one pass with at most one page left.
    expect(f.case.plan.sections).toEqual([]);
    expect(f.case.mutation?.op).toBe('ram.used-above-max');
    expect(f.replayCommand).toMatch(/^migcompat replay .*\.json$/);
    const { record } = readRecord(f.saved!.json);
    expect(record.expected).toBe('refused:ram.length-too-large');
    expect(record.target).toBe('profile:pc-q35-7.2~accepts-oversized');
    const replay = await replayFile(f.saved!.json);
    expect(replay.ok).toBe(true);
    expect(replay.bytesReproduced).toBe(true);
    expect(replay.verdict).toMatchObject({ kind: 'refused', code: 'ram.length-too-large' });
  });
});

describe('destination snapshots', () => {
  it('a snapshot taken "like" an earlier one is that one while nothing changed, and a new picture as soon as anything did', () => {
    const dest = seedDestination(q35());
    const block = dest.ram.blocks[0]!;
    block.pages.set(0, new Uint8Array(4096).fill(0xc3));
    const before = snapshotDestination(dest);
    expect(snapshotDestination(dest, before)).toBe(before);
    // A page scribbled in place: same map, same page object, other content.
    block.pages.get(0)![7] = 1;
    const scribbled = snapshotDestination(dest, before);
    expect(scribbled).not.toBe(before);
    expect(diffSnapshots(before, scribbled)).toEqual([`RAM block ${block.idstr} pages changed (1 -> 1 held)`]);
    block.pages.get(0)![7] = 0xc3;
    expect(snapshotDestination(dest, before)).toBe(before);
    // A section state replaced.
    const s = dest.sections.find((x) => x.state)!;
    const old = s.state!;
    s.state = { ...old };
    expect(diffSnapshots(before, snapshotDestination(dest, before)).length).toBe(1);
    s.state = old;
    block.usedLength += 4096;
    expect(diffSnapshots(before, snapshotDestination(dest, before)).length).toBe(1);
  });
});

