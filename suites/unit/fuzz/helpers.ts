import { loadSeed, type FuzzSeed } from '../../../harness/fuzz/seed.js';
import type { FuzzCase } from '../../../harness/fuzz/fuzz-case.js';

/** The seed most suites use: the real pc-q35-7.2 capture (no extra devices). */
export function q35(): FuzzSeed {
  return loadSeed('pc-q35-7.2');
}

/** A small valid plan: no device sections, one pass writing two pages of pc.ram (block 0). */
export const SMALL_PLAN: FuzzCase['plan'] = {
  sections: [],
  passes: [
    [
      { block: 0, page: 1, content: 7 },
      { block: 0, page: 2, content: 0 },
    ],
  ],
  vmdesc: false,
};
