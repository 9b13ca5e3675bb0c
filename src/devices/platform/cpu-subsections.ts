/**
 * x86 `cpu` subsections that no capture carries (a paused TCG guest never
 * needs them) but whose layout and `needed` condition are a few scalar MSR
 * fields, written from QEMU 7.2's target/i386/machine.c. They let the
 * simulated build write and accept the subsections a guest that touched
 * those MSRs produces. Every one is version 1, minimum 1; fields are
 * VMSTATE_UINT64 unless noted; QEMU sends them in the order of
 * vmstate_x86_cpu.subsections, which this list keeps (poll_control_msr, the
 * one the captures carry, sits between steal_time_msr and fpop_ip_dp).
 */
import type { StateObject } from '../../vmstate/description.js';
import type { PlatformSchema } from './schema.js';

interface CpuSubsection {
  name: string;
  fields: [string, 'uint64' | 'uint16', number?][];
  needed: (s: StateObject) => boolean;
}

/** A field the state lacks counts as 0: QEMU's env starts zeroed. */
function nz(s: StateObject, key: string): boolean {
  const v = s[key];
  if (v === undefined) return false;
  if (Array.isArray(v)) return v.some((e) => e !== 0 && e !== 0n);
  return v !== 0 && v !== 0n;
}

/** MSR_IA32_MISC_ENABLE_DEFAULT (target/i386/cpu.h): fast strings enabled. */
const MSR_IA32_MISC_ENABLE_DEFAULT = 1n;
/** target/i386/cpu.h: MAX_FIXED_COUNTERS 3, MAX_GP_COUNTERS (0x198 - 0x186) = 18. */
const MAX_FIXED_COUNTERS = 3;
const MAX_GP_COUNTERS = 18;

export const CPU_SUBSECTIONS_BEFORE_POLL_CONTROL: CpuSubsection[] = [
  { name: 'cpu/async_pf_msr', fields: [['env.async_pf_en_msr', 'uint64']], needed: (s) => nz(s, 'env.async_pf_en_msr') },
  { name: 'cpu/async_pf_int_msr', fields: [['env.async_pf_int_msr', 'uint64']], needed: (s) => nz(s, 'env.async_pf_int_msr') },
  { name: 'cpu/async_pv_eoi_msr', fields: [['env.pv_eoi_en_msr', 'uint64']], needed: (s) => nz(s, 'env.pv_eoi_en_msr') },
  { name: 'cpu/steal_time_msr', fields: [['env.steal_time_msr', 'uint64']], needed: (s) => nz(s, 'env.steal_time_msr') },
];

export const CPU_SUBSECTIONS_AFTER_POLL_CONTROL: CpuSubsection[] = [
  {
    name: 'cpu/fpop_ip_dp',
    fields: [['env.fpop', 'uint16'], ['env.fpip', 'uint64'], ['env.fpdp', 'uint64']],
    needed: (s) => nz(s, 'env.fpop') || nz(s, 'env.fpip') || nz(s, 'env.fpdp'),
  },
  { name: 'cpu/msr_tsc_adjust', fields: [['env.tsc_adjust', 'uint64']], needed: (s) => nz(s, 'env.tsc_adjust') },
  { name: 'cpu/msr_tscdeadline', fields: [['env.tsc_deadline', 'uint64']], needed: (s) => nz(s, 'env.tsc_deadline') },
  {
    name: 'cpu/msr_ia32_misc_enable',
    fields: [['env.msr_ia32_misc_enable', 'uint64']],
    needed: (s) => s['env.msr_ia32_misc_enable'] !== undefined && BigInt(s['env.msr_ia32_misc_enable'] as bigint) !== MSR_IA32_MISC_ENABLE_DEFAULT,
  },
  { name: 'cpu/msr_ia32_feature_control', fields: [['env.msr_ia32_feature_control', 'uint64']], needed: (s) => nz(s, 'env.msr_ia32_feature_control') },
  {
    name: 'cpu/msr_architectural_pmu',
    fields: [
      ['env.msr_fixed_ctr_ctrl', 'uint64'],
      ['env.msr_global_ctrl', 'uint64'],
      ['env.msr_global_status', 'uint64'],
      ['env.msr_global_ovf_ctrl', 'uint64'],
      ['env.msr_fixed_counters', 'uint64', MAX_FIXED_COUNTERS],
      ['env.msr_gp_counters', 'uint64', MAX_GP_COUNTERS],
      ['env.msr_gp_evtsel', 'uint64', MAX_GP_COUNTERS],
    ],
    needed: (s) =>
      ['env.msr_fixed_ctr_ctrl', 'env.msr_global_ctrl', 'env.msr_global_status', 'env.msr_global_ovf_ctrl', 'env.msr_fixed_counters', 'env.msr_gp_counters', 'env.msr_gp_evtsel'].some((k) => nz(s, k)),
  },
];

function schemaOf(sub: CpuSubsection): PlatformSchema {
  return {
    name: sub.name,
    version: 1,
    min: 1,
    fields: sub.fields.map(([name, type, len]) => ({ name, type, size: type === 'uint64' ? 8 : 2, ...(len !== undefined ? { len } : {}) })),
  };
}

/** The recorded cpu subsections with the source-derived ones around them, in QEMU's order. */
export function withCpuSubsections(recorded: PlatformSchema[]): PlatformSchema[] {
  const out = recorded.filter((s) => s.name !== 'cpu/poll_control_msr');
  const poll = recorded.find((s) => s.name === 'cpu/poll_control_msr');
  const before = CPU_SUBSECTIONS_BEFORE_POLL_CONTROL.map(schemaOf).filter((s) => !out.some((o) => o.name === s.name));
  const after = CPU_SUBSECTIONS_AFTER_POLL_CONTROL.map(schemaOf).filter((s) => !out.some((o) => o.name === s.name));
  return [...before, ...(poll ? [poll] : []), ...after, ...out];
}

export const CPU_NEEDED: Record<string, (s: StateObject) => boolean> = Object.fromEntries(
  [...CPU_SUBSECTIONS_BEFORE_POLL_CONTROL, ...CPU_SUBSECTIONS_AFTER_POLL_CONTROL].map((s) => [s.name, s.needed]),
);
