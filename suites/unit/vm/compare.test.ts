/**
 * guestStateEqual keeps the pairs of state objects it found equal (states
 * are never mutated in place): a pair found equal before must not make a
 * different destination state pass, whatever was compared earlier.
 */
import { describe, expect, it } from 'vitest';
import { boot, guestStateEqual, loadInto } from '../../../src/vm.js';
import type { StateObject } from '../../../src/vmstate/index.js';

describe('guestStateEqual over repeated migrations', () => {
  it('stays exact after pairs were found equal: an edited destination state differs, the unedited one does not', () => {
    const opts = { seed: 9 };
    const src = boot('7.2', 'pc-q35-7.2', opts);
    const bytes = src.save();
    const runs = [0, 1, 2].map(() => loadInto('7.2', 'pc-q35-7.2', opts, bytes).vm);
    for (const vm of runs) expect(guestStateEqual(src, vm)).toBe(true);
    for (const vm of runs) expect(guestStateEqual(src, vm)).toBe(true);
    // A copy-on-write edit of one guest-visible byte (CMOS NVRAM, as the workload does) in each kind of section.
    for (const name of ['mc146818rtc', 'cpu', 'ich9_ahci']) {
      const dst = loadInto('7.2', 'pc-q35-7.2', opts, bytes).vm;
      expect(guestStateEqual(src, dst)).toBe(true);
      const s = dst.sections.find((x) => x.vmsd.name === name)!;
      s.state = flipFirstVisibleByte(s.state, name);
      expect(guestStateEqual(src, dst), name).toBe(false);
    }
  });
});

type State = StateObject;

/** A copy of the state with one guest-visible value changed, along a copied path. */
function flipFirstVisibleByte(state: State, name: string): State {
  switch (name) {
    case 'mc146818rtc': {
      const cmos = (state['cmos_data'] as Uint8Array).slice();
      cmos[0x40] = cmos[0x40]! ^ 0xff;
      return { ...state, cmos_data: cmos };
    }
    case 'cpu': {
      const v = state['env.eflags'] as number | bigint;
      return { ...state, 'env.eflags': typeof v === 'bigint' ? v ^ 0x100n : (v ^ 0x100) >>> 0 };
    }
    default: {
      const ahci = state['ahci'] as State;
      const dev = (ahci['dev'] as State[]).slice();
      const port = dev[0]!;
      dev[0] = { ...port, port_state: (port['port_state'] as number) + 1 };
      return { ...state, ahci: { ...ahci, dev } };
    }
  }
}
