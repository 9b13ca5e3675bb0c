import { afterAll, expect, it } from 'vitest';
import { loadIntoQemu } from '../../harness/targets/qemu-target.js';
import { boot } from '../../src/vm.js';
import { assertNoQemuLeft, describeQemu } from './qemu-env.js';

/**
 * Real QEMU 7.2 as the judge of what src/vm's boot() makes: a booted
 * pc-q35-7.2 / pc-i440fx-7.2 machine of the simulated 7.2 build (firmware:
 * BARs, ACPI linker/loader, vmgenid address; workload: RAM, RTC CMOS, PIT,
 * e1000 MAC filter and rings, PCI command / interrupt line, AHCI MSI through
 * the config masks; three RAM passes) is accepted. One QEMU at a time.
 */
describeQemu('real QEMU 7.2 loads booted simulated machines', (qemu) => {
  afterAll(() => assertNoQemuLeft());
  const cases: [string, string[]][] = [
    ['pc-q35-7.2', ['e1000', 'virtio-net-pci', 'vmgenid,guid=324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87']],
    ['pc-i440fx-7.2', ['virtio-net-pci', 'e1000']],
  ];
  it.each(cases)('%s %j', async (machine, devices) => {
    const stream = boot('7.2', machine, { devices, seed: 21, rounds: 2 }).save();
    const r = await loadIntoQemu(qemu, { machine, devices, ram: '32M' }, stream);
    expect(r.verdict, r.log.join('\n')).toEqual({ kind: 'accepted' });
  });
});
