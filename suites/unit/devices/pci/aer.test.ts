import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CAP_PRESENT_7_2,
  PCI_ERR_UNC_MASK_DEFAULT,
  PCI_ERR_UNC_SUPPORTED,
  PCI_ERR_UNC_SEVERITY_DEFAULT,
  PCI_ERR_COR_SUPPORTED,
  PCI_EXT_CAP_ID_ERR,
  QEMU_PCIE_ERR_UNC_MASK,
  createPciDevice,
  firstBadConfigByte,
  getLong,
  loadPciDevice,
  pcieAddCapability,
  pcieAerInit,
  pcieFindCapability,
  savePciDevice,
  walkExtCapabilities,
  type PciDevice,
  type UncorMaskBehaviour,
} from '../../../../src/devices/pci/index.js';
import { WireReader, WireWriter, isLoadError, type LoadError } from '../../../../src/wire/index.js';

/**
 * An e1000e-like Express endpoint with AER at 0x100 (hw/net/e1000e.c:
 * e1000e_aer_offset = 0x100, pcie_aer_init(.., PCI_ERR_VER, 0x100,
 * PCI_ERR_SIZEOF, ..)), built as a given QEMU build would build it.
 * `capPresent` carries the machine type's compat property bits.
 */
function e1000eLike(build: UncorMaskBehaviour, capPresent = DEFAULT_CAP_PRESENT_7_2): PciDevice {
  const dev = createPciDevice({ name: 'e1000e', vendorId: 0x8086, deviceId: 0x10d3, classId: 0x0200, express: true, devfn: 2 << 3, capPresent });
  pcieAerInit(dev, 0x100, { uncorMask: build });
  return dev;
}

/** Machine pc-q35-7.2 on QEMU >= 8.0.1: hw_compat_7_2 sets x-pcie-err-unc-mask=off. */
const PC_Q35_7_2_ON_8_0_1 = DEFAULT_CAP_PRESENT_7_2;
/** Machine pc-q35-8.0 on QEMU >= 8.0.1: the property's default, on. */
const PC_Q35_8_0 = DEFAULT_CAP_PRESENT_7_2 | QEMU_PCIE_ERR_UNC_MASK;

function migrate(src: PciDevice, dst: PciDevice): LoadError | undefined {
  const w = new WireWriter();
  savePciDevice(src, w, false);
  try {
    loadPciDevice(dst, new WireReader(w.finish()));
    return undefined;
  } catch (e) {
    if (isLoadError(e)) return e;
    throw e;
  }
}

describe('AER capability layout (pcie_aer_init)', () => {
  it('writes the extended capability header PCI_EXT_CAP(0x0001, 2, 0)', () => {
    const dev = e1000eLike('absent');
    // id 1 | version 2 << 16 | next 0 << 20 = 0x00020001, little-endian 01 00 02 00.
    expect([...dev.config.subarray(0x100, 0x104)]).toEqual([0x01, 0x00, 0x02, 0x00]);
    expect(pcieFindCapability(dev, PCI_EXT_CAP_ID_ERR)).toBe(0x100);
    expect(walkExtCapabilities(dev.config)).toEqual([{ id: 1, version: 2, offset: 0x100 }]);
  });

  it('computes the register defaults from the bit definitions', () => {
    expect(PCI_ERR_UNC_SUPPORTED).toBe(0x03fff030); // DLP|SDN (0x30) and bits 12..25
    expect(PCI_ERR_UNC_MASK_DEFAULT).toBe(0x02400000); // INTN 0x00400000 | TLP_PRF_BLOCKED 0x02000000
    expect(PCI_ERR_UNC_SEVERITY_DEFAULT).toBe(0x00462030);
    expect(PCI_ERR_COR_SUPPORTED).toBe(0xf1c1);
    const dev = e1000eLike('absent');
    expect(getLong(dev.config, 0x100 + 0x0c)).toBe(0x00462030);
    expect(getLong(dev.w1cmask, 0x100 + 0x04)).toBe(0x03fff030);
    expect(getLong(dev.config, 0x100 + 0x14)).toBe(0xe000);
    // PCI_ERR_CAP: ECRC_GENC 0x20 | ECRC_CHKC 0x80 for an endpoint (log_max 0) ...
    expect(getLong(dev.config, 0x100 + 0x18)).toBe(0xa0);
    // ... plus MHRC 0x200 for a port with aer_log_max 8.
    const port = createPciDevice({ name: 'port', vendorId: 0x1b36, deviceId: 0xc, classId: 0x0604, express: true });
    pcieAerInit(port, 0x100, { uncorMask: 'absent', logMax: 8 });
    expect(getLong(port.config, 0x100 + 0x18)).toBe(0x2a0);
  });

  it('7.2: PCI_ERR_UNCOR_MASK is zero, read-only and checked', () => {
    const dev = e1000eLike('absent');
    expect(getLong(dev.config, 0x108)).toBe(0);
    expect(getLong(dev.wmask, 0x108)).toBe(0);
    expect(getLong(dev.cmask, 0x108)).toBe(0xffffffff);
  });

  it('8.0.0: PCI_ERR_UNCOR_MASK holds 0x02400000 and is writable', () => {
    const dev = e1000eLike('always');
    // 0x02400000 little-endian: 00 00 40 02.
    expect([...dev.config.subarray(0x108, 0x10c)]).toEqual([0x00, 0x00, 0x40, 0x02]);
    expect(getLong(dev.wmask, 0x108)).toBe(PCI_ERR_UNC_SUPPORTED);
  });

  it('8.0.1+: follows x-pcie-err-unc-mask (cap_present bit 11)', () => {
    expect(getLong(e1000eLike('property', PC_Q35_8_0).config, 0x108)).toBe(0x02400000);
    expect(getLong(e1000eLike('property', PC_Q35_7_2_ON_8_0_1).config, 0x108)).toBe(0);
  });
});

