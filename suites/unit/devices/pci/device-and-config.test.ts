import { describe, expect, it } from 'vitest';
import {
  PCI_BAR_UNMAPPED,
  PCI_COMMAND,
  PCI_COMMAND_IO,
  PCI_COMMAND_MEMORY,
  PCI_STATUS,
  PCI_STATUS_INTERRUPT,
  PC_WINDOWS,
  assignBars,
  barAddress,
  configRead,
  configWrite,
  createPciDevice,
  getLong,
  getWord,
  setIrqLevel,
} from '../../../../src/devices/pci/index.js';
import { REAL_E1000_HEADER, e1000Like, realE1000Config } from './fixtures.js';

describe('createPciDevice + registerBar against real QEMU 7.2', () => {
  it("reproduces the e1000's saved config byte for byte", () => {
    // Real QEMU 7.2 bytes (fixtures.ts): ids, rev 3, class 0x0200,
    // subsystem 1af4:1100 (QEMU's default), BAR1 = 0x00000001 (I/O), INTA.
    expect(e1000Like().config).toEqual(realE1000Config());
    expect(REAL_E1000_HEADER).toHaveLength(64);
  });

  it('sets the masks of pci_init_cmask / pci_init_wmask / pci_init_w1cmask', () => {
    const dev = e1000Like();
    // Command: IO 0x1 | MEMORY 0x2 | MASTER 0x4 | SERR 0x100 | INTX_DISABLE 0x400 = 0x0507.
    expect(getWord(dev.wmask, PCI_COMMAND)).toBe(0x0507);
    // Status RW1C: 0x100 | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 = 0xf900.
    expect(getWord(dev.w1cmask, PCI_STATUS)).toBe(0xf900);
    // Only CAP_LIST of the status low byte is checked on load.
    expect(dev.cmask[PCI_STATUS]).toBe(0x10);
    // BAR0, 128 KiB memory: wmask ~(0x20000 - 1) = 0xfffe0000, whole register checked.
    expect(getLong(dev.wmask, 0x10)).toBe(0xfffe0000);
    expect(getLong(dev.cmask, 0x10)).toBe(0xffffffff);
    // ROM BAR, 256 KiB: ~(0x40000 - 1) | ROM enable = 0xfffc0001.
    expect(getLong(dev.wmask, 0x30)).toBe(0xfffc0001);
    // Above the header everything is writable until a capability claims it.
    expect(dev.wmask[0x40]).toBe(0xff);
    expect(dev.wmask[0xff]).toBe(0xff);
  });

  it('allocates 4 KiB of config space for an Express function', () => {
    const dev = createPciDevice({ name: 'x', vendorId: 0x8086, deviceId: 0x10d3, classId: 0x0200, express: true });
    expect(dev.config).toHaveLength(4096);
    expect(dev.wmask[0xfff]).toBe(0xff);
  });
});

describe('configWrite / configRead', () => {
  it('keeps read-only bits and takes writable ones', () => {
    const dev = e1000Like();
    configWrite(dev, 0x00, 0xdeadbeef, 4); // vendor/device: wmask 0
    expect(configRead(dev, 0x00, 4)).toBe(0x100e8086);
    configWrite(dev, PCI_COMMAND, 0xffff, 2);
    expect(configRead(dev, PCI_COMMAND, 2)).toBe(0x0507);
    configWrite(dev, 0x3c, 0x0b, 1); // interrupt line: writable
    configWrite(dev, 0x3d, 0x04, 1); // interrupt pin: read-only
    expect(configRead(dev, 0x3c, 2)).toBe(0x010b);
  });

  it('only lets the address bits of a BAR change (size probing reads back the size)', () => {
    const dev = e1000Like();
    configWrite(dev, 0x10, 0xffffffff, 4);
    // A 128 KiB memory BAR reads back 0xfffe0000: size = ~0xfffe0000 + 1 = 0x20000.
    expect(configRead(dev, 0x10, 4)).toBe(0xfffe0000);
    configWrite(dev, 0x14, 0xffffffff, 4);
    // 64-byte I/O BAR: 0xffffffc0 | type bit 1.
    expect(configRead(dev, 0x14, 4)).toBe(0xffffffc1);
  });

  it('clears write-1-to-clear status bits and ignores 0 writes to them', () => {
    const dev = e1000Like();
    dev.config[PCI_STATUS + 1] = 0xf9; // device reported every error bit
    configWrite(dev, PCI_STATUS, 0x2000, 2); // guest clears REC_MASTER_ABORT only
    expect(getWord(dev.config, PCI_STATUS)).toBe(0xd900);
    configWrite(dev, PCI_STATUS, 0x0000, 2);
    expect(getWord(dev.config, PCI_STATUS)).toBe(0xd900);
  });

  it('refuses accesses past the end or of odd sizes', () => {
    const dev = e1000Like();
    expect(() => configRead(dev, 0xfe, 4)).toThrow(RangeError);
    expect(() => configWrite(dev, 0, 1, 3)).toThrow(RangeError);
  });

  it('mirrors irq_state into PCI_STATUS_INTERRUPT', () => {
    const dev = e1000Like();
    setIrqLevel(dev, 0, 1);
    expect(dev.config[PCI_STATUS]! & PCI_STATUS_INTERRUPT).toBe(PCI_STATUS_INTERRUPT);
    setIrqLevel(dev, 0, 0);
    expect(dev.config[PCI_STATUS]! & PCI_STATUS_INTERRUPT).toBe(0);
  });
});

describe('BAR mapping (pci_bar_address) and the firmware allocator', () => {
  it('maps only when decoding is enabled and the address is non-zero', () => {
    const dev = e1000Like();
    expect(barAddress(dev, 0)).toBe(PCI_BAR_UNMAPPED); // memory decoding off
    configWrite(dev, 0x10, 0xfebc0000, 4);
    expect(barAddress(dev, 0)).toBe(PCI_BAR_UNMAPPED);
    configWrite(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    expect(barAddress(dev, 0)).toBe(0xfebc0000n);
    expect(dev.regions[0]!.addr).toBe(0xfebc0000n); // configWrite remapped
    configWrite(dev, 0x10, 0, 4);
    expect(dev.regions[0]!.addr).toBe(PCI_BAR_UNMAPPED); // 0 is not a valid PC address
  });

  it('leaves the ROM unmapped until its enable bit is set', () => {
    const dev = e1000Like();
    configWrite(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    configWrite(dev, 0x30, 0xfeb80000, 4);
    expect(barAddress(dev, 6)).toBe(PCI_BAR_UNMAPPED);
    configWrite(dev, 0x30, 0xfeb80001, 4);
    expect(barAddress(dev, 6)).toBe(0xfeb80000n);
  });

  it('assigns naturally aligned addresses, largest first, and enables decoding', () => {
    const a = e1000Like();
    const b = e1000Like();
    assignBars([a, b]);
    // Two 128 KiB BARs from 0xc0000000, then the two 64-byte I/O BARs from 0xc000.
    expect([a.regions[0]!.addr, b.regions[0]!.addr]).toEqual([0xc0000000n, 0xc0020000n]);
    expect([a.regions[1]!.addr, b.regions[1]!.addr]).toEqual([0xc000n, 0xc040n]);
    expect(getWord(a.config, PCI_COMMAND) & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)).toBe(3);
    expect(a.regions[6]!.addr).toBe(PCI_BAR_UNMAPPED);
    expect(PC_WINDOWS.io.base).toBe(0xc000n);
  });
});
