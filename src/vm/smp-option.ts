/**
 * QEMU's -smp words, as far as the simulator models them: one vCPU (its
 * cpu, cpu_common and apic sections), any number of possible ones.
 * `maxcpus` only changes the ACPI tables (MADT entries and CPU AML); real
 * QEMU 7.2 writes the same sections for -smp 1 and -smp 1,maxcpus=12 and
 * only the /rom@etc/acpi/tables contents and length differ.
 */
import { BootError } from './boot-error.js';

export interface SmpConfig {
  cpus: number;
  maxCpus: number;
}

/** QEMU's limit for the PC machines' possible CPUs (pc max_cpus 288 in 7.2; x2APIC needed above 255). */
const MAX_CPUS = 288;

export function parseSmp(smp: string | undefined): SmpConfig {
  if (smp === undefined || smp === '') return { cpus: 1, maxCpus: 1 };
  const parts = smp.split(',');
  let cpus: number | undefined;
  let maxCpus: number | undefined;
  for (const [i, part] of parts.entries()) {
    const [key, value] = part.includes('=') ? part.split('=', 2) : [i === 0 ? 'cpus' : part, undefined];
    const n = value === undefined && key !== 'cpus' ? NaN : Number(value ?? part);
    if (!Number.isInteger(n) || n < 1) throw new BootError('bad-option', `invalid -smp '${smp}' (e.g. 1,maxcpus=12)`);
    if (key === 'cpus') cpus = n;
    else if (key === 'maxcpus') maxCpus = n;
    else throw new BootError('bad-option', `-smp '${key}' is not modelled (only cpus and maxcpus)`);
  }
  const c = cpus ?? 1;
  const m = maxCpus ?? c;
  if (c !== 1) throw new BootError('bad-option', `-smp ${smp}: the simulator models one vCPU; use 1,maxcpus=N for possible (hotpluggable) CPUs`);
  if (m < c) throw new BootError('bad-option', `-smp ${smp}: maxcpus must be at least cpus`);
  if (m > MAX_CPUS) throw new BootError('bad-option', `-smp ${smp}: maxcpus above ${MAX_CPUS} is not modelled`);
  return { cpus: c, maxCpus: m };
}
