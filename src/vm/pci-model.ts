/**
 * PCI behaviour for recorded sections: every section whose description
 * embeds a PCIDevice (VMSTATE_PCI_DEVICE: e1000's parent_obj, pvpanic's
 * dev, the host bridges' functions) gets a PciDevice from src/devices/pci,
 * rebuilt from the config space real QEMU 7.2 wrote: identity, the header
 * masks of do_pci_register_device, and each capability on the list claimed
 * as pci_add_capability claims it (cmask 0xff, wmask 0 over its size), with
 * the MSI / MSI-X control bits writable again. The section's PCIDevice field
 * is replaced by the PCI core's own description, so a load runs QEMU's
 * checks (version_id, "Bad config data", irq_state) against this device.
 */
import {
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSI,
  PCI_CAP_ID_MSIX,
  PCI_CAP_ID_PM,
  PCI_CAP_ID_VNDR,
  PCI_CLASS_DEVICE,
  PCI_CLASS_PROG,
  PCI_DEVICE_ID,
  PCI_INTERRUPT_PIN,
  PCI_REVISION_ID,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
  applyPciDeviceState,
  clonePciDevice,
  createPciDevice,
  getWord,
  pciDeviceVmsdOf,
  pciIsExpress,
  pciStructField,
  walkCapabilities,
  type PciDevice,
} from '../devices/pci/index.js';
import type { StateObject, VMStateDescription, VMStateField, Value } from '../vmstate/index.js';
import { isPlainState } from './state-edit.js';

/**
 * A section's PCI device. It is also the section's opaque (DestinationSection):
 * the PCI core's post_load finds the device it checks through it.
 */
export interface PciBinding {
  dev: PciDevice;
  /** State key of the PCIDevice struct in the section state. */
  field: string;
}

/** The device a load's opaque stands for: a section's PciBinding. */
function deviceOfBinding(opaque: unknown): PciDevice | undefined {
  return typeof opaque === 'object' && opaque !== null && 'dev' in opaque && 'field' in opaque ? (opaque as PciBinding).dev : undefined;
}

/** The recorded PCIDevice struct field of a description, if any. */
function pciField(vmsd: VMStateDescription): string | undefined {
  for (const f of vmsd.fields) if (f.kind === 'struct' && f.vmsd.name === 'PCIDevice') return f.key ?? f.name;
  return undefined;
}

/** The config bytes in a recorded PCIDevice state (key `config[0]` from the vmdesc, or `config`). */
function configOf(s: StateObject): Uint8Array | undefined {
  const v: Value | undefined = s['config'] ?? s['config[0]'] ?? s['config[1]'];
  return v instanceof Uint8Array ? v : undefined;
}

/** msi_cap_sizeof: 0x0a, +4 for 64-bit addresses, +0x0a for per-vector masking. */
function msiSize(config: Uint8Array, off: number): number {
  const flags = getWord(config, off + 2);
  return (flags & 0x80 ? 0x0e : 0x0a) + (flags & 0x100 ? 0x0a : 0);
}

function capSize(config: Uint8Array, id: number, off: number): number {
  switch (id) {
    case PCI_CAP_ID_PM: return 8;
    case PCI_CAP_ID_MSI: return msiSize(config, off);
    case PCI_CAP_ID_MSIX: return 12;
    case PCI_CAP_ID_VNDR: return Math.max(2, config[off + 2] ?? 2);
    case PCI_CAP_ID_EXP: return 0x3c;
    default: return 2;
  }
}

