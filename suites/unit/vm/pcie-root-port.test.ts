import { describe, expect, it } from 'vitest';
import { instantiate } from '../../../src/vm/instantiate.js';
import { isBootError } from '../../../src/vm.js';

/**
 * Where a simulated pcie-root-port sits in a machine, checked against what
 * real QEMU 7.2 does (captures in src/devices/platform/qemu-7.2/pcie-root-port.json;
 * suites/qemu/pcie-root-port-into-real.test.ts compares live streams).
 */

function bootError(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isBootError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a BootError');
}

describe('pcie-root-port in a simulated machine', () => {
  it('goes first (MIG_PRI_PCI_BUS), its secondary bus PCIBUS 1 before acpi_build', () => {
    const core = instantiate('7.2', 'pc-q35-7.2', { devices: ['pcie-root-port,chassis=1'] });
    const ids = core.sections.map((s) => `${s.idstr}#${s.instanceId}`);
    expect(ids[0]).toBe('0000:00:01.0/pcie-root-port#0');
    expect(ids.slice(-3)).toEqual(['PCIBUS#1', 'acpi_build#0', 'globalstate#0']);
  });

  it('two ports on the same chassis and slot: QEMU\'s "Can\'t add chassis slot, error -16"', () => {
    // Real 7.2: `-device pcie-root-port -device pcie-root-port` exits with
    // "-device pcie-root-port: Can't add chassis slot, error -16" (pcie_chassis_add_slot: -EBUSY).
    const e = bootError(() => instantiate('7.2', 'pc-q35-7.2', { devices: ['pcie-root-port', 'pcie-root-port'] }));
    expect(e).toEqual({ code: 'device-refused', message: "-device pcie-root-port: Can't add chassis slot, error -16" });
    expect(() => instantiate('7.2', 'pc-q35-7.2', { devices: ['pcie-root-port,chassis=1', 'pcie-root-port,chassis=1,slot=1'] })).not.toThrow();
  });

  it('slot= is the Physical Slot Number (SLTCAP bits 31:19)', () => {
    const core = instantiate('7.2', 'pc-q35-7.2', { devices: ['pcie-root-port,chassis=1,slot=5'] });
    const dev = core.sections[0]!.pci!.dev;
    // SLTCAP at 0x54 + 0x14: recorded 0x0002007b (EIP | HPC | HPS | PIP | AIP | PCP | ABP), | 5 << 19 = 0x002a007b;
    // real 7.2 writes the same bytes for slot=5 (suites/qemu/pcie-root-port-into-real.test.ts).
    expect([...dev.config.subarray(0x68, 0x6c)]).toEqual([0x7b, 0x00, 0x2a, 0x00]);
  });

  it('builds before 2.9 have no generic root port', () => {
    expect(bootError(() => instantiate('2.6', 'pc-q35-2.6', { devices: ['pcie-root-port'] })).code).toBe('device-unavailable');
  });
});
