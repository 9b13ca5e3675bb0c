import { describe, expect, it } from 'vitest';
import {
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_MEMORY,
  PCI_STATUS,
  PCI_BAR_UNMAPPED,
  configWrite,
  createPciBus,
  getLong,
  getWord,
  loadLegacyPciDevice,
  loadPciDevice,
  msiInit,
  pciDeviceReset,
  pciSetIrq,
  savePciDevice,
  swizzleMapIrq,
  walkCapabilities,
  type IntxRoute,
} from '../../../../src/devices/pci/index.js';
import { WireReader, WireWriter, createCheckCounter } from '../../../../src/wire/index.js';
import { e1000Like } from './fixtures.js';

describe('INTx routing into the PCIBUS irq_count', () => {
  function routed(): { route: IntxRoute; dev: ReturnType<typeof e1000Like> } {
    return { route: { bus: createPciBus(4), mapIrq: swizzleMapIrq }, dev: e1000Like() };
  }

  it('counts an asserted pin on the swizzled line', () => {
    const { route, dev } = routed();
    // Slot 1, INTA (pin 0): (1 + 0) % 4 = line 1.
    pciSetIrq(dev, 0, 1, route);
    expect(route.bus.irqCount).toEqual([0, 1, 0, 0]);
    expect(getWord(dev.config, PCI_STATUS) & 0x08).toBe(0x08);
    pciSetIrq(dev, 0, 1, route); // no change, no double count
    expect(route.bus.irqCount).toEqual([0, 1, 0, 0]);
    pciSetIrq(dev, 0, 0, route);
    expect(route.bus.irqCount).toEqual([0, 0, 0, 0]);
  });

  it('withdraws and re-asserts pins when the guest toggles INTX_DISABLE', () => {
    const { route, dev } = routed();
    pciSetIrq(dev, 0, 1, route);
    configWrite(dev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2, route);
    expect(route.bus.irqCount).toEqual([0, 0, 0, 0]);
    expect(dev.irqState).toBe(1); // the device still drives the pin
    configWrite(dev, PCI_COMMAND, 0, 2, route);
    expect(route.bus.irqCount).toEqual([0, 1, 0, 0]);
  });
});

describe('pciDeviceReset (pci_do_device_reset)', () => {
  it('clears writable command/status bits, lines, BARs, MSI, and INTx', () => {
    const route: IntxRoute = { bus: createPciBus(4), mapIrq: swizzleMapIrq };
    const dev = e1000Like();
    const cap = msiInit(dev, 0, 1, true, false);
    configWrite(dev, 0x10, 0xfebc0000, 4);
    configWrite(dev, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    configWrite(dev, 0x3c, 0x0b, 1);
    configWrite(dev, cap + 2, 0x1, 2); // MSI enable
    pciSetIrq(dev, 0, 1, route);
    dev.config[PCI_STATUS + 1] = 0x80; // DETECTED_PARITY latched
    pciDeviceReset(dev, route);
    expect(getWord(dev.config, PCI_COMMAND)).toBe(0);
    expect(getWord(dev.config, PCI_STATUS)).toBe(0x10); // only CAP_LIST (read-only) survives
    expect(dev.config[0x3c]).toBe(0);
    expect(getLong(dev.config, 0x10)).toBe(0); // back to the bare memory type
    expect(dev.regions[0]!.addr).toBe(PCI_BAR_UNMAPPED);
    expect(getWord(dev.config, cap + 2) & 1).toBe(0);
    expect(route.bus.irqCount).toEqual([0, 0, 0, 0]);
    expect(dev.config[0x3d]).toBe(1); // the interrupt pin is read-only identity
  });
});

describe('checks report to the CheckLog (fuzz coverage)', () => {
  it('counts the checks each loader evaluates', () => {
    const log = createCheckCounter();
    const w = new WireWriter();
    savePciDevice(e1000Like(), w);
    loadPciDevice(e1000Like(), new WireReader(w.finish()), 2, 'PCIDevice', log);
    expect([...log.counts.keys()].sort()).toEqual(['pci.bad-config-data', 'pci.irq-state-invalid', 'pci.version-invalid']);

    const legacy = new Uint8Array(276);
    legacy[3] = 2;
    loadLegacyPciDevice(e1000Like(), new WireReader(legacy), { log });
    expect(log.counts.get('pci.legacy-version-unsupported')).toBe(1);

    const config = new Uint8Array(256);
    config[PCI_STATUS] = 0x10;
    config[0x34] = 0x40;
    walkCapabilities(config, { log });
    expect(log.counts.get('pci.cap-pointer-out-of-range')).toBe(1);
    expect(log.counts.get('pci.cap-list-cycle')).toBe(1);
  });
});
