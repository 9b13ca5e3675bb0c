import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../../harness/fuzz/campaign.js';
import { ProfileTarget, type ProfileTargetOptions } from '../../../harness/fuzz/profile-target.js';
import type { FuzzLoad, FuzzTarget } from '../../../harness/fuzz/target.js';
import { q35 } from './helpers.js';
import { acceptsOversized, ignoring } from './weak-loaders.js';

/**
 * The external-target path (what real QEMU goes through: async loads, two
 * workers, shrinking by replaying the failing run's path) and differential
 * mode, exercised with in-process targets behind an async, two-worker face.
 */
class AsyncTarget implements FuzzTarget {
  readonly inProcess = false;
  readonly concurrency = 2;
  readonly id: string;
  readonly machine: string;
  private readonly inner: ProfileTarget;
  inFlight = 0;
  maxInFlight = 0;
  constructor(o: ProfileTargetOptions = {}) {
    this.inner = new ProfileTarget(q35(), o);
    this.id = `async:${this.inner.id}`;
    this.machine = this.inner.machine;
  }
  async load(bytes: Uint8Array): Promise<FuzzLoad> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 0));
    const out = this.inner.loadSync(bytes);
    this.inFlight--;
    // An external target reports verdicts only.
    return { verdict: out.verdict, durationMs: out.durationMs };
  }
}

describe('external targets', () => {
  const seed = q35();

  it('runs two loads at once and breaks nothing on the real loader', async () => {
    const t = new AsyncTarget();
    const r = await runCampaign({ target: t, seed, runs: 120, rngSeed: 8 });
    expect(r.failure).toBeUndefined();
    expect(r.runs).toBe(120);
    expect(t.maxInFlight).toBe(2);
  });

  it('finds and shrinks a failure by replaying its path', async () => {
    // External targets are judged by verdict only (no snapshots), so the claim finds it.
    const r = await runCampaign({ target: new AsyncTarget({ loader: acceptsOversized }), seed, runs: 2000, rngSeed: 9, checkClaims: true });
    expect(r.failure).toBeDefined();
    expect(r.failure!.case.mutation?.op).toBe('ram.used-above-max');
    expect(r.failure!.case.plan.sections).toEqual([]);
  });

  it('differential mode: agreement rate and every disagreement with both verdicts', async () => {
    const r = await runCampaign({
      target: new ProfileTarget(seed),
      against: new AsyncTarget({ loader: ignoring('section.footer-mismatch') }),
      seed,
      runs: 400,
      rngSeed: 10,
      checkClaims: false,
    });
    const d = r.differential!;
    expect(d.compared).toBe(400);
    expect(d.agreed).toBeLessThan(400);
    expect(d.rate).toBeCloseTo(d.agreed / d.compared);
    expect(d.againstFindings).toEqual([]);
    for (const x of d.disagreements) {
      expect(x.ours).toMatchObject({ kind: 'refused', code: 'section.footer-mismatch' });
      expect(x.theirs.kind).toBe('accepted');
    }
  });
});
