import fc from 'fast-check';
import { encodeStream } from '../../src/migration/index.js';
import { MUTATORS, mutatorByName, type Expectation, type MutationSpec, type Mutator } from './mutators/index.js';
import { buildFromPlan, streamPlanArb, type StreamPlan } from './plan.js';
import type { FuzzSeed } from './seed.js';

/**
 * One fuzz input as data: a valid-stream plan and at most one structured
 * mutation. What a corpus entry stores, what fast-check shrinks.
 */
export interface FuzzCase {
  plan: StreamPlan;
  mutation?: MutationSpec;
}

export interface Materialized {
  bytes: Uint8Array;
  /** "valid" or the mutation's note. */
  note: string;
  /** The mutator that applied (absent: the valid stream, or the mutator had nothing to act on). */
  mutator?: string;
  /** What the mutator claims a correct destination does; 'accepted' for a valid stream. */
  expect: Expectation;
}

export interface CaseArbOptions {
  mutators?: readonly Mutator[];
  /** Weight of the valid-stream-only case against mutated ones (default 1 in 8 valid). */
  validWeight?: number;
  maxSections?: number;
  maxPages?: number;
  vmdesc?: boolean;
}

export function mutationArb(mutators: readonly Mutator[]): fc.Arbitrary<MutationSpec> {
  return fc.record({
    op: fc.constantFrom(...mutators.map((m) => m.name)),
    a: fc.nat({ max: 1 << 20 }),
    b: fc.nat({ max: 1 << 16 }),
  });
}

export function fuzzCaseArb(seed: FuzzSeed, o: CaseArbOptions = {}): fc.Arbitrary<FuzzCase> {
  const mutators = o.mutators ?? MUTATORS;
  const plan = streamPlanArb(seed, { ...(o.maxSections !== undefined ? { maxSections: o.maxSections } : {}), ...(o.maxPages !== undefined ? { maxPages: o.maxPages } : {}), ...(o.vmdesc ? { vmdesc: true } : {}) });
  return fc.oneof(
    { weight: o.validWeight ?? 1, arbitrary: plan.map((p): FuzzCase => ({ plan: p })) },
    { weight: 7, arbitrary: fc.record({ plan, mutation: mutationArb(mutators) }) },
  );
}

/** The bytes of a case, deterministic: the same case always gives the same bytes. */
export function materialize(seed: FuzzSeed, c: FuzzCase): Materialized {
  const model = buildFromPlan(seed, c.plan);
  if (c.mutation) {
    const m = mutatorByName(c.mutation.op);
    if (!m) throw new RangeError(`unknown mutator '${c.mutation.op}'`);
    const r = m.apply({ seed, model }, c.mutation.a, c.mutation.b);
    if (r) return { bytes: r.bytes, note: `${m.name}: ${r.note}`, mutator: m.name, expect: r.expect };
  }
  return { bytes: encodeStream(model), note: 'valid stream', expect: 'accepted' };
}
