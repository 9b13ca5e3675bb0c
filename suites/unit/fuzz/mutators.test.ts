import { describe, expect, it } from 'vitest';
import { encodeStream, parseStream } from '../../../src/migration/index.js';
import { materialize } from '../../../harness/fuzz/fuzz-case.js';
import { MUTATORS, mutatorByName } from '../../../harness/fuzz/mutators/index.js';
import { buildFromPlan, streamPlanArb } from '../../../harness/fuzz/plan.js';
import { ProfileTarget } from '../../../harness/fuzz/profile-target.js';
import { type FuzzSeed } from '../../../harness/fuzz/seed.js';
import { verdictMatches, expectedFrom } from '../../../harness/fuzz/corpus-store.js';
import { layoutByPieces, layoutStream } from '../../../harness/fuzz/layout.js';
import fc from 'fast-check';
import { q35, SMALL_PLAN } from './helpers.js';

/**
 * Each mutator produces what it claims. The claims come from QEMU 7.2's
 * code (cited at each mutator); here they are held against the codec loader
 * into the real capture's profile, whose checks were themselves checked
 * against real QEMU 7.2 (suites/qemu).
 */
function apply(seed: FuzzSeed, op: string, a: number, b: number) {
  return materialize(seed, { plan: { ...SMALL_PLAN, sections: [0, 7] }, mutation: { op, a, b } });
}