describe('the 8.0 -> 7.2 "Bad config data" break and its fix', () => {
  it('8.0.0 -> 7.2 is refused with exactly the error of the fix commit message (and of real 7.2)', () => {
    // Also reproduced against real QEMU 7.2: a pc-q35-7.2 e1000e capture with
    // config 0x10a/0x10b patched to 40 02 (8.0's UNCOR_MASK default) and fed
    // to `qemu-system-x86_64 -M pc-q35-7.2 -device e1000e -incoming exec:cat`
    // printed this line, then "Failed to load PCIDevice:config".
    // Leonardo Bras, "hw/pci: Disable PCI_ERR_UNCOR_MASK register for machine
    // type < 8.0": "qemu-system-x86_64: get_pci_config_device: Bad config
    // data: i=0x10a read: 40 device: 0 cmask: ff wmask: 0 w1cmask:0".
    // Bytes 0x108 and 0x109 are 0 on both sides; 0x10a is 0x40 vs 0.
    const e = migrate(e1000eLike('always'), e1000eLike('absent'));
    expect(e?.code).toBe('pci.bad-config-data');
    expect(e?.message).toBe('get_pci_config_device: Bad config data: i=0x10a read: 40 device: 0 cmask: ff wmask: 0 w1cmask:0');
    // In the stream: 4 bytes of version_id, then config[0x10a].
    expect(e?.offset).toBe(4 + 0x10a);
  });

  it('7.2 -> 8.0.0 passes this check: every differing bit is writable on the destination', () => {
    // Destination bytes 0x108..0x10b: config 00 00 40 02, wmask 30 f0 ff 03.
    // Incoming 00 00 00 00 differs in 0x40 (byte 0x10a, wmask 0xff) and 0x02
    // (byte 0x10b, wmask 0x03): both masked out by ~wmask.
    expect(migrate(e1000eLike('absent'), e1000eLike('always'))).toBeUndefined();
  });

  it('8.0.1 with pc-q35-7.2 migrates both ways with 7.2 (the property is off)', () => {
    expect(migrate(e1000eLike('property', PC_Q35_7_2_ON_8_0_1), e1000eLike('absent'))).toBeUndefined();
    expect(migrate(e1000eLike('absent'), e1000eLike('property', PC_Q35_7_2_ON_8_0_1))).toBeUndefined();
  });

  it('8.0.0 -> 8.0.1 with pc-q35-7.2 still breaks unless the destination sets x-pcie-err-unc-mask=on', () => {
    // docs/devel/migration.rst: "--device...,x-pci-e-err-unc-mask=on" on the
    // destination to receive a pc-7.2 guest started on qemu-8.0.
    const src = e1000eLike('always', PC_Q35_7_2_ON_8_0_1);
    expect(migrate(src, e1000eLike('property', PC_Q35_7_2_ON_8_0_1))?.code).toBe('pci.bad-config-data');
    expect(migrate(src, e1000eLike('property', PC_Q35_7_2_ON_8_0_1 | QEMU_PCIE_ERR_UNC_MASK))).toBeUndefined();
  });

  it('8.0.1 with pc-q35-8.0 -> 7.2 is refused: new machine types are not meant to go back', () => {
    expect(migrate(e1000eLike('property', PC_Q35_8_0), e1000eLike('absent'))?.message).toMatch(/i=0x10a read: 40 /);
  });
});

