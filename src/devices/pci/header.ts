import {
  PCI_CACHE_LINE_SIZE,
  PCI_CAPABILITY_LIST,
  PCI_CLASS_DEVICE,
  PCI_CLASS_PROG,
  PCI_COMMAND,
  PCI_DEVICE_ID,
  PCI_HEADER_TYPE,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_LATENCY_TIMER,
  PCI_NUM_REGIONS,
  PCI_REVISION_ID,
  PCI_STATUS,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
} from './constants.js';
import { getWord } from './config-bytes.js';
import { msixSave } from './msix.js';
import { PCI_BAR_UNMAPPED, type PciDevice } from './pci-device.js';

/** The standard (type 0) header fields, decoded from config space. */
export interface PciHeader {
  vendorId: number;
  deviceId: number;
  command: number;
  status: number;
  revision: number;
  progIf: number;
  classId: number;
  cacheLineSize: number;
  latencyTimer: number;
  headerType: number;
  subsystemVendorId: number;
  subsystemId: number;
  capabilityPointer: number;
  interruptLine: number;
  interruptPin: number;
}

export function readHeader(config: Uint8Array): PciHeader {
  const b = (at: number): number => config[at] ?? 0;
  return {
    vendorId: getWord(config, PCI_VENDOR_ID),
    deviceId: getWord(config, PCI_DEVICE_ID),
    command: getWord(config, PCI_COMMAND),
    status: getWord(config, PCI_STATUS),
    revision: b(PCI_REVISION_ID),
    progIf: b(PCI_CLASS_PROG),
    classId: getWord(config, PCI_CLASS_DEVICE),
    cacheLineSize: b(PCI_CACHE_LINE_SIZE),
    latencyTimer: b(PCI_LATENCY_TIMER),
    headerType: b(PCI_HEADER_TYPE),
    subsystemVendorId: getWord(config, PCI_SUBSYSTEM_VENDOR_ID),
    subsystemId: getWord(config, PCI_SUBSYSTEM_ID),
    capabilityPointer: b(PCI_CAPABILITY_LIST),
    interruptLine: b(PCI_INTERRUPT_LINE),
    interruptPin: b(PCI_INTERRUPT_PIN),
  };
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const x of bytes) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Guest-visible PCI state as plain JSON, for the VM snapshot diff. */
export interface PciSnapshot {
  config: string;
  irqState: number;
  bars: (string | null)[];
  msix?: string;
}

/**
 * A canonical snapshot: config bytes, INTx levels, where each BAR is mapped
 * (null = unregistered, "unmapped"), and the MSI-X table and PBA as
 * msix_save writes them. Masks are not guest-visible and are left out.
 */
export function pciSnapshot(dev: PciDevice): PciSnapshot {
  const bars: (string | null)[] = [];
  for (let i = 0; i < PCI_NUM_REGIONS; i++) {
    const r = dev.regions[i];
    bars.push(r ? (r.addr === PCI_BAR_UNMAPPED ? 'unmapped' : `0x${r.addr.toString(16)}`) : null);
  }
  return {
    config: toHex(dev.config),
    irqState: dev.irqState,
    bars,
    ...(dev.msix ? { msix: toHex(msixSave(dev)) } : {}),
  };
}
