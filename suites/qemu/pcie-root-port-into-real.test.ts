import { afterAll, describe, expect, it } from 'vitest';
import { captureOne } from '../../src/devices/platform/generate/capture.js';
import { scanStream } from '../../src/devices/platform/generate/scan-stream.js';
import { loadIntoQemu } from '../../harness/targets/qemu-target.js';
import type { MachineSpec } from '../../harness/targets/target.js';
import { runFirmware } from '../../src/vm/firmware.js';
import { instantiate } from '../../src/vm/instantiate.js';
import { saveVm } from '../../src/vm/save.js';
import { runWorkload } from '../../src/vm/workload.js';
import { assertNoQemuLeft, describeQemu } from './qemu-env.js';

/**
 * `-device pcie-root-port` judged by real QEMU 7.2: the simulated 7.2
 * build's stream has the sections real 7.2 writes (the root port first, by
 * its MIG_PRI_PCI_BUS priority; its secondary PCIBUS before acpi_build) and
 * real 7.2 loads it; and the two historical breaks the device carries are
 * refused by real 7.2 exactly as the simulator refuses them:
 *
 * - an 8.0 source on pc-q35-7.2 sends PCI_ERR_UNCOR_MASK = 0x02400000 (AER at
 *   0x100, so byte 0x10a = 0x40), which real 7.2 holds read-only at 0;
 * - a 4.0 source on pc-q35-3.1 sends an ACS capability, so the AER header at
 *   0x100 links to 0x148 (byte 0x102 = 0x82) where real 7.2 with
 *   disable-acs (hw_compat_3_1) has no next capability (0x02).
 */

const DEVICE = 'pcie-root-port,id=rp0,chassis=1';
const spec = (machine: string): MachineSpec => ({ machine, devices: [DEVICE] });

function simulated(build: string, machine: string, booted: boolean): Uint8Array {
  const core = instantiate(build, machine, { devices: [DEVICE], ram: '32M', seed: 7 });
  if (!booted) return saveVm(core, { passes: 1 });
  runFirmware(core);
  runWorkload(core, 2);
  return saveVm(core, { passes: 3 });
}

function sectionShape(stream: Uint8Array): string[] {
  return scanStream(stream).sections.map((s) => `${s.idstr}#${s.instance_id} v${s.version_id} ${s.body.length}`);
}

describeQemu('pcie-root-port: simulated streams against real QEMU 7.2', (qemu) => {
  afterAll(() => {
    assertNoQemuLeft();
  });

  describe.each(['pc-q35-7.2', 'pc-q35-4.0', 'pc-q35-3.1', 'pc-q35-2.9', 'pc-i440fx-7.2'])('%s', (machine) => {
    it('the simulated 7.2 stream has the sections real 7.2 writes, with the same body sizes', async () => {
      const real = await captureOne(qemu, machine, ['-device', DEVICE]);
      expect(sectionShape(simulated('7.2', machine, false))).toEqual(sectionShape(real.stream));
    });
    it.each([false, true])('real 7.2 loads the simulated 7.2 stream (booted: %s)', async (booted) => {
      const r = await loadIntoQemu(qemu, spec(machine), simulated('7.2', machine, booted));
      expect(r.verdict, r.log.join('\n')).toEqual({ kind: 'accepted' });
    });
  });

  it('refuses the simulated 8.0 pc-q35-7.2 stream with the PCI_ERR_UNCOR_MASK bytes', async () => {
    const r = await loadIntoQemu(qemu, spec('pc-q35-7.2'), simulated('8.0', 'pc-q35-7.2', false));
    expect(r.verdict.kind).toBe('refused');
    expect(r.log.join('\n')).toContain('get_pci_config_device: Bad config data: i=0x10a read: 40 device: 0 cmask: ff wmask: 0 w1cmask:0');
  });

  it('loads the simulated 8.0.1 pc-q35-7.2 stream (x-pcie-err-unc-mask=off by hw_compat_7_2)', async () => {
    const r = await loadIntoQemu(qemu, spec('pc-q35-7.2'), simulated('8.0.1', 'pc-q35-7.2', true));
    expect(r.verdict, r.log.join('\n')).toEqual({ kind: 'accepted' });
  });

  it('refuses the simulated 4.0 pc-q35-3.1 stream at the AER header that links to ACS', async () => {
    const r = await loadIntoQemu(qemu, spec('pc-q35-3.1'), simulated('4.0', 'pc-q35-3.1', false));
    expect(r.verdict.kind).toBe('refused');
    expect(r.log.join('\n')).toContain('get_pci_config_device: Bad config data: i=0x102 read: 82 device: 2 cmask: ff wmask: 0 w1cmask:0');
  });

  it.each([
    ['4.0', 'pc-q35-4.0'],
    ['3.1', 'pc-q35-3.1'],
    ['4.1', 'pc-q35-3.1'],
  ])('loads the simulated %s %s stream (ACS as 7.2 has it there)', async (build, machine) => {
    const r = await loadIntoQemu(qemu, spec(machine), simulated(build, machine, true));
    expect(r.verdict, r.log.join('\n')).toEqual({ kind: 'accepted' });
  });
}, { series: '7.2' });
