/**
 * The two root port breaks on the pairs history names, as matrix cells with
 * `--devices pcie-root-port`: refused with QEMU's own line where the
 * destination holds the bytes read-only, passing where the compat property
 * (x-pcie-err-unc-mask in hw_compat_7_2, disable-acs in hw_compat_3_1)
 * restores the old layout, and passing on the machine types the break never
 * touched. The refusal lines are the ones real QEMU 7.2 prints for the same
 * streams (suites/qemu/pcie-root-port-into-real.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { runMatrix, simulatedBuilds, type CellResult } from '../../harness/index.js';

const UNC = 'get_pci_config_device: Bad config data: i=0x10a read: 40 device: 0 cmask: ff wmask: 0 w1cmask:0';
const ACS_OUT = 'get_pci_config_device: Bad config data: i=0x102 read: 82 device: 2 cmask: ff wmask: 0 w1cmask:0';
const ACS_IN = 'get_pci_config_device: Bad config data: i=0x102 read: 2 device: 82 cmask: ff wmask: 0 w1cmask:0';

async function cells(builds: string[], machines: string[]): Promise<CellResult[]> {
  const result = await runMatrix({ builds: simulatedBuilds().filter((b) => builds.includes(b.name)), machines, deviceSets: [['pcie-root-port']], workers: 1 });
  return result.cells.filter((c) => c.devices.length === 1 && c.direction !== 'round-trip');
}

function cell(all: CellResult[], from: string, to: string, machine: string): CellResult {
  const c = all.find((x) => x.from === from && x.to === to && x.machine === machine);
  if (!c) throw new Error(`no cell ${from} -> ${to} ${machine}`);
  return c;
}

function message(c: CellResult): string {
  return c.verdict.kind === 'refused' ? c.verdict.message : '';
}

describe('pcie-root-port breaks in the matrix', () => {
  it('PCI_ERR_UNCOR_MASK: 8.0 -> 7.2 and 8.0 -> 8.0.1 on pc-q35-7.2 are expected breaks, the fixed 8.0.1 passes both ways', async () => {
    const all = await cells(['7.2', '8.0', '8.0.1'], ['pc-q35-7.2']);
    for (const to of ['7.2', '8.0.1']) {
      const c = cell(all, '8.0', to, 'pc-q35-7.2');
      expect(c.class, `8.0 -> ${to}`).toBe('expected-break');
      expect(c.expected?.id).toBe('pcie-err-unc-mask-8.0');
      expect(message(c)).toBe(UNC);
    }
    // Into 8.0 the register is writable, so the config check lets it through.
    expect(cell(all, '7.2', '8.0', 'pc-q35-7.2').class).toBe('pass');
    expect(cell(all, '8.0.1', '8.0', 'pc-q35-7.2').class).toBe('pass');
    expect(cell(all, '8.0.1', '7.2', 'pc-q35-7.2').class).toBe('pass');
    expect(cell(all, '7.2', '8.0.1', 'pc-q35-7.2').class).toBe('pass');
  });

  it('ACS: 3.1 <-> 4.0 and 4.0 <-> 4.1 on pc-q35-3.1 are expected breaks; 3.1 <-> 4.1 and the 4.0 machine type pass', async () => {
    const all = await cells(['3.1', '4.0', '4.1'], ['pc-q35-3.1', 'pc-q35-4.0']);
    for (const [from, to, text] of [['3.1', '4.0', ACS_IN], ['4.0', '3.1', ACS_OUT], ['4.0', '4.1', ACS_OUT], ['4.1', '4.0', ACS_IN]] as const) {
      const c = cell(all, from, to, 'pc-q35-3.1');
      expect(c.class, `${from} -> ${to}`).toBe('expected-break');
      expect(c.expected?.id).toBe('pcie-acs-4.0');
      expect(message(c)).toBe(text);
    }
    expect(cell(all, '3.1', '4.1', 'pc-q35-3.1').class).toBe('pass');
    expect(cell(all, '4.1', '3.1', 'pc-q35-3.1').class).toBe('pass');
    expect(cell(all, '4.0', '4.1', 'pc-q35-4.0').class).toBe('pass');
    expect(cell(all, '4.1', '4.0', 'pc-q35-4.0').class).toBe('pass');
  });
});
