/**
 * The x86 cpu subsections added from target/i386/machine.c: absent from the
 * default stream (the recorded bodies still match, see bodies.test.ts), and
 * written in QEMU's subsection format and order once a guest sets the MSR.
 */
import { describe, expect, it } from 'vitest';
import { WireReader, WireWriter } from '../../../../src/wire/index.js';
import { loadVMState, saveVMState } from '../../../../src/vmstate/index.js';
import { platformSections } from '../../../../src/devices/platform/index.js';

const cpu = () => platformSections('pc-q35-7.2').find((s) => s.idstr === 'cpu')!;

/** QEMU_VM_SUBSECTION, name length, name, be32 version, then the field bytes. */
function subsectionBytes(name: string, version: number, body: number[]): number[] {
  const v = [(version >>> 24) & 0xff, (version >>> 16) & 0xff, (version >>> 8) & 0xff, version & 0xff];
  return [0x05, name.length, ...Buffer.from(name, 'latin1'), ...v, ...body];
}

const be64 = (n: bigint) => [...Array(8)].map((_, i) => Number((n >> BigInt(56 - 8 * i)) & 0xffn));

describe('cpu subsections from target/i386/machine.c', () => {
  it('the default state needs none of them, only poll_control_msr', () => {
    const c = cpu();
    const needed = c.description.subsections!.filter((s) => s.needed!(c.state)).map((s) => s.name);
    expect(needed).toEqual(['cpu/poll_control_msr']);
  });

  it('async_pf_msr is written before poll_control_msr once env.async_pf_en_msr != 0', () => {
    const c = cpu();
    const w = new WireWriter();
    saveVMState(w, c.description, { ...c.state, 'env.async_pf_en_msr': 0x1234n });
    // The real body ends with the poll_control_msr subsection: 1 + 1 + 20 + 4 + 8 = 34 bytes.
    const head = [...c.body.subarray(0, c.body.length - 34)];
    const poll = [...c.body.subarray(c.body.length - 34)];
    expect([...w.finish()]).toEqual([...head, ...subsectionBytes('cpu/async_pf_msr', 1, be64(0x1234n)), ...poll]);
  });

  it('loads such a body back, the MSR included', () => {
    const c = cpu();
    const w = new WireWriter();
    saveVMState(w, c.description, { ...c.state, 'env.steal_time_msr': 0x5000n, 'env.tsc_deadline': 7n });
    const bytes = w.finish();
    const r = new WireReader(bytes);
    const s = loadVMState(r, c.description, 12, c.state);
    expect(r.pos).toBe(bytes.length);
    expect([s['env.steal_time_msr'], s['env.tsc_deadline']]).toEqual([0x5000n, 7n]);
  });

  it('msr_ia32_misc_enable is needed only away from MSR_IA32_MISC_ENABLE_DEFAULT (1)', () => {
    const sub = cpu().description.subsections!.find((s) => s.name === 'cpu/msr_ia32_misc_enable')!;
    expect(sub.needed!({ 'env.msr_ia32_misc_enable': 1n })).toBe(false);
    expect(sub.needed!({ 'env.msr_ia32_misc_enable': 0n })).toBe(true);
  });

  it('fpop_ip_dp: uint16 fpop then two uint64, 18 bytes', () => {
    const c = cpu();
    const w = new WireWriter();
    saveVMState(w, c.description, { ...c.state, 'env.fpop': 0x1d9, 'env.fpip': 0n, 'env.fpdp': 0n });
    expect(w.finish().length - c.body.length).toBe(1 + 1 + 'cpu/fpop_ip_dp'.length + 4 + 2 + 8 + 8);
  });
});

describe('cpu/msr_smi_count, recorded from a machine whose firmware ran', () => {
  it('comes after poll_control_msr and is needed once SMIs were counted', () => {
    const c = cpu();
    const names = c.description.subsections!.map((s) => s.name);
    expect(names.indexOf('cpu/msr_smi_count')).toBeGreaterThan(names.indexOf('cpu/poll_control_msr'));
    const w = new WireWriter();
    saveVMState(w, c.description, { ...c.state, 'env.msr_smi_count': 2n });
    expect([...w.finish()]).toEqual([...c.body, ...subsectionBytes('cpu/msr_smi_count', 1, be64(2n))]);
  });
});

describe('ICH9LPC/rst_cnt, recorded from a pc-q35 machine after a write to port 0xcf9', () => {
  it('is needed once rst_cnt != 0 (lpc_ich9.c ich9_rst_cnt_needed) and goes after the fields', () => {
    const lpc = platformSections('pc-q35-7.2').find((s) => s.idstr === '0000:00:1f.0/ICH9LPC')!;
    expect(lpc.subsections).toEqual([]);
    const w = new WireWriter();
    saveVMState(w, lpc.description, { ...lpc.state, rst_cnt: 2 });
    expect([...w.finish()]).toEqual([...lpc.body, ...subsectionBytes('ICH9LPC/rst_cnt', 1, [2])]);
  });
});
