import type { CheckCode } from '../../../src/wire/index.js';
import type { StreamModel } from '../../../src/migration/index.js';
import type { FuzzSeed } from '../seed.js';

/**
 * A structured mutation aimed at one named hazard. Parameters are two
 * naturals (`a` picks the site, `b` the variant) so fast-check shrinks a
 * failing mutation toward the first site and the first variant, and a
 * corpus entry stores it as two numbers.
 */
export interface MutationSpec {
  op: string;
  a: number;
  b: number;
}

/**
 * What a mutation claims the destination does with its output, from QEMU's
 * code (comments at each mutator say where): a check code, 'refused' (some
 * refusal, which one depends on the bytes that follow), 'accepted', or
 * undefined (no claim).
 */
export type Expectation = CheckCode | 'refused' | 'accepted' | undefined;

export interface Mutated {
  bytes: Uint8Array;
  /** What was done, for reports: "pc.ram MEM_SIZE length 0x2001000". */
  note: string;
  expect: Expectation;
}

export interface MutationInput {
  seed: FuzzSeed;
  /** The valid stream, never modified in place by a mutator. */
  model: StreamModel;
}

export interface Mutator {
  name: string;
  /** The hazard, in the words. */
  hazard: string;
  /** Codes a correct loader refuses this mutator's outputs with (for coverage reports). */
  aims: CheckCode[];
  /** undefined when the stream has nothing this mutator can act on. */
  apply(input: MutationInput, a: number, b: number): Mutated | undefined;
}

export function pick<T>(xs: readonly T[], n: number): T | undefined {
  return xs.length === 0 ? undefined : xs[n % xs.length];
}
