/**
 * The vmdesc the project's walker writes for the recorded default state is
 * the vmdesc real QEMU 7.2 wrote, entry for entry (field names, types,
 * sizes, array_len / index, nested structs and tmp, subsections).
 */
import { describe, expect, it } from 'vitest';
import { vmdescFromDescription } from '../../../../src/vmstate/index.js';
import { platformMachines, platformSections } from '../../../../src/devices/platform/index.js';
import { realVmdesc } from './fixtures.js';

describe.each(platformMachines())('%s vmdesc', (machine) => {
  it('equals the real one', () => {
    const ours = platformSections(machine, [], { copyState: false }).map((s) =>
      vmdescFromDescription(s.description, s.state, { name: s.idstr, instance_id: s.instance_id }),
    );
    expect(JSON.parse(JSON.stringify(ours))).toEqual(realVmdesc(machine).devices);
  });
});
