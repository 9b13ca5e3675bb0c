/**
 * The simulated 7.2 build's ACPI RAM blocks (computed from the machine type
 * and -smp maxcpus, src/devices/acpi/blob-lengths.ts) against real QEMU 7.2's
 * `info ramblock`, configuration by configuration, around the 4 KiB steps of
 * the legacy-sized machine types (pc-i440fx-1.7 / 2.0) and for the padded ones.
 * And a real 7.2 stream with pc-i440fx-1.7,maxcpus=12 (0x2000 of tables) is
 * refused by the simulated 2.0 build (0x3000, fixed size) with pre-2.3
 * ram_load's words, and accepted by the simulated 7.2 build.
 */
import { afterAll, expect, it } from 'vitest';
import { captureStream, ramBlocksOf } from '../../harness/targets/qemu-target.js';
import { loadInto, planFor } from '../../src/vm.js';
import { assertNoQemuLeft, describeQemu } from './qemu-env.js';

const ACPI = /^\/rom@etc\/(acpi\/tables|table-loader|acpi\/rsdp)$/;

const CASES: [string, string][] = [
  ['pc-i440fx-1.7', '1,maxcpus=13'],
  ['pc-i440fx-1.7', '1,maxcpus=14'],
  ['pc-i440fx-2.0', '1,maxcpus=11'],
  ['pc-i440fx-2.0', '1,maxcpus=12'],
  ['pc-i440fx-2.0', '1,maxcpus=51'],
  ['pc-i440fx-2.2', '1,maxcpus=12'],
  ['pc-i440fx-2.3', '1,maxcpus=64'],
  ['pc-q35-7.2', '1,maxcpus=64'],
];

describeQemu('real QEMU 7.2: ACPI blob lengths by machine type and -smp maxcpus', (qemu) => {
  afterAll(() => assertNoQemuLeft());

  it.each(CASES)('%s -smp %s', async (machine, smp) => {
    const real = (await ramBlocksOf(qemu, { machine, smp })).filter((b) => ACPI.test(b.idstr)).map((b) => [b.idstr, b.used, b.max]);
    const sim = planFor('7.2', machine, { smp }).ramBlocks.filter((b) => ACPI.test(b.idstr)).map((b) => [b.idstr, b.usedLength, b.maxLength]);
    expect(sim).toEqual(real);
  });

  it('a real pc-i440fx-1.7,maxcpus=12 stream: simulated 2.0 says "Length mismatch", simulated 7.2 accepts', async () => {
    const spec = { machine: 'pc-i440fx-1.7', smp: '1,maxcpus=12' };
    const { stream } = await captureStream(qemu, spec);
    const into20 = loadInto('2.0', spec.machine, { smp: spec.smp }, stream);
    expect(into20.accepted).toBe(false);
    expect(into20.error?.message).toBe('Length mismatch: /rom@etc/acpi/tables: 0x2000 in != 0x3000');
    expect(loadInto('7.2', spec.machine, { smp: spec.smp }, stream).accepted).toBe(true);
  });
}, { series: '7.2' });
