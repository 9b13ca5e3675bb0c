import { describe, expect, it } from 'vitest';
import {
  PCI_CAP_ID_MSI,
  QEMU_PCI_CAP_MSI,
  configWrite,
  findCapability,
  getLong,
  getWord,
  msiCapSize,
  msiEnabled,
  msiGetMessage,
  msiInit,
  msiNotify,
  msiPending,
  msiReset,
  msiUninit,
  type MsiMessage,
} from '../../../../src/devices/pci/index.js';
import { e1000Like } from './fixtures.js';

describe('MSI capability (msi_init)', () => {
  it('sizes the capability by 64-bit and per-vector-mask flags', () => {
    // PCI_MSI_32_SIZEOF 0x0a, 64 0x0e, 32M 0x14, 64M 0x18.
    expect([msiCapSize(0), msiCapSize(0x80), msiCapSize(0x100), msiCapSize(0x180)]).toEqual([0x0a, 0x0e, 0x14, 0x18]);
  });

  it('lays out a 64-bit, maskable, 4-vector capability and its write masks', () => {
    const dev = e1000Like();
    const cap = msiInit(dev, 0, 4, true, true);
    expect(cap).toBe(0x40);
    expect(findCapability(dev, PCI_CAP_ID_MSI)).toBe(0x40);
    expect(dev.capPresent & QEMU_PCI_CAP_MSI).toBe(QEMU_PCI_CAP_MSI);
    // flags: QMASK = log2(4) << 1 = 0x4, 64BIT 0x80, MASKBIT 0x100 -> 0x184.
    expect(getWord(dev.config, cap + 2)).toBe(0x184);
    // Writable: QSIZE 0x70 | ENABLE 0x1; address low with bits 1:0 read-only; address high; data; mask bits 0..3.
    expect(getWord(dev.wmask, cap + 2)).toBe(0x71);
    expect(getLong(dev.wmask, cap + 4)).toBe(0xfffffffc);
    expect(getLong(dev.wmask, cap + 8)).toBe(0xffffffff);
    expect(getWord(dev.wmask, cap + 12)).toBe(0xffff);
    expect(getLong(dev.wmask, cap + 16)).toBe(0xf);
    // The pending register (+20) is read-only to the guest.
    expect(getLong(dev.wmask, cap + 20)).toBe(0);
    // The 24 capability bytes are claimed: the next capability starts at 0x58.
    expect(dev.used[0x57]).toBe(0xff);
    expect(dev.used[0x58]).toBe(0);
  });

  it('puts data at +8 for a 32-bit capability', () => {
    const dev = e1000Like();
    const cap = msiInit(dev, 0x50, 1, false, false);
    expect(getWord(dev.wmask, cap + 8)).toBe(0xffff);
    expect(dev.used[cap + 11]).toBe(0xff); // 10 bytes round up to 12
  });
});

describe('MSI delivery, masking and pending bits', () => {
  function enabled(): { dev: ReturnType<typeof e1000Like>; cap: number; sent: MsiMessage[] } {
    const dev = e1000Like();
    const sent: MsiMessage[] = [];
    dev.msiSink = (m) => sent.push(m);
    const cap = msiInit(dev, 0, 4, true, true);
    configWrite(dev, cap + 4, 0xfee00000, 4);
    configWrite(dev, cap + 12, 0x4020, 2);
    configWrite(dev, cap + 2, 0x21, 2); // ENABLE, QSIZE = 2 (4 vectors)
    return { dev, cap, sent };
  }

  it('puts the vector number in the low data bits for multi-message MSI', () => {
    const { dev } = enabled();
    expect(msiEnabled(dev)).toBe(true);
    // 4 vectors: data & ~3 | vector -> 0x4020 | 3 = 0x4023.
    expect(msiGetMessage(dev, 3)).toEqual({ address: 0xfee00000n, data: 0x4023 });
  });

  it('clamps QSIZE to what the device supports (QMASK)', () => {
    const { dev, cap } = enabled();
    configWrite(dev, cap + 2, 0x51, 2); // QSIZE 5 = 32 vectors requested, QMASK allows 4
    expect(getWord(dev.config, cap + 2) & 0x70).toBe(0x20);
  });

  it('holds a masked vector pending and delivers it when the mask bit is cleared', () => {
    const { dev, cap, sent } = enabled();
    configWrite(dev, cap + 16, 0x2, 4); // mask vector 1
    expect(msiNotify(dev, 1)).toBeUndefined();
    expect(msiPending(dev)).toBe(0x2);
    configWrite(dev, cap + 16, 0x0, 4);
    expect(sent).toEqual([{ address: 0xfee00000n, data: 0x4021 }]);
    expect(msiPending(dev)).toBe(0);
  });

  it('drops pending bits above the enabled vector count', () => {
    const { dev, cap } = enabled();
    dev.config[cap + 20] = 0xf0; // pending bits 4..7: beyond 4 vectors
    configWrite(dev, cap + 2, 0x21, 2);
    expect(msiPending(dev)).toBe(0);
  });

  it('resets and uninits', () => {
    const { dev, cap } = enabled();
    msiReset(dev);
    expect(getWord(dev.config, cap + 2)).toBe(0x184);
    expect(getLong(dev.config, cap + 4)).toBe(0);
    msiUninit(dev);
    expect(findCapability(dev, PCI_CAP_ID_MSI)).toBe(0);
    expect(dev.capPresent & QEMU_PCI_CAP_MSI).toBe(0);
  });
});