describe('write-1-to-clear bits are exempt from the check', () => {
  it('accepts a pending uncorrectable error status (RW1C) but not a reserved bit', () => {
    const src = e1000eLike('absent');
    // A source with a Completion Timeout (0x4000) latched in UNCOR_STATUS:
    // w1cmask 0x03fff030 covers it, so ~w1cmask clears it from the check.
    src.config[0x105] = 0x40;
    expect(migrate(src, e1000eLike('absent'))).toBeUndefined();
    // Bit 0 (Undefined) is outside PCI_ERR_UNC_SUPPORTED: checked, not writable, not RW1C.
    const bad = e1000eLike('absent');
    bad.config[0x104] = 0x01;
    expect(firstBadConfigByte(e1000eLike('absent'), bad.config)).toBe(0x104);
    // Real QEMU 7.2 fed a captured e1000e stream with that byte patched
    // (-incoming 'exec:cat ...') printed exactly this; with 0x105 = 0x40 it
    // accepted the stream. w1cmask 0x30 is the low byte of 0x03fff030.
    expect(migrate(bad, e1000eLike('absent'))?.message).toBe(
      'get_pci_config_device: Bad config data: i=0x104 read: 1 device: 0 cmask: ff wmask: 0 w1cmask:30',
    );
  });
});

describe('extended capability list walking', () => {
  it('links further capabilities at the tail', () => {
    const dev = e1000eLike('absent');
    pcieAddCapability(dev, 0x0003, 1, 0x150, 12); // device serial number style
    expect(walkExtCapabilities(dev.config).map((c) => c.offset)).toEqual([0x100, 0x150]);
    expect(getLong(dev.config, 0x100) >>> 20).toBe(0x150);
  });

  it('refuses cycles and out-of-range next pointers', () => {
    const dev = e1000eLike('absent');
    // next = 0x100: points back to itself.
    dev.config[0x103] = 0x10;
    expect(() => walkExtCapabilities(dev.config)).toThrow(expect.objectContaining({ code: 'pci.cap-list-cycle' }));
    // Bytes 0x102, 0x103 = e2 0f: header 0x0fe20001, version 2, next 0x0fe (unaligned).
    const dev2 = e1000eLike('absent');
    dev2.config[0x102] = 0xe2;
    dev2.config[0x103] = 0x0f;
    expect(() => walkExtCapabilities(dev2.config)).toThrow(expect.objectContaining({ code: 'pci.cap-pointer-out-of-range' }));
  });
});

describe('catalog helpers for the UNCOR_MASK story', () => {
  it('maps QEMU releases to pcie_aer_init behaviour', async () => {
    const { uncorMaskBehaviourForQemu } = await import('../../../../src/devices/pci/index.js');
    expect(['7.2', '7.2.5', '8.0', '8.0.0', '8.0.1', '8.1', '9.2'].map(uncorMaskBehaviourForQemu)).toEqual([
      'absent',
      'absent',
      'always',
      'always',
      'property',
      'property',
      'property',
    ]);
  });

  it('turns x-pcie-err-unc-mask off for machine types <= 7.2 (hw_compat_7_2)', async () => {
    const { errUncMaskDefaultForMachine } = await import('../../../../src/devices/pci/index.js');
    expect(['2.4', '7.1', '7.2', '8.0', '8.1'].map(errUncMaskDefaultForMachine)).toEqual([false, false, false, true, true]);
  });
});
