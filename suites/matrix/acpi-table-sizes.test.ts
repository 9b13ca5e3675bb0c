/**
 * The pre-2.3 ACPI break in the matrix (seed 000): with -M pc-i440fx-1.7
 * -smp 1,maxcpus=12 the QEMU 2.0 binary builds 0x3000 bytes of tables and
 * every other build 0x2000 (pc_piix.c: 6652 vs 6414 bytes of AML + 97 per
 * possible CPU over 400 + 8 * 12 bytes of fixed tables, 4 KiB aligned;
 * 7.2's 0x2000 checked on real QEMU 7.2). A destination older than 2.3
 * cannot resize, so it refuses another size; 2.3 and later resize within
 * max_length. With one possible CPU every build agrees and every cell passes.
 */
import { describe, expect, it } from 'vitest';
import { runMatrix, simulatedBuilds } from '../../harness/index.js';

const BUILDS = ['1.7', '2.0', '2.2', '2.3', '7.2'];

async function cellsFor(smp?: string): Promise<Map<string, { cls: string; message?: string; expected?: string }>> {
  const builds = simulatedBuilds().filter((b) => BUILDS.includes(b.name));
  const result = await runMatrix({ builds, machines: ['pc-i440fx-1.7'], workers: 1, roundTrip: false, control: false, ...(smp ? { smp } : {}) });
  const out = new Map<string, { cls: string; message?: string; expected?: string }>();
  for (const c of result.cells) {
    out.set(`${c.from}>${c.to}`, {
      cls: c.class,
      ...(c.verdict.kind === 'refused' ? { message: c.verdict.message } : {}),
      ...(c.expected ? { expected: c.expected.id } : {}),
    });
  }
  return out;
}

describe('pc-i440fx-1.7 ACPI tables across builds', () => {
  it('-smp 1,maxcpus=12: fixed-size destinations refuse the other size with pre-2.3 ram_load wording; resizeable ones take it', async () => {
    const cells = await cellsFor('1,maxcpus=12');
    const broken = [...cells].filter(([, c]) => c.cls !== 'pass').map(([k]) => k).sort();
    // 2.0 (0x3000) against 1.7 and 2.2 (0x2000) both ways, and 2.3 / 7.2 (0x2000) into 2.0.
    expect(broken).toEqual(['1.7>2.0', '2.0>1.7', '2.0>2.2', '2.2>2.0', '2.3>2.0', '7.2>2.0']);
    for (const k of broken) expect(cells.get(k)).toMatchObject({ cls: 'expected-break', expected: 'acpi-tables-fixed-size-before-2.3' });
    expect(cells.get('1.7>2.0')?.message).toBe('Length mismatch: /rom@etc/acpi/tables: 0x2000 in != 0x3000');
    expect(cells.get('2.0>1.7')?.message).toBe('Length mismatch: /rom@etc/acpi/tables: 0x3000 in != 0x2000');
    // 2.0 -> 2.3 / 7.2: resized from 0x2000 to 0x3000 within max_length 0x200000.
    expect(cells.get('2.0>2.3')?.cls).toBe('pass');
    expect(cells.get('2.0>7.2')?.cls).toBe('pass');
  });

  it('one possible CPU: all builds build 0x2000, every cell passes', async () => {
    const cells = await cellsFor();
    expect([...cells.values()].every((c) => c.cls === 'pass')).toBe(true);
    expect(cells.size).toBe(20);
  });
});
