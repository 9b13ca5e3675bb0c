import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  defaultMachine,
  machineAliases,
  machinesOffered,
  parseMachineName,
} from '../../../src/machines/index.js';
import { parseMachineHelp, type HelpEntry } from './machine-help.js';

const FIXTURE = new URL('./fixtures/qemu-7.2-machine-help.txt', import.meta.url);

function qemuHelp(): string | undefined {
  try {
    return execFileSync('qemu-system-x86_64', ['-machine', 'help'], { encoding: 'utf8', timeout: 20_000 });
  } catch {
    return undefined;
  }
}

const live = qemuHelp();
const liveIs72 = (() => {
  try {
    return /version 7\.2\./.test(execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
})();

function expectSameAsHelp(entries: HelpEntry[]): void {
  const real = entries.filter((e) => e.aliasOf === undefined);
  const sim = machinesOffered('7.2');
  expect(sim.map((m) => m.name).sort()).toEqual(real.map((e) => e.name).sort());
  // Same descriptions and deprecation flags, machine by machine.
  for (const e of real) {
    const m = sim.find((s) => s.name === e.name);
    expect(m?.description, e.name).toBe(e.description);
    expect(m?.deprecated, e.name).toBe(e.deprecated);
  }
  const aliases = Object.fromEntries(entries.filter((e) => e.aliasOf !== undefined).map((e) => [e.name, e.aliasOf]));
  expect(machineAliases('7.2')).toEqual(aliases);
  expect(defaultMachine('7.2')).toBe(real.find((e) => e.isDefault)?.name);
}

describe('machine types offered by 7.2', () => {
  it('match the committed -machine help of Debian QEMU 7.2 (names, descriptions, deprecation, aliases, default)', () => {
    expectSameAsHelp(parseMachineHelp(readFileSync(FIXTURE, 'utf8')));
  });

  it.skipIf(live === undefined || !liveIs72)('match the installed qemu-system-x86_64 7.2 live', () => {
    expectSameAsHelp(parseMachineHelp(live ?? ''));
  });
});

describe('machine type history', () => {
  const names = (v: string): string[] => machinesOffered(v).map((m) => m.name);

  it('q35 types before 2.4 exist until 2.6 removes them (commit 86165b499edf)', () => {
    expect(names('2.4')).toContain('pc-q35-2.3');
    expect(names('2.4')).toContain('pc-q35-1.4');
    expect(names('2.6')).not.toContain('pc-q35-2.3');
    expect(names('2.6')).toContain('pc-q35-2.4');
  });

  it('a release offers its own machine version as newest and nothing newer', () => {
    expect(defaultMachine('2.12')).toBe('pc-i440fx-2.12');
    expect(names('2.9')).not.toContain('pc-i440fx-2.10');
    expect(machineAliases('8.0.1')).toEqual({ pc: 'pc-i440fx-8.0', q35: 'pc-q35-8.0' });
  });

  it('pc-q35-4.0.1 appears with the 4.0 stable branch, never for i440fx', () => {
    expect(names('3.1')).not.toContain('pc-q35-4.0.1');
    expect(names('4.2')).toContain('pc-q35-4.0.1');
    expect(names('4.2')).not.toContain('pc-i440fx-4.0.1');
  });

  it('removals: pc-1.x in 6.0, pc-i440fx-1.4..1.7 in 8.2, 2.0..2.3 by 9.2; microvm from 4.2', () => {
    expect(names('5.2')).toContain('pc-1.3');
    expect(names('6.0')).not.toContain('pc-1.3');
    expect(names('8.1')).toContain('pc-i440fx-1.4');
    expect(names('8.2')).not.toContain('pc-i440fx-1.7');
    expect(names('9.2')).not.toContain('pc-i440fx-2.3');
    expect(names('9.2')).toContain('pc-i440fx-2.4');
    expect(names('3.1')).not.toContain('microvm');
    expect(names('4.2')).toContain('microvm');
  });

  it('10.0 still registers 2.4 machine types (MACHINE_VER_DELETION only acts from 10.1)', () => {
    expect(names('10.0')).toContain('pc-q35-2.4');
    // boards.h: deprecated when (10 - major) > 3, or == 3 with minor <= 0.
    const dep = machinesOffered('10.0').filter((m) => m.deprecated).map((m) => m.name);
    expect(dep).toContain('pc-q35-7.0');
    expect(dep).not.toContain('pc-q35-7.1');
  });

  it('parses machine names into family and version', () => {
    expect(parseMachineName('pc-q35-4.0.1')).toEqual({ family: 'pc-q35', version: '4.0.1' });
    expect(parseMachineName('pc-i440fx-2.12')).toEqual({ family: 'pc-i440fx', version: '2.12' });
    expect(parseMachineName('microvm')).toEqual({ family: 'microvm' });
    expect(parseMachineName('pc-i440fx-2.13')).toBeUndefined();
  });
});
