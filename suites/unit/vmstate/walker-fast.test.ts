/**
 * The compiled fast paths (walker-load-fast.ts, walker-save-fast.ts) against
 * the full walkers they shortcut, on every section of real machines: the
 * full walker's output is the expected value (it is the one the rest of the
 * suites check against QEMU 7.2 captures). `compiled: false` makes a load
 * take the full walker only, so the two are compared on the same bytes:
 * states, reader positions, the checks a log hears and the steps spent.
 */
import { describe, expect, it } from 'vitest';
import { boot, incoming } from '../../../src/vm.js';
import { createCheckCounter, LoadError, StepBudget, StepBudgetExceeded, WireReader, WireWriter } from '../../../src/wire/index.js';
import {
  loadVMState,
  saveFast,
  saveVMState,
  stringifyVmdescDevice,
  subsectionsLoaded,
  type StateObject,
  type VMStateDescription,
  type VmdescDevice,
  type VmdescWriter,
} from '../../../src/vmstate/index.js';
import { toHex } from './helpers.js';

const MACHINES: [string, string, string[]][] = [
  ['7.2', 'pc-q35-7.2', []],
  ['7.2', 'pc-i440fx-7.2', ['e1000', 'virtio-net-pci', 'vmgenid']],
  ['8.0', 'pc-q35-8.0', ['virtio-rng-pci', 'pvpanic-pci']],
  ['2.4', 'pc-i440fx-2.4', []],
];

function fullSave(vmsd: VMStateDescription, state: StateObject, versionId: number, name: string, instance: number): { bytes: string; text: string } {
  const w = new WireWriter();
  const desc: VmdescWriter = { name, instance_id: instance };
  saveVMState(w, vmsd, state, desc, { versionId, path: name });
  return { bytes: toHex(w.finish()), text: stringifyVmdescDevice(desc as unknown as VmdescDevice) };
}

function outcome(f: () => StateObject): unknown {
  try {
    return { state: f() };
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    return { code: e.code, offset: e.offset, path: e.path, message: e.message };
  }
}

describe('compiled save', () => {
  it.each(MACHINES)('%s %s %j: the bytes and vmdesc text of the full walker, section by section', (build, machine, devices) => {
    const vm = boot(build, machine, { devices, seed: 5 });
    vm.runWorkload(2);
    for (const s of vm.sections) {
      const want = fullSave(s.vmsd, s.state, s.versionId, s.idstr, s.instanceId);
      const w = new WireWriter();
      const text = saveFast(w, s.vmsd, s.state, s.versionId, { name: s.idstr, instance_id: s.instanceId });
      expect(text, s.idstr).toBe(want.text);
      expect(toHex(w.finish()), s.idstr).toBe(want.bytes);
    }
  });

  it('a state saved again (remembered from its second save on) still gives the full walker\'s bytes and text', () => {
    const vm = boot('7.2', 'pc-q35-7.2', { seed: 5 });
    for (const s of vm.sections) {
      const want = fullSave(s.vmsd, s.state, s.versionId, s.idstr, s.instanceId);
      // Undescribed and described saves alternate: a remembered save without text must not answer a described one.
      for (const describe of [false, false, true, false, true, true]) {
        const w = new WireWriter();
        const text = saveFast(w, s.vmsd, s.state, s.versionId, describe ? { name: s.idstr, instance_id: s.instanceId } : undefined);
        expect(text, s.idstr).toBe(describe ? want.text : '');
        expect(toHex(w.finish()), s.idstr).toBe(want.bytes);
      }
    }
  });

  it('never remembers a save that runs a pre_save, at any depth (a hook may derive the wire from more than the state)', () => {
    let n = 0;
    const inner: VMStateDescription = {
      name: 'inner',
      version_id: 1,
      minimum_version_id: 1,
      fields: [{ name: 'a', kind: 'int', type: 'uint8' }],
      pre_save: (s) => {
        s['a'] = ++n;
      },
    };
    const outer: VMStateDescription = { name: 'outer', version_id: 1, minimum_version_id: 1, fields: [{ name: 'in', kind: 'struct', vmsd: inner }] };
    const state: StateObject = { in: { a: 0 } };
    const saved = [0, 1, 2, 3].map(() => {
      const w = new WireWriter();
      saveFast(w, outer, state, 1, { name: 'outer', instance_id: 0 });
      return toHex(w.finish());
    });
    expect(saved).toEqual(['01', '02', '03', '04']);
  });

  it('saves a description whose field list was replaced as it is now, not as remembered', () => {
    const vmsd: VMStateDescription = { name: 'dev', version_id: 1, minimum_version_id: 1, fields: [{ name: 'a', kind: 'int', type: 'uint8' }] };
    const state: StateObject = { a: 1, b: 2 };
    for (let i = 0; i < 3; i++) saveFast(new WireWriter(), vmsd, state, 1, undefined);
    vmsd.fields = [...vmsd.fields, { name: 'b', kind: 'int', type: 'uint16' }];
    const w = new WireWriter();
    saveFast(w, vmsd, state, 1, undefined);
    expect(toHex(w.finish())).toBe('010002');
  });

  it('gives up on a state that does not fit its description, leaving the writer where it was', () => {
    const vmsd: VMStateDescription = {
      name: 'dev',
      version_id: 1,
      minimum_version_id: 1,
      fields: [
        { name: 'a', kind: 'int', type: 'uint8' },
        { name: 'b', kind: 'buffer', size: 2 },
      ],
    };
    const w = new WireWriter();
    w.u8(9);
    expect(saveFast(w, vmsd, { a: 1, b: new Uint8Array(3) }, 1, undefined)).toBeUndefined();
    expect(w.pos).toBe(1);
    expect(saveFast(w, vmsd, { a: 1, b: new Uint8Array(2) }, 1, undefined)).toBe('');
    expect(toHex(w.finish())).toBe('09010000');
  });
});

