import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import rootPortJson from '../../../../src/devices/platform/qemu-7.2/pcie-root-port.json' with { type: 'json' };
import type { PcieRootPortData } from '../../../../src/devices/platform/data-types.js';
import {
  acsBehaviourForQemu,
  checkConfigData,
  uncorMaskBehaviourForQemu,
  createPcieRootPort,
  getLong,
  rootPortAerHeader,
  type PcieRootPortOptions,
} from '../../../../src/devices/pci/index.js';
import { acsBehaviourOf, rootPortParams, uncorMaskBehaviourOf } from '../../../../src/vm/pcie-root-port-model.js';
import { getBuild, listBuilds } from '../../../../src/builds/index.js';
import { platformMachines } from '../../../../src/devices/platform/index.js';
import { catchLoadError } from '../../../helpers/catch-load-error.js';

/**
 * The root port model against real QEMU 7.2: for every PC machine type 7.2
 * offers, the config space the model builds for the 7.2 build (extended
 * capabilities by code: AER, and ACS unless disable-acs) is byte for byte
 * the one real 7.2 wrote (qemu-7.2/pcie-root-port.json, captured by
 * generate/capture-pcie-root-port.ts). The other builds' bytes follow from
 * QEMU source and are checked by arithmetic.
 */

const DATA = rootPortJson as unknown as PcieRootPortData;

/** The 4096 config bytes of a recorded body: be32 version_id, then config. */
function realConfig(machine: string): Uint8Array {
  const body = new Uint8Array(gunzipSync(Buffer.from(DATA.bodies[DATA.machines[machine]!.section.body]!, 'base64')));
  return body.subarray(4, 4 + 4096);
}

/** Machine types newer than 7.2 start from the pc-q35-7.2 recording, as the simulator's plans do. */
function model(build: string, machine: string, recorded = machine): ReturnType<typeof createPcieRootPort> {
  const o: PcieRootPortOptions = { ...rootPortParams(build, machine), recordedConfig: realConfig(recorded), devfn: 1 << 3 };
  return createPcieRootPort(o);
}

