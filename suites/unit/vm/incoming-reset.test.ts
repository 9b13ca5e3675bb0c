import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { boot, incoming, incomingResetPoint, type Vm } from '../../../src/vm.js';

/** What a load reads and commits, without the descriptions (whose hooks are closures made per instantiation). */
function loadVisible(vm: Vm) {
  return {
    runState: vm.runState,
    sections: vm.sections.map((s) => ({ idstr: s.idstr, state: s.state, pci: s.pci?.dev })),
    ram: vm.ram.blocks.map((b) => ({ idstr: b.idstr, usedLength: b.usedLength, regionSize: b.regionSize, pages: [...b.pages], dirty: [...b.dirty] })),
  };
}

describe('incoming reset point', () => {
  const machine = 'pc-q35-7.2';
  const opts = { devices: ['e1000'], ram: '32M' };

  it('puts an incoming machine that accepted a stream back to what a fresh instantiation is', () => {
    const bytes = boot('7.2', machine, { ...opts, seed: 3 }).save();
    const vm = incoming('7.2', machine, opts);
    const reset = incomingResetPoint(vm)!;
    expect(reset).toBeTypeOf('function');
    const fresh = loadVisible(incoming('7.2', machine, opts));
    // Twice: a reset restores the PCI models in place, and must leave its saved copy as it was for the next one.
    for (let i = 0; i < 2; i++) {
      expect(vm.load(bytes).accepted).toBe(true);
      // The load changed what the reset must undo: device state, PCI config, RAM pages, run state.
      expect(isDeepStrictEqual(loadVisible(vm), fresh)).toBe(false);
      reset();
      expect(isDeepStrictEqual(loadVisible(vm), fresh)).toBe(true);
    }
  });

  it('a reset machine gives the same verdicts as fresh ones, load after load', () => {
    const streams = [1, 2].map((seed) => boot('7.2', machine, { ...opts, seed }).save());
    const bad = streams[0]!.slice(0, streams[0]!.length - 9);
    const vm = incoming('7.2', machine, opts);
    const reset = incomingResetPoint(vm)!;
    for (const bytes of [streams[0]!, bad, streams[1]!, streams[0]!]) {
      const got = vm.load(bytes);
      const want = incoming('7.2', machine, opts).load(bytes);
      expect({ accepted: got.accepted, code: got.error?.code }).toEqual({ accepted: want.accepted, code: want.error?.code });
      if (got.accepted) reset();
    }
  });

  it('has none for a machine whose load has effects it does not undo (vmgenid) or that already ran', () => {
    expect(incomingResetPoint(incoming('7.2', machine, { devices: ['vmgenid'] }))).toBeUndefined();
    expect(incomingResetPoint(boot('7.2', machine, {}))).toBeUndefined();
  });
});