describe('compiled load', () => {
  it.each(MACHINES)('%s %s %j: the states of the full walker, section by section', (build, machine, devices) => {
    const src = boot(build, machine, { devices, seed: 5 });
    src.runWorkload(2);
    const dst = incoming(build, machine, { devices });
    for (const s of src.sections) {
      const local = dst.sections.find((x) => x.idstr === s.idstr && x.instanceId === s.instanceId)!.state;
      const w = new WireWriter();
      saveVMState(w, s.vmsd, s.state, undefined, { versionId: s.versionId });
      const bytes = w.finish();
      const full = new WireReader(bytes);
      full.budget = new StepBudget(1 << 20);
      const logB = createCheckCounter();
      const b = loadVMState(full, s.vmsd, s.versionId, local, { path: s.idstr, log: logB, compiled: false });
      // Three times: from the second load on, defaults are matched by their remembered bytes.
      for (let i = 0; i < 3; i++) {
        const fast = new WireReader(bytes);
        fast.budget = new StepBudget(1 << 20);
        const logA = createCheckCounter();
        const a = loadVMState(fast, s.vmsd, s.versionId, local, { path: s.idstr, log: logA });
        expect(a, s.idstr).toEqual(b);
        expect(fast.pos).toBe(full.pos);
        expect(subsectionsLoaded(a)).toEqual(subsectionsLoaded(b));
        // The coverage signal and the work counted are the full walk's (the log hears each check once per section).
        expect([...logA.counts.keys()].sort(), s.idstr).toEqual([...logB.counts.keys()].sort());
        expect(fast.budget.used, s.idstr).toBe(full.budget.used);
      }
    }
  });

  it('keeps the local values that did not change: a loaded default is the default itself', () => {
    const dst = incoming('7.2', 'pc-q35-7.2', {});
    const lpc = dst.sections.find((s) => s.vmsd.name === 'ICH9LPC')!;
    const w = new WireWriter();
    saveVMState(w, lpc.vmsd, lpc.state, undefined, { versionId: lpc.versionId });
    const loaded = loadVMState(new WireReader(w.finish()), lpc.vmsd, lpc.versionId, lpc.state);
    // chip_config: 16384 bytes, all as the local array holds them.
    expect(loaded['chip_config']).toBe(lpc.state['chip_config']);
    expect(loaded).toEqual(lpc.state);
  });

  it('a default loaded again is the default itself, until the stream says otherwise (ahci NCQ slots)', () => {
    const dst = incoming('7.2', 'pc-q35-7.2', {});
    const ahci = dst.sections.find((s) => s.vmsd.name === 'ich9_ahci')!;
    const w = new WireWriter();
    saveVMState(w, ahci.vmsd, ahci.state, undefined, { versionId: ahci.versionId });
    const bytes = w.finish();
    // Loaded three times: from the second on the nested defaults are matched by their bytes, not walked.
    for (let i = 0; i < 3; i++) {
      const loaded = loadVMState(new WireReader(bytes), ahci.vmsd, ahci.versionId, ahci.state);
      expect(loaded['ahci']).toBe(ahci.state['ahci']);
    }
    // Every byte after the PCI config (the ahci struct) flipped in turn: each load gives what the full walker gives.
    for (let at = 4 + 256 + 16; at < bytes.length; at += 13) {
      const mutant = Uint8Array.from(bytes, (b, i) => (i === at ? b ^ 0x01 : b));
      const a = outcome(() => loadVMState(new WireReader(mutant), ahci.vmsd, ahci.versionId, ahci.state, { path: ahci.idstr }));
      const b = outcome(() => loadVMState(new WireReader(mutant), ahci.vmsd, ahci.versionId, ahci.state, { path: ahci.idstr, compiled: false }));
      expect(a).toEqual(b);
      if ('state' in (a as object)) expect((a as { state: StateObject }).state['ahci']).not.toBe(ahci.state['ahci']);
    }
  });

  it('a state whose load is a copy (the cpu\'s loaded subsections) loads from the same bytes as the state loaded before, and from others as they say', () => {
    const src = boot('7.2', 'pc-q35-7.2', { seed: 4 });
    const dst = incoming('7.2', 'pc-q35-7.2', {});
    const cpu = src.sections.find((s) => s.vmsd.name === 'cpu')!;
    const local = dst.sections.find((s) => s.idstr === cpu.idstr)!.state;
    const w = new WireWriter();
    saveVMState(w, cpu.vmsd, cpu.state, undefined, { versionId: cpu.versionId });
    const bytes = w.finish();
    const full = loadVMState(new WireReader(bytes), cpu.vmsd, cpu.versionId, local, { log: createCheckCounter() });
    const loads = [0, 1, 2, 3].map(() => loadVMState(new WireReader(bytes), cpu.vmsd, cpu.versionId, local));
    for (const l of loads) {
      expect(l).not.toBe(local);
      expect(l).toEqual(full);
      expect(subsectionsLoaded(l)).toEqual(subsectionsLoaded(full));
    }
    expect(loads[3]).toBe(loads[2]);
    // A byte every 37 flipped (some are refused): what the full walker says, never the remembered state.
    for (let at = 0; at + 4 <= bytes.length; at += 37) {
      const mutant = Uint8Array.from(bytes, (b, i) => (i === at ? b ^ 0x10 : b));
      const a = outcome(() => loadVMState(new WireReader(mutant), cpu.vmsd, cpu.versionId, local, { path: cpu.idstr }));
      const b = outcome(() => loadVMState(new WireReader(mutant), cpu.vmsd, cpu.versionId, local, { path: cpu.idstr, log: createCheckCounter() }));
      expect(a).toEqual(b);
      if ('state' in (a as object)) expect((a as { state: StateObject }).state).not.toBe(loads[2]);
    }
  });

  it('a remembered default followed by a subsection is loaded with the subsection (a copy that records it)', () => {
    const inner: VMStateDescription = { name: 'inner', version_id: 1, minimum_version_id: 1, fields: [{ name: 'x', kind: 'int', type: 'uint8' }] };
    const sub: VMStateDescription = { name: 'inner/sub', version_id: 1, minimum_version_id: 1, fields: [{ name: 'y', kind: 'int', type: 'uint8' }] };
    const withSub: VMStateDescription = { ...inner, subsections: [sub] };
    const plain = loadVMState(new WireReader(Uint8Array.of(7)), inner, 1, {});
    for (let i = 0; i < 3; i++) expect(loadVMState(new WireReader(Uint8Array.of(7)), inner, 1, plain)).toBe(plain);
    // The same description with a subsection: the 7 is followed by one, which the load must read.
    const name = [...'inner/sub'].map((ch) => ch.charCodeAt(0));
    const stream = Uint8Array.of(7, 0x05, name.length, ...name, 0, 0, 0, 1, 9);
    for (let i = 0; i < 3; i++) loadVMState(new WireReader(Uint8Array.of(7)), withSub, 1, plain);
    const loaded = loadVMState(new WireReader(stream), withSub, 1, plain);
    expect(loaded).not.toBe(plain);
    expect(loaded['y']).toBe(9);
    expect([...(subsectionsLoaded(loaded) ?? [])]).toEqual(['inner/sub']);
  });

  it('reports every refusal exactly as the full walker does (truncations and byte flips of a q35 ahci body)', () => {
    const src = boot('7.2', 'pc-q35-7.2', { seed: 3 });
    const dst = incoming('7.2', 'pc-q35-7.2', {});
    const seen = new Set<string>();
    for (const name of ['ich9_ahci', 'ICH9LPC', 'cpu', 'fw_cfg']) {
      const s = src.sections.find((x) => x.vmsd.name === name)!;
      const local = dst.sections.find((x) => x.idstr === s.idstr)!.state;
      const w = new WireWriter();
      saveVMState(w, s.vmsd, s.state, undefined, { versionId: s.versionId });
      const bytes = w.finish();
      const step = Math.max(1, Math.floor(bytes.length / 97));
      for (let at = 0; at < bytes.length; at += step) {
        for (const mutant of [bytes.subarray(0, at), Uint8Array.from(bytes, (b, i) => (i === at ? b ^ 0x41 : b))]) {
          const logA = createCheckCounter();
          const logB = createCheckCounter();
          const a = outcome(() => loadVMState(new WireReader(mutant), s.vmsd, s.versionId, local, { path: s.idstr, log: logA }));
          const b = outcome(() => loadVMState(new WireReader(mutant), s.vmsd, s.versionId, local, { path: s.idstr, log: logB, compiled: false }));
          expect(a).toEqual(b);
          expect([...logA.counts.keys()].sort()).toEqual([...logB.counts.keys()].sort());
          if ('code' in (b as object)) seen.add((b as { code: string }).code);
        }
      }
    }
    // The mutants did reach refusals (not only accepted loads).
    expect(seen.has('wire.truncated')).toBe(true);
  });

  it('spends the steps of a budget as the full walker, and leaves a budget that would run out to it', () => {
    const vmsd: VMStateDescription = {
      name: 'dev',
      version_id: 1,
      minimum_version_id: 1,
      fields: [
        { name: 'n', kind: 'int', type: 'uint8' },
        // Elements of no bytes: only the budget bounds their loop.
        { name: 'a', kind: 'varray', of: { kind: 'struct', vmsd: { name: 'e', version_id: 1, minimum_version_id: 1, fields: [] } }, countField: 'n', max: 255 },
        { name: 'b', kind: 'array', of: { kind: 'int', type: 'uint16' }, length: 3 },
      ],
    };
    const bytes = Uint8Array.of(200, 0, 1, 0, 2, 0, 3);
    const run = (limit: number, compiled: boolean) => {
      const r = new WireReader(bytes);
      r.budget = new StepBudget(limit);
      const log = createCheckCounter();
      try {
        loadVMState(r, vmsd, 1, {}, { path: 'dev', log, compiled });
        return { used: r.budget.used, pos: r.pos, codes: [...log.counts.keys()].sort() };
      } catch (e) {
        if (!(e instanceof StepBudgetExceeded)) throw e;
        return { exceeded: e.message, codes: [...log.counts.keys()].sort() };
      }
    };
    // 200 struct elements and 3 ints: 203 steps.
    expect(run(203, true)).toEqual(run(203, false));
    expect(run(203, true)).toMatchObject({ used: 203, pos: 7 });
    expect(run(202, true)).toEqual(run(202, false));
    expect(run(202, true)).toHaveProperty('exceeded');
    expect(run(150, true)).toEqual(run(150, false));
  });
});
