/**
 * The ACPI step of firmware is kept per configuration without vmgenid and
 * replayed on later boots (src/vm/firmware.ts): a replayed boot must hold
 * exactly what a boot that ran the step holds, page for page, with the same
 * dirty marks and linker/loader allocations, and write the same stream.
 */
import { describe, expect, it } from 'vitest';
import { boot } from '../../../src/vm.js';
import { forgetAcpiRuns } from '../../../src/vm/firmware.js';
import type { Vm } from '../../../src/vm.js';

const CONFIGS: [string, string, string[], string?][] = [
  ['7.2', 'pc-q35-7.2', []],
  ['7.2', 'pc-i440fx-7.2', ['e1000'], '128M'],
  ['2.4', 'pc-q35-2.4', ['e1000']],
];

function ramOf(vm: Vm): unknown {
  return vm.ram.blocks.map((b) => ({ idstr: b.idstr, pages: [...b.pages].map(([i, p]) => [i, Buffer.from(p).toString('hex')]), dirty: [...b.dirty] }));
}

describe('firmware ACPI step replay', () => {
  it.each(CONFIGS)('%s %s %j: a replayed boot holds what a boot that ran the step holds', (build, machine, devices, ram) => {
    forgetAcpiRuns();
    const opts = { devices, seed: 3, rounds: 0, ...(ram ? { ram } : {}) };
    const ran = boot(build, machine, opts);
    const replayed = boot(build, machine, opts);
    expect(ramOf(replayed)).toEqual(ramOf(ran));
    expect(replayed.firmware).toEqual(ran.firmware);
    expect(Object.keys(ran.firmware.allocations).length).toBeGreaterThan(0);
    // It was replayed: the table pages are the very arrays the first boot wrote (pages are never mutated in place).
    const tables = (vm: Vm) => vm.ram.blocks.find((x) => x.idstr === '/rom@etc/acpi/tables')!.pages.get(0);
    expect(tables(replayed)).toBeDefined();
    expect(tables(replayed)).toBe(tables(ran));
    // And after the same workload, the same stream.
    ran.runWorkload(1);
    replayed.runWorkload(1);
    expect(Buffer.from(replayed.save()).equals(Buffer.from(ran.save()))).toBe(true);
  });

  it('shares no map or set between machines: a write to one leaves the other as it was', () => {
    const a = boot('7.2', 'pc-q35-7.2', { seed: 1, rounds: 0 });
    const b = boot('7.2', 'pc-q35-7.2', { seed: 1, rounds: 0 });
    const before = ramOf(b);
    a.runWorkload(3);
    expect(ramOf(b)).toEqual(before);
  });
});
