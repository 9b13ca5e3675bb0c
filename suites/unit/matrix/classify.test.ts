/**
 * Classification against the real catalog's expected breaks
 * (src/builds/expected-breaks.ts): the outcomes are made up, the breaks
 * and their reasons are the catalog's.
 */
import { describe, expect, it } from 'vitest';
import { classifyCell } from '../../../harness/matrix/classify.js';
import { planMatrix } from '../../../harness/matrix/plan.js';
import { selectBuilds, simulatedBuilds } from '../../../harness/matrix/builds.js';
import type { BuildRef, CellOutcome, PlannedCell } from '../../../harness/matrix/types.js';
import type { Verdict } from '../../../harness/targets/target.js';

const ALL = simulatedBuilds({ all: true });
const BUILDS = new Map(ALL.map((b) => [b.name, b] as const));

function cell(machine: string, from: string, to: string, direction: PlannedCell['direction'], devices: string[] = []): PlannedCell {
  const builds = selectBuilds(ALL, `${from},${to}`).builds;
  const plan = planMatrix({ builds, machines: [machine], deviceSets: devices.length ? [devices] : [] });
  const found = plan.cells.find((c) => c.from === from && c.to === to && c.direction === direction && c.devices.length === devices.length);
  if (found === undefined) throw new Error(`no planned cell ${machine} ${from} ${to} ${direction}`);
  return found;
}

function outcome(verdict: Verdict, extra: Partial<CellOutcome> = {}): CellOutcome {
  return { verdict, streamBytes: 100, saveMs: 1, loadMs: 1, ...extra };
}

const badConfig: Verdict = { kind: 'refused', code: 'pci.bad-config-data', message: 'get_pci_config_device: Bad config data' };

describe('classifyCell', () => {
  it('accepted with equal state is a pass', () => {
    const r = classifyCell(cell('pc-q35-7.2', '7.2', '8.0', 'forward'), outcome({ kind: 'accepted' }, { sourceState: 'a\n', destState: 'a\n' }), BUILDS);
    expect(r.class).toBe('pass');
    expect(r.diff).toBeUndefined();
  });

  it('4.0 -> 3.1 on pc-i440fx-3.1 with a root port, refused Bad config data: the ACS expected break', () => {
    const r = classifyCell(cell('pc-i440fx-3.1', '4.0', '3.1', 'backward', ['pcie-root-port']), outcome(badConfig), BUILDS);
    expect(r.class).toBe('expected-break');
    expect(r.expected?.id).toBe('pcie-acs-4.0');
    expect(r.expected?.reason).toMatch(/ACS/);
  });

  it('the same refusal without the device the break needs is a regression', () => {
    const r = classifyCell(cell('pc-i440fx-3.1', '4.0', '3.1', 'backward'), outcome(badConfig), BUILDS);
    expect(r.class).toBe('regression');
  });

  it('a refusal with another code than the catalog documents is a regression', () => {
    const r = classifyCell(cell('pc-i440fx-3.1', '4.0', '3.1', 'backward', ['pcie-root-port']), outcome({ kind: 'refused', code: 'ram.size-mismatch', message: 'x' }), BUILDS);
    expect(r.class).toBe('regression');
  });

  it('ACPI tables of another size into a pre-2.3 destination: expected forward (2.3 -> 2.2), not backward', () => {
    const refused: Verdict = { kind: 'refused', code: 'ram.size-mismatch', message: 'Length mismatch: /rom@etc/acpi/tables: 0x20000 in != 0x10000' };
    // The catalog's a-to-b: a from 1.7, b up to 2.2; on pc-i440fx machine types 1.7 .. 2.2.
    expect(classifyCell(cell('pc-i440fx-2.0', '2.3', '2.2', 'backward'), outcome(refused), BUILDS).expected?.id).toBe('acpi-tables-fixed-size-before-2.3');
    // 2.2 -> 2.3: the destination resizes, so a refusal there is news.
    expect(classifyCell(cell('pc-i440fx-2.0', '2.2', '2.3', 'forward'), outcome(refused), BUILDS).class).toBe('regression');
  });

  it('a q35 guest on 2.3 is blocked even against itself (same-build break)', () => {
    const blocked: Verdict = { kind: 'refused', code: 'migration.blocked', message: "State blocked by non-migratable device '0000:00:1f.2/ich9_ahci'" };
    const r = classifyCell(cell('pc-q35-2.0', '2.3', '2.3', 'control'), outcome(blocked, { blocked: true, streamBytes: 0 }), BUILDS);
    expect(r.class).toBe('expected-break');
    expect(r.expected?.id).toBe('q35-unmigratable-before-2.4');
    // From 2.4 on the same control must pass: a blocker there is news.
    expect(classifyCell(cell('pc-q35-2.4', '2.4', '2.4', 'control'), outcome(blocked, { blocked: true }), BUILDS).class).toBe('regression');
  });

  it('a round trip takes the break of the leg that failed', () => {
    const c = cell('pc-i440fx-3.1', '3.1', '4.0', 'round-trip', ['pcie-root-port']);
    expect(classifyCell(c, outcome(badConfig, { leg: { from: '4.0', to: '3.1' } }), BUILDS).expected?.id).toBe('pcie-acs-4.0');
    // Without a leg, every leg of the route is considered.
    expect(classifyCell(c, outcome(badConfig), BUILDS).class).toBe('expected-break');
  });

  it('state that differs after an accepted load is a regression with a diff, unless the catalog says so', () => {
    const r = classifyCell(cell('pc-q35-7.2', '7.2', '8.0', 'forward'), outcome({ kind: 'accepted' }, { sourceState: 'reg 1\nx 0\n', destState: 'reg 2\nx 0\n' }), BUILDS);
    expect(r.class).toBe('regression');
    expect(r.diff).toContain('-reg 1');
    expect(r.diff).toContain('+reg 2');
    // Seed 001: 3.0 -> 2.12 on an unregistered-RAM board is accepted but the RAM is not sent.
    const board = classifyCell(cell('malta', '3.0', '2.12', 'backward'), outcome({ kind: 'accepted' }, { sourceState: 'ram 1\n', destState: 'ram 0\n' }), BUILDS);
    expect(board.class).toBe('expected-break');
    expect(board.expected?.id).toBe('ram-migratable-unregistered-boards');
    expect(board.diff).toContain('+ram 0');
  });

  it('hang and crash are regressions; harness errors keep their own class', () => {
    const c = cell('pc-q35-7.2', '7.2', '8.0', 'forward');
    expect(classifyCell(c, outcome({ kind: 'hang', message: 'no verdict in 30000 ms' }), BUILDS).class).toBe('regression');
    expect(classifyCell(c, outcome({ kind: 'crash', message: 'SIGSEGV' }), BUILDS).class).toBe('regression');
    expect(classifyCell(c, outcome({ kind: 'harness-error', message: 'no socket' }), BUILDS).class).toBe('harness-error');
  });

  it('a real binary without a catalog release has no expected breaks', () => {
    const real: BuildRef = { name: 'qemu-5.1.0', kind: 'qemu', version: '5.1.0', machines: ['pc-i440fx-3.1'] };
    const builds = new Map([...BUILDS, [real.name, real] as const]);
    const c: PlannedCell = { id: 'x', machine: 'pc-i440fx-3.1', family: 'pc-i440fx', from: '4.0', to: real.name, direction: 'forward', devices: ['pcie-root-port'], ram: '32M', seed: 1 };
    expect(classifyCell(c, outcome(badConfig), builds).class).toBe('regression');
  });
});
