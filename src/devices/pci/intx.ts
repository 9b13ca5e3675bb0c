import { PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, PCI_NUM_PINS, PCI_STATUS, PCI_STATUS_INTERRUPT } from './constants.js';
import { getWord } from './config-bytes.js';
import type { PciBus } from './pci-bus.js';
import type { PciDevice } from './pci-device.js';

/**
 * INTx delivery (pci_irq_handler, pci_change_irq_level): a device's pin
 * level changes, its status bit follows, and unless INTX_DISABLE is set the
 * bus line the pin maps to counts one more (or one less) asserted pin. The
 * counts are the PCIBUS section's irq_count, so they must agree with the
 * devices' irq_state after a migration.
 */

/** pci_update_irq_status(): the status INTERRUPT bit mirrors irq_state. */
export function updateIrqStatus(dev: PciDevice): void {
  const s = dev.config[PCI_STATUS] ?? 0;
  dev.config[PCI_STATUS] = dev.irqState ? s | PCI_STATUS_INTERRUPT : s & ~PCI_STATUS_INTERRUPT;
}

/** bus->map_irq: device pin (0..3) to a bus interrupt line. */
export type MapIrq = (dev: PciDevice, pin: number) => number;

/** pci_swizzle_map_irq_fn: (slot + pin) % 4, the PCI-to-PCI bridge rule. */
export const swizzleMapIrq: MapIrq = (dev, pin) => ((dev.devfn >> 3) + pin) % PCI_NUM_PINS;

export interface IntxRoute {
  bus: PciBus;
  mapIrq: MapIrq;
}

export function pciIrqDisabled(dev: PciDevice): boolean {
  return (getWord(dev.config, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) !== 0;
}

function changeLevel(dev: PciDevice, route: IntxRoute, pin: number, change: number): void {
  const line = route.mapIrq(dev, pin);
  if (line < 0 || line >= route.bus.nirq) throw new RangeError(`map_irq gave line ${line} of ${route.bus.nirq}`);
  route.bus.irqCount[line] = (route.bus.irqCount[line] ?? 0) + change;
}

/** pci_irq_handler(): set pin `pin` to `level`, routing the change when a route is given. */
export function pciSetIrq(dev: PciDevice, pin: number, level: 0 | 1, route?: IntxRoute): void {
  const change = level - ((dev.irqState >> pin) & 1);
  if (!change) return;
  dev.irqState = (dev.irqState & ~(1 << pin)) | (level << pin);
  updateIrqStatus(dev);
  if (pciIrqDisabled(dev) || !route) return;
  changeLevel(dev, route, pin, change);
}

/**
 * pci_update_irq_disabled(): after a command write flipped INTX_DISABLE,
 * withdraw (or re-assert) every asserted pin on the bus.
 */
export function pciUpdateIrqDisabled(dev: PciDevice, wasDisabled: boolean, route: IntxRoute): void {
  const disabled = pciIrqDisabled(dev);
  if (disabled === wasDisabled) return;
  for (let pin = 0; pin < PCI_NUM_PINS; pin++) {
    const state = (dev.irqState >> pin) & 1;
    if (state) changeLevel(dev, route, pin, disabled ? -state : state);
  }
}

/** pci_device_deassert_intx(). */
export function pciDeassertIntx(dev: PciDevice, route?: IntxRoute): void {
  for (let pin = 0; pin < PCI_NUM_PINS; pin++) pciSetIrq(dev, pin, 0, route);
}