/** A PciDevice with the identity, masks and capabilities of recorded config bytes. */
export function pciDeviceFromConfig(name: string, config: Uint8Array, devfn: number): PciDevice {
  const dev = createPciDevice({
    name,
    vendorId: getWord(config, PCI_VENDOR_ID),
    deviceId: getWord(config, PCI_DEVICE_ID),
    revision: config[PCI_REVISION_ID] ?? 0,
    classId: getWord(config, PCI_CLASS_DEVICE),
    progIf: config[PCI_CLASS_PROG] ?? 0,
    subsystemVendorId: getWord(config, PCI_SUBSYSTEM_VENDOR_ID),
    subsystemId: getWord(config, PCI_SUBSYSTEM_ID),
    interruptPin: config[PCI_INTERRUPT_PIN] ?? 0,
    express: config.length > 256,
    devfn,
  });
  dev.config.set(config.subarray(0, dev.config.length));
  for (const { id, offset } of walkCapabilities(dev.config)) {
    const end = Math.min(offset + capSize(dev.config, id, offset), 256);
    dev.cmask.fill(0xff, offset, end);
    dev.wmask.fill(0, offset, end);
    dev.used.fill(0xff, offset, end);
    // msix_init: enable and function mask are guest-writable (high byte of the control word).
    if (id === PCI_CAP_ID_MSIX) dev.wmask[offset + 3] = 0xc0;
    // msi_init: enable and queue size; address and data registers.
    if (id === PCI_CAP_ID_MSI) {
      dev.wmask[offset + 2] = 0x71;
      const is64 = (getWord(dev.config, offset + 2) & 0x80) !== 0;
      dev.wmask.fill(0xff, offset + 4, offset + (is64 ? 14 : 10));
      dev.wmask[offset + 4] = 0xfc;
    }
  }
  return dev;
}

/**
 * Binds a PciDevice to a section: returns the section description with the
 * PCI core's PCIDevice field, the state with that struct keyed as the core
 * keys it, and the binding; undefined for sections without a PCIDevice.
 * The description holds no device (its check reaches the binding through
 * the section's opaque) and states are never mutated in place, so both can
 * serve every machine of a plan, each with its own copy of the device
 * (forkPciBinding).
 */
export function bindPci(
  idstr: string,
  vmsd: VMStateDescription,
  state: StateObject,
  devfn: number,
  /** The device's own model (pcie-root-port); default: rebuilt from the recorded config bytes. */
  model?: (config: Uint8Array, devfn: number) => PciDevice,
): { vmsd: VMStateDescription; state: StateObject; pci: PciBinding } | undefined {
  const field = pciField(vmsd);
  if (!field) return undefined;
  const inner = state[field];
  if (!isPlainState(inner)) return undefined;
  const config = configOf(inner);
  if (!config) return undefined;
  const name = idstr.slice(idstr.lastIndexOf('/') + 1);
  const dev = model ? model(config, devfn) : pciDeviceFromConfig(name, config, devfn);
  const fields = vmsd.fields.map((f) => ((f.key ?? f.name) === field ? locatedPciField(pciIsExpress(dev), f) : f));
  const pciState: StateObject = { version_id: inner['version_id'] ?? new Uint8Array([0, 0, 0, 2]), config: dev.config.slice(), irq_state: inner['irq_state'] ?? new Uint8Array(16) };
  return { vmsd: { ...vmsd, fields }, state: { ...state, [field]: pciState }, pci: { dev, field } };
}

/**
 * The PCI core's struct field, keyed as the section keys it; its check
 * reaches the device through the section's opaque (a PciBinding).
 * Its refusals come located: the walker reports the refused byte's stream
 * offset under "<section>/<field>/<config|version_id|irq_state>".
 */
function locatedPciField(express: boolean, f: VMStateField): VMStateField {
  const field = pciStructField(pciDeviceVmsdOf(express, deviceOfBinding), f.name);
  if (f.key) field.key = f.key;
  return field;
}

/** The same binding with a device of its own (a copy of the bound one, as another boot would build it). */
export function forkPciBinding(pci: PciBinding): PciBinding {
  return { dev: clonePciDevice(pci.dev), field: pci.field };
}

/** The device's current config written into the section state (after guest config writes). */
export function pciStateFromDevice(state: StateObject, pci: PciBinding): StateObject {
  const inner = state[pci.field];
  if (!isPlainState(inner)) return state;
  return { ...state, [pci.field]: { ...inner, config: pci.dev.config.slice() } };
}

/** Commit an accepted load into the device model (config, BAR mappings, irq state). */
export function commitPci(state: StateObject, pci: PciBinding): void {
  const inner = state[pci.field];
  if (isPlainState(inner)) applyPciDeviceState(pci.dev, inner);
}
