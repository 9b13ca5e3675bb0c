import fc from 'fast-check';
import { encodeStream } from '../../src/migration/index.js';
import { MUTATORS, mutatorByName, type Expectation, type MutationSpec, type Mutator } from './mutators/index.js';
import { buildFromPlan, drawInt, drawPlan, streamPlanArb, type PlanOptions, type StreamPlan } from './plan.js';
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

const MAX_A = 1 << 20;
const MAX_B = 1 << 16;
const MUTATED_WEIGHT = 7;

export function mutationArb(mutators: readonly Mutator[]): fc.Arbitrary<MutationSpec> {
  return fc.record({
    op: fc.constantFrom(...mutators.map((m) => m.name)),
    a: fc.nat({ max: MAX_A }),
    b: fc.nat({ max: MAX_B }),
  });
}

/**
 * Fuzz cases: a valid plan (one in 8 by default) or a plan and a mutation.
 * Generation draws the case straight from fast-check's random source
 * (drawPlan, and the mutation's three numbers uniform in mutationArb's
 * ranges): composing fast-check arbitraries cost about as much as loading
 * the input. Shrinking is the composed arbitrary's (caseShapeArb), which
 * shrinks any case of this shape from the value alone.
 */
export function fuzzCaseArb(seed: FuzzSeed, o: CaseArbOptions = {}): fc.Arbitrary<FuzzCase> {
  return new DrawnCaseArbitrary(seed, o);
}

function planOptions(o: CaseArbOptions): PlanOptions {
  return { ...(o.maxSections !== undefined ? { maxSections: o.maxSections } : {}), ...(o.maxPages !== undefined ? { maxPages: o.maxPages } : {}), ...(o.vmdesc ? { vmdesc: true } : {}) };
}

/** The same cases as fast-check arbitraries composed (what shrinks them). */
export function caseShapeArb(seed: FuzzSeed, o: CaseArbOptions = {}): fc.Arbitrary<FuzzCase> {
  const mutators = o.mutators ?? MUTATORS;
  const plan = streamPlanArb(seed, planOptions(o));
  return fc.oneof(
    {
      weight: o.validWeight ?? 1,
      arbitrary: plan.map(
        (p): FuzzCase => ({ plan: p }),
        (v) => {
          if (typeof v !== 'object' || v === null || 'mutation' in v || !('plan' in v)) throw new TypeError('not a valid-stream case');
          return (v as FuzzCase).plan;
        },
      ),
    },
    { weight: MUTATED_WEIGHT, arbitrary: fc.record({ plan, mutation: mutationArb(mutators) }) },
  );
}

class DrawnCaseArbitrary extends fc.Arbitrary<FuzzCase> {
  private readonly names: string[];
  private readonly validWeight: number;
  private readonly plan: PlanOptions;
  private readonly shape: fc.Arbitrary<FuzzCase>;

  constructor(
    private readonly seed: FuzzSeed,
    o: CaseArbOptions,
  ) {
    super();
    this.names = (o.mutators ?? MUTATORS).map((m) => m.name);
    this.validWeight = o.validWeight ?? 1;
    this.plan = planOptions(o);
    this.shape = caseShapeArb(seed, o);
  }

  generate(mrng: fc.Random, bias: number | undefined): fc.Value<FuzzCase> {
    const valid = mrng.nextInt(1, this.validWeight + MUTATED_WEIGHT) <= this.validWeight;
    const plan = drawPlan(mrng, this.seed, this.plan, bias);
    if (valid) return new fc.Value<FuzzCase>({ plan }, undefined);
    // As mutationArb generates: the mutator uniform (constantFrom), its two numbers biased (nat).
    const op = this.names[mrng.nextInt(0, this.names.length - 1)]!;
    const a = drawInt(mrng, 0, MAX_A, bias);
    const b = drawInt(mrng, 0, MAX_B, bias);
    return new fc.Value<FuzzCase>({ plan, mutation: { op, a, b } }, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is FuzzCase {
    return this.shape.canShrinkWithoutContext(value);
  }

  shrink(value: FuzzCase): fc.Stream<fc.Value<FuzzCase>> {
    return this.shape.canShrinkWithoutContext(value) ? this.shape.shrink(value, undefined) : fc.Stream.nil();
  }
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
