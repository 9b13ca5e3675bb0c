import { describe, expect, it } from 'vitest';
import { loadStream, type Destination } from '../../../src/migration/index.js';
import type { VMStateDescription } from '../../../src/vmstate/index.js';
import { StepBudgetExceeded } from '../../../src/wire/index.js';
import { ProfileTarget } from '../../../harness/fuzz/profile-target.js';
import { judge } from '../../../harness/fuzz/oracle.js';
import { loadSeed } from '../../../harness/fuzz/seed.js';
import { smallDest, smallStream, StreamBytes } from './hand-stream.js';

/**
 * The step budget: work that consumes no bytes is the one way a stream can
 * make a load loop without running out of input. An array of structs with
 * no fields (VMSTATE_STRUCT_VARRAY_UINT32 of an empty description) takes
 * its count from the stream: 0xffffffff elements are 4 Gi iterations and
 * zero bytes.
 */
const empty: VMStateDescription = { name: 'empty', version_id: 1, minimum_version_id: 1, fields: [] };
const spinVmsd: VMStateDescription = {
  name: 'spin',
  version_id: 1,
  minimum_version_id: 1,
  fields: [
    { name: 'n', kind: 'int', type: 'uint32' },
    { name: 'a', kind: 'varray', of: { kind: 'struct', vmsd: empty }, countField: 'n', max: 0xffffffff },
  ],
};

function spinDest(): Destination {
  return {
    machine: 'mini',
    sendConfiguration: false,
    sendSectionFooter: false,
    expectVmdesc: false,
    sections: [{ idstr: 'spin', instanceId: 0, versionId: 1, minimumVersionId: 1, vmsd: spinVmsd, state: { n: 0, a: [] } }],
    ram: { blocks: [] },
  };
}

/** QEVM v3, FULL "spin" v1 with count `n` and no element bytes, EOF: 8 + 18 + 4 + 1 = 31 bytes. */
function spinStream(n: number): Uint8Array {
  return new StreamBytes().header().start(4, 1, 'spin', 0, 1).u32(n).u8(0x00).bytesOut();
}

describe('step budget', () => {
  it('stops a load whose zero-byte array elements exceed it, at the array, committing nothing', () => {
    const dest = spinDest();
    const bytes = spinStream(0xffffffff);
    expect(bytes.length).toBe(31);
    let err: unknown;
    try {
      loadStream(bytes, dest, { stepBudget: 1000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StepBudgetExceeded);
    const e = err as StepBudgetExceeded;
    expect(e.limit).toBe(1000);
    // The count field ends at 8 + 18 + 4 = 30: the elements are charged before the loop.
    expect(e.offset).toBe(30);
    expect(e.path).toBe('spin/a');
    expect(dest.sections[0]!.state).toEqual({ n: 0, a: [] });
  });

  it('counts one step per section and per element: exactly enough passes, one less stops', () => {
    // Steps: the FULL section (1), 3 elements (3), the EOF byte read as a section type (1) = 5.
    expect(loadStream(spinStream(3), spinDest(), { stepBudget: 5 }).accepted).toBe(true);
    expect(() => loadStream(spinStream(3), spinDest(), { stepBudget: 4 })).toThrow(StepBudgetExceeded);
  });

  it('charges RAM records and pages: the small stream needs 4 sections + EOF, 2 MEM_SIZE entries and 3 pages', () => {
    // smallStream: START ram, PART ram, FULL dev, EOF = 4 section steps; pc.ram and /rom@acpi
    // MEM_SIZE entries = 2; page, zero page, page = 3. Total 9.
    expect(loadStream(smallStream(), smallDest(), { stepBudget: 9 }).accepted).toBe(true);
    expect(() => loadStream(smallStream(), smallDest(), { stepBudget: 8 })).toThrow(StepBudgetExceeded);
  });

  it('is a hang finding for the in-process fuzz target (its default budget: one step per byte plus 2^20)', () => {
    const dest = spinDest();
    // The wall-clock backstop (hangMs, 2 s by default) moved out of reach, so only the budget can
    // stop the 2^32-1 elements: its message says it did, and without it the load would run into the
    // test's timeout. (A 2 s wall-clock check here failed whenever the machine was loaded.)
    const target = new ProfileTarget(loadSeed('pc-q35-7.2'), { loader: (b, _d, o) => loadStream(b, dest, o), hangMs: 60_000 });
    const load = target.loadSync(spinStream(0xffffffff));
    expect(load.verdict.kind).toBe('hang');
    expect(load.verdict.kind === 'hang' && load.verdict.message).toMatch(/step budget of 1048607 exhausted at offset 30 \(spin\/a\)/);
    expect(judge(load).map((v) => v.property)).toEqual(['hang']);
    // A count the budget covers loads.
    expect(target.loadSync(spinStream(1000)).verdict.kind).toBe('accepted');
  });
});
