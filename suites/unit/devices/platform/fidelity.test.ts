/**
 * Fidelity target: for every machine type QEMU 7.2 offers, the platform data
 * gives the same sections (idstr, instance id, version, subsections, field
 * sizes) as the vmdesc real QEMU 7.2 appended to its own `-nodefaults -m 32M`
 * stream (committed under src/devices/platform/qemu-7.2/vmdesc).
 */
import { describe, expect, it } from 'vitest';
import { platformMachines, platformSections, type VmdescSection } from '../../../../src/devices/platform/index.js';
import { realVmdesc } from './fixtures.js';

/** Machine types `qemu-system-x86_64 -machine help` lists for 7.2 (aliases pc/q35, none and x-remote left out). */
const QEMU_72_MACHINES = [
  'microvm', 'isapc',
  ...['1.4', '1.5', '1.6', '1.7', '2.0', '2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '2.10', '2.11', '2.12',
    '3.0', '3.1', '4.0', '4.1', '4.2', '5.0', '5.1', '5.2', '6.0', '6.1', '6.2', '7.0', '7.1', '7.2'].map((v) => `pc-i440fx-${v}`),
  ...['2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '2.10', '2.11', '2.12', '3.0', '3.1', '4.0', '4.0.1', '4.1', '4.2',
    '5.0', '5.1', '5.2', '6.0', '6.1', '6.2', '7.0', '7.1', '7.2'].map((v) => `pc-q35-${v}`),
];

/**
 * Bytes a vmdesc entry says a section body took, summed straight from the
 * JSON: each field's size times its array length, plus per subsection the
 * QEMU_VM_SUBSECTION byte, the name length byte, the name and a be32 version.
 */
function vmdescBodyBytes(node: { fields?: { size?: number; array_len?: number }[]; subsections?: { vmsd_name: string }[] }): number {
  let n = 0;
  for (const f of node.fields ?? []) n += (f.size ?? 0) * (f.array_len ?? 1);
  for (const s of node.subsections ?? []) n += 1 + 1 + s.vmsd_name.length + 4 + vmdescBodyBytes(s as never);
  return n;
}

describe('QEMU 7.2 platform data covers every machine type', () => {
  it('has exactly the machine types QEMU 7.2 lists', () => {
    expect([...platformMachines()].sort()).toEqual([...QEMU_72_MACHINES].sort());
  });
});

describe.each(QEMU_72_MACHINES)('%s default stream', (machine) => {
  const real = realVmdesc(machine).devices;
  const ours = platformSections(machine);

  it('has the same sections, instance ids and versions, in order', () => {
    expect(ours.map((s) => [s.idstr, s.instance_id, s.version_id])).toEqual(real.map((d: VmdescSection) => [d.name, d.instance_id, d.version]));
  });

  it('carries the same subsections', () => {
    expect(ours.map((s) => s.subsections)).toEqual(real.map((d) => (d.subsections ?? []).map((x) => x.vmsd_name)));
  });

  it('has bodies as long as the vmdesc field sizes add up to', () => {
    expect(ours.map((s) => s.body.length)).toEqual(real.map((d) => vmdescBodyBytes(d)));
  });

  it('names the vmsd each section was written with', () => {
    expect(ours.map((s) => s.description.name)).toEqual(real.map((d) => d.vmsd_name));
  });
});