describe('pcie-root-port model', () => {
  it('was captured on every PC machine type of the QEMU 7.2 platform data', () => {
    const pc = platformMachines().filter((m) => m.startsWith('pc-'));
    expect(Object.keys(DATA.machines).sort()).toEqual(pc.sort());
  });

  it.each(Object.keys(DATA.machines))('7.2 on %s builds the config real 7.2 wrote', (machine) => {
    expect(Buffer.from(model('7.2', machine).config).toString('hex')).toBe(Buffer.from(realConfig(machine)).toString('hex'));
  });

  it('real 7.2 has ACS exactly on the machine types without disable-acs (4.0 and later)', () => {
    for (const machine of Object.keys(DATA.machines)) {
      const v = /-(\d+)\.(\d+)/.exec(machine)!;
      const newer = Number(v[1]) > 3;
      expect(getLong(realConfig(machine), 0x100) === rootPortAerHeader(true), machine).toBe(newer);
    }
  });

  it('AER header words: PCI_EXT_CAP(0x0001, 2, next)', () => {
    // 1 | 2 << 16 | 0x148 << 20 = 0x14820001; without a next capability 0x00020001.
    expect(rootPortAerHeader(true)).toBe(0x14820001);
    expect(rootPortAerHeader(false)).toBe(0x00020001);
  });

  it('ACS history: none before 4.0, unconditional in 4.0, a property from 4.1', () => {
    expect(['3.1', '4.0', '4.1', '7.2'].map(acsBehaviourForQemu)).toEqual(['absent', 'always', 'property', 'property']);
    expect(rootPortParams('4.0', 'pc-q35-3.1').acs).toBe(true);
    expect(rootPortParams('4.1', 'pc-q35-3.1').acs).toBe(false);
    expect(rootPortParams('4.1', 'pc-q35-4.0').acs).toBe(true);
    expect(rootPortParams('3.1', 'pc-q35-3.1').acs).toBe(false);
  });

  it('the catalog (4.0 ACS change, 4.1 disable-acs; 8.0 UNCOR_MASK, 8.0.1 cap_present bit) gives each build the behaviour its release had', () => {
    for (const b of listBuilds()) {
      expect(acsBehaviourOf(getBuild(b)), b).toBe(acsBehaviourForQemu(b));
      expect(uncorMaskBehaviourOf(getBuild(b)), b).toBe(uncorMaskBehaviourForQemu(b));
    }
  });

  it('pcie_acs_init: SV|TB|RR|CR|UF|DT = 0x5f advertised and writable in the control register', () => {
    const dev = model('4.0', 'pc-q35-3.1');
    expect([...dev.config.subarray(0x148, 0x150)]).toEqual([0x0d, 0x00, 0x01, 0x00, 0x5f, 0x00, 0x00, 0x00]);
    expect([...dev.wmask.subarray(0x148, 0x150)]).toEqual([0, 0, 0, 0, 0, 0, 0x5f, 0]);
    expect(getLong(dev.config, 0x100)).toBe(0x14820001);
  });

  it('8.0 sets PCI_ERR_UNCOR_MASK to 0x02400000, writable as 0x03fff030; 7.2 and 8.0.1 (pc-q35-7.2) leave it 0 and read-only', () => {
    const v80 = model('8.0', 'pc-q35-7.2');
    expect([...v80.config.subarray(0x108, 0x10c)]).toEqual([0x00, 0x00, 0x40, 0x02]);
    expect([...v80.wmask.subarray(0x108, 0x10c)]).toEqual([0x30, 0xf0, 0xff, 0x03]);
    for (const b of ['7.2', '8.0.1', '10.0']) {
      const d = model(b, 'pc-q35-7.2');
      expect([...d.config.subarray(0x108, 0x10c)], b).toEqual([0, 0, 0, 0]);
      expect([...d.wmask.subarray(0x108, 0x10c)], b).toEqual([0, 0, 0, 0]);
    }
    // Newer machine types get the register on every build that has the property.
    expect([...model('8.0.1', 'pc-q35-8.0', 'pc-q35-7.2').config.subarray(0x108, 0x10c)]).toEqual([0x00, 0x00, 0x40, 0x02]);
  });

  it('get_pci_config_device: an 8.0 config into a 7.2 port is refused at 0x10a; a 7.2 config into an 8.0 port loads (the bytes are writable there)', () => {
    const e = catchLoadError(() => checkConfigData(model('7.2', 'pc-q35-7.2'), model('8.0', 'pc-q35-7.2').config));
    expect(e.message).toBe('get_pci_config_device: Bad config data: i=0x10a read: 40 device: 0 cmask: ff wmask: 0 w1cmask:0');
    expect(() => checkConfigData(model('8.0', 'pc-q35-7.2'), model('7.2', 'pc-q35-7.2').config)).not.toThrow();
  });

  it('pcie_aer_root_init: root command writable, root status write-1-to-clear, the message number not checked', () => {
    const dev = model('7.2', 'pc-q35-7.2');
    expect(getLong(dev.wmask, 0x12c)).toBe(0x7);
    expect(getLong(dev.w1cmask, 0x130)).toBe(0x7f);
    expect(getLong(dev.cmask, 0x130)).toBe(0x07ffffff);
  });
});

describe('pcie-root-port masks (hw/pci/pcie.c)', () => {
  const dev = model('7.2', 'pc-q35-7.2');
  const word = (a: Uint8Array, at: number): number => a[at]! | (a[at + 1]! << 8);
  // The PCIe capability sits at 0x54 on every recorded machine type (pointer at 0x34 -> ... -> 0x54).
  const pos = 0x54;
  it('finds the PCIe capability where real 7.2 put it', () => {
    expect(dev.config[pos]).toBe(0x10);
  });
  it('link status is not checked on load (pcie_cap_v1_fill)', () => {
    expect(word(dev.cmask, pos + 0x12)).toBe(0);
  });
  it('slot control: PIC|AIC|HPIE|CCIE|PDCE|ABPE|EIC, and PCC with a power controller (SLTCAP 0x7b has PCP)', () => {
    expect(dev.config[pos + 0x14]).toBe(0x7b);
    expect(word(dev.wmask, pos + 0x18)).toBe(0x3f9 | 0x800 | 0x400);
    expect(word(dev.w1cmask, pos + 0x1a)).toBe(0x19);
  });
  it('device control / status, root control, device control 2', () => {
    expect(word(dev.wmask, pos + 0x08)).toBe(0x000f);
    expect(word(dev.w1cmask, pos + 0x0a)).toBe(0x000f);
    expect(word(dev.wmask, pos + 0x1c)).toBe(0x0007);
    expect(word(dev.wmask, pos + 0x28)).toBe(0x8020);
  });
  it('a guest write to slot control on the source does not make the destination refuse', () => {
    const src = model('7.2', 'pc-q35-7.2');
    src.config[pos + 0x18] = (src.config[pos + 0x18]! | 0x20) & 0xff; // HPIE
    expect(() => checkConfigData(model('7.2', 'pc-q35-7.2'), src.config)).not.toThrow();
  });
});
