/**
 * ACPI blob lengths by build, machine type and configuration
 * (src/devices/acpi/blob-lengths.ts), as the simulated builds use them for
 * their /rom@etc/* RAM blocks.
 *
 * The 7.2 figures are real: QEMU 7.2 (Debian) with
 *   qemu-system-x86_64 -nodefaults -m 32M -S -display none -monitor stdio \
 *     -M <machine> -smp 1,maxcpus=<N>   and HMP `info ramblock`
 * (used_length / max_length of /rom@etc/acpi/tables). The older builds'
 * figures are arithmetic from QEMU's own sizing code and numbers (pc_piix.c
 * legacy_acpi_table_size, acpi-build.c of 2.1), explained per case.
 */
import { describe, expect, it } from 'vitest';
import { acpiBlobLengths, fixedTables21, machineAcpi, type TablesRule } from '../../../../src/devices/acpi/index.js';
import { planFor } from '../../../../src/vm.js';
import { machineRecord, recordedMachines } from '../../../../src/vm/platform-source.js';
import { machineFirmwareLayout } from '../../../../src/machines/index.js';

const ACPI = ['/rom@etc/acpi/tables', '/rom@etc/table-loader', '/rom@etc/acpi/rsdp'];

function acpiBlocks(build: string, machine: string, smp?: string): [string, number, number, boolean][] {
  const plan = planFor(build, machine, smp === undefined ? {} : { smp });
  return plan.ramBlocks.filter((b) => ACPI.includes(b.idstr)).map((b) => [b.idstr, b.usedLength, b.maxLength, b.resizeable]);
}

const tablesUsed = (build: string, machine: string, maxcpus: number) =>
  acpiBlocks(build, machine, `1,maxcpus=${maxcpus}`).find((b) => b[0] === '/rom@etc/acpi/tables')?.[1];

describe('simulated 7.2: the computed ACPI blocks are the recorded ones for every machine type', () => {
  it.each(recordedMachines())('%s', (machine) => {
    const rec = machineRecord(machine)!;
    const recorded = rec.ramBlocks.filter(([id]) => ACPI.includes(id)).map(([id, used, max]) => [id, used, max]);
    expect(acpiBlocks('7.2', machine).map(([id, used, max]) => [id, used, max])).toEqual(recorded);
  });
});

describe('simulated 7.2 against real QEMU 7.2 with -smp 1,maxcpus=N (info ramblock)', () => {
  // [machine, maxcpus, real used_length of /rom@etc/acpi/tables]
  it.each([
    ['pc-i440fx-2.0', 1, 0x2000], ['pc-i440fx-2.0', 10, 0x2000], ['pc-i440fx-2.0', 11, 0x2000],
    ['pc-i440fx-2.0', 12, 0x3000], ['pc-i440fx-2.0', 13, 0x3000], ['pc-i440fx-2.0', 50, 0x3000], ['pc-i440fx-2.0', 51, 0x4000],
    ['pc-i440fx-1.7', 1, 0x2000], ['pc-i440fx-1.7', 11, 0x2000], ['pc-i440fx-1.7', 12, 0x2000],
    ['pc-i440fx-1.7', 13, 0x2000], ['pc-i440fx-1.7', 14, 0x3000],
    ['pc-i440fx-2.1', 1, 0x20000], ['pc-i440fx-2.1', 64, 0x20000], ['pc-i440fx-2.2', 12, 0x20000],
    ['pc-i440fx-2.3', 12, 0x20000], ['pc-i440fx-7.2', 64, 0x20000], ['pc-q35-2.4', 64, 0x20000], ['pc-q35-7.2', 64, 0x20000],
  ] as [string, number, number][])('%s maxcpus=%d: 0x%s', (machine, n, used) => {
    expect(tablesUsed('7.2', machine, n)).toBe(used);
  });

  it('the legacy sizing in 7.2 is ROUND_UP(324 + 8 N + legacy + 97 N, 0x1000): pc-i440fx-2.0 crosses 0x2000 between N = 11 and 12', () => {
    // FACS 64 + MADT (112 + 8 N) + HPET 56 + WAET 40 + RSDT 52 = 324 + 8 N; 7.2 counts DSDT and FADT as aml_len.
    expect(324 + 8 * 11 + 6652 + 97 * 11).toBe(8131);
    expect(324 + 8 * 12 + 6652 + 97 * 12).toBe(8236);
  });

  it('the loader stays one page (max 0x10000) and rsdp is a block only from pc-*-2.3 (rsdp_in_ram)', () => {
    expect(acpiBlocks('7.2', 'pc-i440fx-2.2')).toEqual([
      ['/rom@etc/acpi/tables', 0x20000, 0x200000, true],
      ['/rom@etc/table-loader', 0x1000, 0x10000, true],
    ]);
    expect(acpiBlocks('7.2', 'pc-i440fx-2.3', '1,maxcpus=12').map((b) => b[0])).toEqual(ACPI);
  });
});

