import { BYTE_MUTATORS } from './bytes.js';
import { FW_CFG_MUTATORS } from './fw-cfg.js';
import { PCI_MUTATORS } from './pci.js';
import { RAM_MUTATORS } from './ram.js';
import { SECTION_MUTATORS } from './section.js';
import { STREAM_MUTATORS } from './stream.js';
import type { Mutator } from './types.js';
import { VMSTATE_MUTATORS } from './vmstate.js';

export type { Expectation, Mutated, MutationInput, MutationSpec, Mutator } from './types.js';

/** Every mutator, structured ones first; byte-level ones are the fallback. */
export const MUTATORS: readonly Mutator[] = [...RAM_MUTATORS, ...SECTION_MUTATORS, ...STREAM_MUTATORS, ...VMSTATE_MUTATORS, ...PCI_MUTATORS, ...FW_CFG_MUTATORS, ...BYTE_MUTATORS];

export function mutatorByName(name: string): Mutator | undefined {
  return MUTATORS.find((m) => m.name === name);
}
