/**
 * Properties of the recorded schemas and the descriptions made from them.
 */
import { describe, expect, it } from 'vitest';
import { WireReader, WireWriter } from '../../../../src/wire/index.js';
import { loadVMState, saveVMState } from '../../../../src/vmstate/index.js';
import { platformSchemas, platformSections, ramBlocks as ramBlocksOf, type PlatformSchema } from '../../../../src/devices/platform/index.js';

function stateKeys(s: PlatformSchema): string[] {
  return [...s.fields.map((f) => f.name), ...(s.subsections ?? []).flatMap(stateKeys)];
}

describe('recorded schemas', () => {
  it.each(Object.entries(platformSchemas()))('%s: main and subsection fields share one state object without clashing', (_key, schema) => {
    const keys = stateKeys(schema);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every section schema knows its minimum_version_id', () => {
    expect(Object.entries(platformSchemas()).filter(([, s]) => s.min === undefined).map(([k]) => k)).toEqual([]);
  });
});

describe('descriptions made from the schemas', () => {
  const byName = (machine: string, idstr: string) => platformSections(machine).find((s) => s.idstr === idstr)!;

  it('cpu: version 12, minimum 11 (target/i386/machine.c), with poll_control_msr needed in the real default state', () => {
    const cpu = byName('pc-q35-7.2', 'cpu');
    expect([cpu.description.version_id, cpu.description.minimum_version_id]).toEqual([12, 11]);
    const sub = cpu.description.subsections!.find((s) => s.name === 'cpu/poll_control_msr')!;
    // needed when env.poll_control_msr != 1; the paused TCG guest has not set it to 1.
    expect(cpu.state['env.poll_control_msr']).not.toBe(1n);
    expect(sub.needed!(cpu.state)).toBe(true);
    expect(sub.needed!({ ...cpu.state, 'env.poll_control_msr': 1n })).toBe(false);
  });

  it('PCIBUS nirq is an *_EQUAL field: 4 INTx lines on i440FX, 8 PIRQ lines on Q35', () => {
    const field = (m: string) => byName(m, 'PCIBUS').description.fields[0]!;
    expect(field('pc-i440fx-7.2')).toMatchObject({ name: 'nirq', kind: 'equal', type: 'int32' });
    expect(byName('pc-i440fx-7.2', 'PCIBUS').state.nirq).toBe(4);
    expect(byName('pc-q35-7.2', 'PCIBUS').state.nirq).toBe(8);
  });

  it('a subsection is left out once its fields are gone from the state, and the body shrinks by exactly its bytes', () => {
    const fw = byName('pc-q35-7.2', 'fw_cfg');
    const { table_mr_size: _a, linker_mr_size: _b, rsdp_mr_size: _c, ...without } = fw.state;
    const w = new WireWriter();
    saveVMState(w, fw.description, without);
    // 0x05, name length, "fw_cfg/acpi_mr" (14 bytes), be32 version, three be64 sizes.
    expect(fw.body.length - w.finish().length).toBe(1 + 1 + 14 + 4 + 3 * 8);
  });

  it('fw_cfg/acpi_mr carries the ACPI memory region sizes; RAM block used_length is each rounded up to a 4 KiB page', () => {
    const fw = byName('pc-q35-7.2', 'fw_cfg');
    const sizes = [fw.state.table_mr_size, fw.state.linker_mr_size, fw.state.rsdp_mr_size].map(Number);
    // The RSDP of ACPI 1.0 (revision 0), which x86 QEMU builds, is 20 bytes; tables are padded to 0x20000.
    expect(sizes[0]).toBe(0x20000);
    expect(sizes[2]).toBe(20);
    const used = (id: string) => ramBlocksOf('pc-q35-7.2').find((b) => b.idstr === id)!.used_length;
    expect([used('/rom@etc/acpi/tables'), used('/rom@etc/table-loader'), used('/rom@etc/acpi/rsdp')]).toEqual(sizes.map((n) => Math.ceil(n / 4096) * 4096));
  });

  it('refuses a section one version above the recorded one, in QEMU words', () => {
    const hpet = byName('pc-q35-7.2', 'hpet');
    expect(() => loadVMState(new WireReader(hpet.body), hpet.description, hpet.version_id + 1, hpet.state)).toThrow(/unsupported version 3/);
  });
});

describe('platformSections state copies', () => {
  it('each call returns its own default state: mutating one never leaks into the next', () => {
    const a = platformSections('pc-q35-7.2').find((s) => s.idstr === 'cpu')!;
    (a.state['env.regs'] as bigint[])[0] = 0xdeadn;
    a.body[0] = 0xff;
    const b = platformSections('pc-q35-7.2').find((s) => s.idstr === 'cpu')!;
    expect((b.state['env.regs'] as bigint[])[0]).not.toBe(0xdeadn);
    expect(b.body[0]).not.toBe(0xff);
  });

  it('the same bytes under two layouts decode under their own layout (port92 and acpi_build are both one zero byte)', () => {
    const secs = platformSections('pc-q35-7.2');
    expect(secs.find((s) => s.idstr === 'port92')!.state).toEqual({ outport: 0 });
    expect(secs.find((s) => s.idstr === 'acpi_build')!.state).toEqual({ patched: 0 });
  });
});