describe('older builds: sizes from the sizing code of their time', () => {
  it('the 2.1 layout of the fixed tables is 400 + 8 per possible CPU (FACS, FADT, MADT, HPET, RSDT of four entries)', () => {
    expect(fixedTables21(1)).toBe(64 + 116 + 120 + 56 + 52);
  });

  it('QEMU 1.7 and 2.0 build their tables from the binary\'s AML, whatever the machine type', () => {
    const pc17 = machineAcpi('pc-i440fx-1.7', { maxCpus: 12 })!;
    const on = (build: string, rule: TablesRule) => acpiBlobLengths(pc17.cfg, { major: Number(build.split('.')[0]), minor: Number(build.split('.')[1]) }, pc17.board, rule)!.tables;
    // 1.7: 400 + 96 + 6414 + 1164 = 8074 -> 0x2000; 2.0: 400 + 96 + 6652 + 1164 = 8312 -> 0x3000.
    expect(on('1.7', { binaryAml: { base: 6414, perCpu: 97 } })).toBe(0x2000);
    expect(on('2.0', { binaryAml: { base: 6652, perCpu: 97 } })).toBe(0x3000);
    // 2.1 and 2.2 size pc-i440fx-1.7 as the 1.7 binary did (legacy_acpi_table_size 6414).
    expect(on('2.2', { padding: 0x20000 })).toBe(0x2000);
  });

  it.each([
    // maxcpus, 1.7 build, 2.0 build, 2.2 build, 7.2 build for -M pc-i440fx-1.7
    [1, 0x2000, 0x2000, 0x2000, 0x2000],
    [10, 0x2000, 0x2000, 0x2000, 0x2000],
    [11, 0x2000, 0x3000, 0x2000, 0x2000],
    [12, 0x2000, 0x3000, 0x2000, 0x2000],
    [13, 0x2000, 0x3000, 0x2000, 0x2000],
    [14, 0x3000, 0x3000, 0x3000, 0x3000],
    [50, 0x3000, 0x4000, 0x3000, 0x3000],
    [53, 0x4000, 0x4000, 0x4000, 0x4000],
  ] as [number, number, number, number, number][])('pc-i440fx-1.7 maxcpus=%d: 1.7 %i, 2.0 %i, 2.2 %i, 7.2 %i', (n, b17, b20, b22, b72) => {
    // 1.7: ROUND_UP(6814 + 105 N); 2.0: ROUND_UP(7052 + 105 N): they straddle a 4 KiB boundary for N = 11..13 and 50..52
    // ("Large variations cause migration to fail for more than one consecutive value of the -smp maxcpus option").
    expect([tablesUsed('1.7', 'pc-i440fx-1.7', n), tablesUsed('2.0', 'pc-i440fx-1.7', n), tablesUsed('2.2', 'pc-i440fx-1.7', n), tablesUsed('7.2', 'pc-i440fx-1.7', n)]).toEqual([b17, b20, b22, b72]);
  });

  it('pc-i440fx-2.0 is sized alike by 2.0 and 2.1/2.2 (the legacy sizing reproduces the 2.0 binary), differently by 7.2 at maxcpus=11', () => {
    expect([tablesUsed('2.0', 'pc-i440fx-2.0', 11), tablesUsed('2.2', 'pc-i440fx-2.0', 11), tablesUsed('7.2', 'pc-i440fx-2.0', 11)]).toEqual([0x3000, 0x3000, 0x2000]);
    expect([tablesUsed('2.0', 'pc-i440fx-2.0', 1), tablesUsed('2.2', 'pc-i440fx-2.0', 1)]).toEqual([0x2000, 0x2000]);
  });

  it('before 2.3 the blocks are fixed (max = used); 2.1 pads other machine types to 0x20000; 2.3 makes them resizeable', () => {
    expect(acpiBlocks('2.0', 'pc-i440fx-2.0')).toEqual([
      ['/rom@etc/acpi/tables', 0x2000, 0x2000, false],
      ['/rom@etc/table-loader', 0x1000, 0x1000, false],
    ]);
    expect(acpiBlocks('2.2', 'pc-i440fx-2.2')[0]).toEqual(['/rom@etc/acpi/tables', 0x20000, 0x20000, false]);
    expect(acpiBlocks('2.3', 'pc-i440fx-2.3')).toEqual([
      ['/rom@etc/acpi/tables', 0x20000, 0x200000, true],
      ['/rom@etc/table-loader', 0x1000, 0x1000, true],
      ['/rom@etc/acpi/rsdp', 0x1000, 0x1000, true],
    ]);
  });
});

describe('the machine data and the ACPI model agree', () => {
  it.each(recordedMachines())('%s: ACPI tables present and rsdp_in_ram as src/machines records them', (machine) => {
    const layout = machineFirmwareLayout(machine);
    const acpi = machineAcpi(machine);
    const lengths = acpi && acpiBlobLengths(acpi.cfg, { major: 7, minor: 2 }, acpi.board);
    expect(lengths !== undefined).toBe(layout.acpiTables !== 'none');
    if (lengths) expect(lengths.rsdp !== undefined).toBe(layout.rsdpInRam);
  });
});

describe('-smp words', () => {
  it('one vCPU is modelled; maxcpus is taken, more vCPUs are refused with a reason', () => {
    expect(planFor('7.2', 'pc-i440fx-2.0', { smp: '1,maxcpus=12' }).maxCpus).toBe(12);
    expect(() => planFor('7.2', 'pc-i440fx-2.0', { smp: '2' })).toThrow(/models one vCPU/);
    expect(() => planFor('7.2', 'pc-i440fx-2.0', { smp: '1,sockets=2' })).toThrow(/not modelled/);
    expect(() => planFor('7.2', 'pc-i440fx-2.0', { smp: '1,maxcpus=x' })).toThrow(/invalid -smp/);
  });
});