describe('mutators', () => {
  const seed = q35();
  const target = new ProfileTarget(seed);

  it('the valid plan builds a stream the destination accepts, and parses back', () => {
    const m = materialize(seed, { plan: { ...SMALL_PLAN, sections: [0, 7] } });
    expect(m.expect).toBe('accepted');
    expect(target.loadSync(m.bytes).verdict.kind).toBe('accepted');
    expect(encodeStream(parseStream(m.bytes))).toEqual(m.bytes);
  });

  it('the layout pieces concatenate to exactly the encoded stream', () => {
    const model = buildFromPlan(seed, { ...SMALL_PLAN, sections: [0, 1, 2] });
    const lay = layoutStream(model);
    expect(lay.bytes).toEqual(encodeStream(model));
    const sum = lay.chunks.reduce((n, c) => n + c.length, 0);
    expect(sum).toBe(lay.bytes.length);
  });

  it('the measured layout is the one of the pieces encoded one by one (vmdesc, trailing bytes, a cut page, no EOF)', () => {
    for (const plan of fc.sample(streamPlanArb(seed, { vmdesc: true }), { seed: 4, numRuns: 100 })) {
      const model = buildFromPlan(seed, plan);
      const cut = model.items.map((it) =>
        it.kind === 'section' && it.body.kind === 'ram'
          ? { ...it, body: { kind: 'ram' as const, records: it.body.records.map((r) => (r.type === 'page' ? { ...r, data: r.data.subarray(0, 100) } : r)) } }
          : it,
      );
      const variants = [model, { ...model, trailing: Uint8Array.of(1, 2, 3) }, { version: model.version, items: model.items }, { ...model, items: cut }];
      for (const m of variants) {
        const a = layoutStream(m);
        const b = layoutByPieces(m);
        expect(a.chunks).toEqual(b.chunks);
        // Byte for byte (Buffer.compare: a deep equality over 30 KB arrays element by element is slow).
        expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
      }
    }
  });

  // Every mutator, every site 0..2, every variant 0..5: the verdict is the claimed one.
  for (const mut of MUTATORS) {
    it(`${mut.name}: verdicts match the claims`, () => {
      let claimed = 0;
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 6; b++) {
          const m = apply(seed, mut.name, a, b);
          if (m.mutator !== mut.name || m.expect === undefined) continue;
          claimed++;
          const v = target.loadSync(m.bytes).verdict;
          expect(verdictMatches(expectedFrom(m.expect), v), `${m.note}: expected ${m.expect}, got ${JSON.stringify(v)}`).toBe(true);
        }
      }
      // Mutators that make no claim by design: QEMU checks none of these by itself, or the outcome
      // depends on which bytes were hit; the oracle judges them by the contract alone.
      const unclaimed = ['stream.command', 'pci.config-byte', 'fwcfg.acpi-mr-size', 'ram.duplicate-block', 'ram.not-migratable', 'section.duplicate', 'section.reorder', 'stream.trailing', 'vmstate.body-byte'];
      if (!mut.name.startsWith('bytes.') && !unclaimed.includes(mut.name)) expect(claimed).toBeGreaterThan(0);
    });
  }

  it('ram.used-above-max: exactly max_length is accepted, one page over is "Size too large"', () => {
    const atMax = apply(seed, 'ram.used-above-max', 0, 0);
    expect(atMax.note).toMatch(/MEM_SIZE length 0x200000 \(max 0x200000\)/); // /rom@etc/acpi/tables, 2 MiB max on q35 7.2
    expect(target.loadSync(atMax.bytes).verdict.kind).toBe('accepted');
    const over = target.loadSync(apply(seed, 'ram.used-above-max', 0, 2).bytes).verdict;
    expect(over).toMatchObject({ kind: 'refused', code: 'ram.length-too-large' });
    // qemu_ram_resize's wording with EINVAL appended (see src/memory/resize.ts).
    expect(over.kind === 'refused' && over.message).toBe('Size too large: /rom@etc/acpi/tables: 0x201000 > 0x200000: Invalid argument');
  });

  it('ram.unknown-block uses idstr lengths 0 and 255', () => {
    const empty = apply(seed, 'ram.unknown-block', 0, 0);
    const long = apply(seed, 'ram.unknown-block', 0, 1);
    expect(empty.note).toContain('(length 0)');
    expect(long.note).toContain('(length 255)');
    // The 255-byte name is on the wire behind a 0xff length byte.
    const at = long.bytes.indexOf(0xff);
    expect(at).toBeGreaterThan(0);
    expect([...long.bytes.subarray(at + 1, at + 256)].every((x) => x === 0x78)).toBe(true);
  });

  it('section.footer-mismatch flips exactly one bit of one footer id', () => {
    const valid = materialize(seed, { plan: { ...SMALL_PLAN, sections: [0, 7] } }).bytes;
    const m = apply(seed, 'section.footer-mismatch', 1, 3);
    expect(m.bytes.length).toBe(valid.length);
    const diff = [...m.bytes].map((x, i) => x ^ valid[i]!).filter((x) => x !== 0);
    expect(diff).toEqual([0x08]);
  });

  it('stream.truncate cuts a prefix at a structural boundary (or one byte off it)', () => {
    const valid = materialize(seed, { plan: { ...SMALL_PLAN, sections: [0, 7] } }).bytes;
    for (let a = 0; a < 40; a++) {
      const m = apply(seed, 'stream.truncate', a, a);
      expect(m.bytes.length).toBeLessThanOrEqual(valid.length);
      expect(m.bytes).toEqual(valid.subarray(0, m.bytes.length));
      const v = target.loadSync(m.bytes).verdict;
      if (m.expect === 'refused') expect(v.kind).toBe('refused');
    }
  });

  it('stream.machine: a prefix of the machine name is accepted (strncmp over the received length)', () => {
    expect(apply(seed, 'stream.machine', 0, 3).note).toContain("'pc-q35-7.'");
    expect(target.loadSync(apply(seed, 'stream.machine', 0, 3).bytes).verdict.kind).toBe('accepted');
    expect(target.loadSync(apply(seed, 'stream.machine', 0, 1).bytes).verdict).toMatchObject({ code: 'stream.machine-mismatch' });
  });

  it('ram.not-migratable: a block the board did not register for migration is refused', () => {
    // No captured board has such a block (every info ramblock entry is in the streams), so model
    // one: pc.rom present on the destination but not registered (as boards-without-registered-ram).
    const s: FuzzSeed = {
      ...seed,
      name: 'pc-q35-7.2(pc.rom unregistered)',
      profile: { ...seed.profile, ramBlocks: seed.profile.ramBlocks.map((b) => (b.idstr === 'pc.rom' ? { ...b, migratable: false } : b)) },
      blocks: seed.blocks.filter((b) => b.idstr !== 'pc.rom'),
    };
    const valid = materialize(s, { plan: SMALL_PLAN });
    expect(new ProfileTarget(s).loadSync(valid.bytes).verdict.kind).toBe('accepted');
    const m = materialize(s, { plan: SMALL_PLAN, mutation: { op: 'ram.not-migratable', a: 0, b: 0 } });
    expect(m.note).toBe('ram.not-migratable: MEM_SIZE lists non-migratable pc.rom');
    expect(new ProfileTarget(s).loadSync(m.bytes).verdict).toMatchObject({ kind: 'refused', code: 'ram.block-not-migratable', message: 'block pc.rom should not be migrated !' });
  });

  it('vmstate.body-byte on vmmouse queue_size (an *_EQUAL field) is refused as real QEMU 7.2 refused it', () => {
    // Found by `migcompat fuzz --against qemu:...`: QEMU 7.2 printed "400 != ff0400" and
    // "Failed to load vmmouse:queue_size" for this byte. The destination starts from the
    // capture's own state, so the local queue_size is the real 1024.
    const i = seed.devices.findIndex((d) => d.idstr === 'vmmouse');
    const m = materialize(seed, { plan: { ...SMALL_PLAN, sections: [i] }, mutation: { op: 'vmstate.body-byte', a: 0, b: 1 } });
    expect(m.note).toBe('vmstate.body-byte: vmmouse body byte 1 = 0xff');
    const v = target.loadSync(m.bytes).verdict;
    expect(v).toMatchObject({ kind: 'refused', code: 'vmstate.equal-mismatch' });
    expect(v.kind === 'refused' && v.message).toContain('400 != ff0400');
  });

  it('every mutator is found by name and the list has no duplicates', () => {
    const names = MUTATORS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(mutatorByName(n)?.name).toBe(n);
  });
});
