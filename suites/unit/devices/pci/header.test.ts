import { describe, expect, it } from 'vitest';
import { assignBars, pciSnapshot, readHeader } from '../../../../src/devices/pci/index.js';
import { e1000Like, realE1000Config } from './fixtures.js';

describe('header decoding and snapshots', () => {
  it("decodes real QEMU 7.2's e1000 header", () => {
    expect(readHeader(realE1000Config())).toEqual({
      vendorId: 0x8086,
      deviceId: 0x100e,
      command: 0,
      status: 0,
      revision: 3,
      progIf: 0,
      classId: 0x0200, // bytes 0x0a, 0x0b = 00 02: Ethernet controller
      cacheLineSize: 0,
      latencyTimer: 0,
      headerType: 0,
      subsystemVendorId: 0x1af4,
      subsystemId: 0x1100,
      capabilityPointer: 0,
      interruptLine: 0,
      interruptPin: 1,
    });
  });

  it('snapshots BAR mappings after firmware assignment', () => {
    const dev = e1000Like();
    expect(pciSnapshot(dev).bars).toEqual(['unmapped', 'unmapped', null, null, null, null, 'unmapped']);
    assignBars([dev]);
    const snap = pciSnapshot(dev);
    expect(snap.bars.slice(0, 2)).toEqual(['0xc0000000', '0xc000']);
    expect(snap.config).toHaveLength(512);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });
});
