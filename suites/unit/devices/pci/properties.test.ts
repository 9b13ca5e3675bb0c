import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  QEMU_PCI_CAP_MSIX,
  createPciDevice,
  firstBadConfigByte,
  loadLegacyPciDevice,
  loadPciDevice,
  savePciDevice,
  walkCapabilities,
} from '../../../../src/devices/pci/index.js';
import { WireReader, WireWriter, isLoadError } from '../../../../src/wire/index.js';
import { e1000Like } from './fixtures.js';

// Seeded and small: these run on every commit, on 2 shared cores.
const RUNS = { numRuns: 150, seed: 0x5eed };

describe('properties of the loaders (fuzz oracle: refuse with a code or accept, never hang, never half-apply)', () => {
  it('walkCapabilities ends on any config: a valid list of <= 48 distinct aligned offsets, or a coded refusal', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), (config) => {
        config[PCI_STATUS] = (config[PCI_STATUS] ?? 0) | PCI_STATUS_CAP_LIST;
        try {
          const list = walkCapabilities(config);
          const offsets = list.map((c) => c.offset);
          expect(new Set(offsets).size).toBe(offsets.length);
          expect(offsets.length).toBeLessThanOrEqual(48);
          for (const o of offsets) expect(o >= 0x40 && o % 4 === 0 && o < 0x100).toBe(true);
        } catch (e) {
          expect(isLoadError(e) && ['pci.cap-list-cycle', 'pci.cap-pointer-out-of-range'].includes(e.code)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('a mutated PCIDevice record is accepted exactly when no checked read-only bit changed', () => {
    const w = new WireWriter();
    savePciDevice(e1000Like(), w, false);
    const good = w.finish().slice();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (edits) => {
        const bytes = good.slice();
        for (const [at, v] of edits) bytes[at] = v;
        const dev = e1000Like();
        const before = dev.config.slice();
        const version = new DataView(bytes.buffer).getInt32(0);
        const irqOk = [0, 1, 2, 3].every((i) => new DataView(bytes.buffer).getUint32(260 + i * 4) <= 1);
        const expectAccept = version >= 0 && version <= 2 && firstBadConfigByte(dev, bytes.subarray(4, 260)) < 0 && irqOk;
        try {
          loadPciDevice(dev, new WireReader(bytes));
          expect(expectAccept).toBe(true);
          // pci_update_irq_status: PCI_STATUS_INTERRUPT (0x08) follows the loaded irq_state.
          const anyIrq = [0, 1, 2, 3].some((i) => new DataView(bytes.buffer).getUint32(260 + i * 4) === 1);
          const status = (b: number): number => (anyIrq ? b | 0x08 : b & ~0x08);
          expect(dev.config).toEqual(bytes.subarray(4, 260).map((b, i) => (i === PCI_STATUS ? status(b) : b)));
        } catch (e) {
          expect(isLoadError(e)).toBe(true);
          expect(expectAccept).toBe(false);
          expect(dev.config).toEqual(before);
        }
      }),
      RUNS,
    );
  });

  it('the historic loader refuses or accepts arbitrary bytes without partial commits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const dev = createPciDevice({ name: 'v', vendorId: 0x1af4, deviceId: 0x1000, classId: 0x0200, capPresent: 0, capSupported: QEMU_PCI_CAP_MSIX });
        const before = dev.config.slice();
        try {
          loadLegacyPciDevice(dev, new WireReader(bytes));
        } catch (e) {
          expect(isLoadError(e) && ['wire.truncated', 'pci.legacy-version-unsupported', 'pci.cap-present-unsupported'].includes(e.code)).toBe(true);
          expect(dev.config).toEqual(before);
        }
      }),
      RUNS,
    );
  });
});
