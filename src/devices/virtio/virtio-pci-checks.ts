/**
 * What QEMU 7.2's virtio_load refuses in the transport and virtio header
 * of a virtio-pci function, in its order:
 *
 * - virtio_pci_load_config -> pci_device_load: the PCI core's checks
 *   (version_id, get_pci_config_device "Bad config data", irq_state);
 * - msix_load reads the table and PBA (no check);
 * - config_vector: -EINVAL when not VIRTIO_NO_VECTOR and >= the function's
 *   vector count (no message of its own);
 * - queue_sel >= VIRTIO_QUEUE_MAX: -1 (no message);
 * - "Invalid number of virtqueues: 0x%x";
 * - per queue: "VQ %d address 0x0 inconsistent with Host index 0x%x", then
 *   virtio_pci_load_queue's vector check (-EINVAL as above).
 *
 * The checks after the device vmsd (features against host features, ring
 * indices read from guest memory) need state this model does not keep.
 */
import { LoadError, WireReader, type CheckLog } from '../../wire/index.js';
import {
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_MSIX,
  PCI_DEVICE_VMSD_VERSION,
  PCI_MSIX_FLAGS,
  PCI_MSIX_FLAGS_QSIZE,
  getWord,
  pciConfigSize,
  readCheckedPciDevice,
  walkCapabilities,
  type PciDevice,
} from '../pci/index.js';
import { decodeVirtioPci, VIRTIO_NO_VECTOR, VIRTIO_QUEUE_MAX, type VirtioPciLayout, type VirtioPciState } from './virtio-pci-state.js';

/** msix_entries_nr from the function's MSI-X capability (table size field + 1), 0 without one. */
export function msixEntriesOf(config: Uint8Array): number {
  const cap = walkCapabilities(config).find((c) => c.id === PCI_CAP_ID_MSIX);
  return cap ? (getWord(config, cap.offset + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE) + 1 : 0;
}

/**
 * The layout a recorded field was written with, from its own config space
 * (after the be32 version_id): 4 KiB when the function has a PCI Express
 * capability, MSI-X entries from its capability.
 */
export function virtioPciLayoutOfField(bytes: Uint8Array): VirtioPciLayout {
  const head = bytes.subarray(4, 4 + 256);
  const express = walkCapabilities(head).some((c) => c.id === PCI_CAP_ID_EXP);
  return { configSpaceSize: express ? 4096 : 256, msixEntries: msixEntriesOf(head) };
}

export function virtioPciLayout(dev: PciDevice): VirtioPciLayout {
  return { configSpaceSize: pciConfigSize(dev), msixEntries: msixEntriesOf(dev.config) };
}

export interface VirtioCheckLocation {
  /** Path of the field, e.g. "0000:00:02.0/virtio-net/virtio". */
  path: string;
  log?: CheckLog;
}

function vectorRefusal(vector: number, nvectors: number, offset: number, path: string, what: string): LoadError {
  return new LoadError('virtio.vector-invalid', `virtio-pci: ${what} vector 0x${vector.toString(16)} >= nvectors ${nvectors}`, offset, path);
}

/**
 * Decodes the field as the destination `dev` reads it and runs every
 * check above; returns the decoded state. Offsets are relative to the field.
 */
export function checkVirtioPciLoad(dev: PciDevice, bytes: Uint8Array, loc: VirtioCheckLocation): VirtioPciState {
  const layout = virtioPciLayout(dev);
  const { path, log } = loc;
  // virtio_pci_load_config -> pci_device_load: the PCI core's reads and checks come first.
  const r = new WireReader(bytes);
  r.path = path;
  readCheckedPciDevice(dev, r, PCI_DEVICE_VMSD_VERSION, path, log);
  const { state, offsets } = decodeVirtioPci(bytes, layout, path);
  log?.reached('virtio.vector-invalid');
  const v = state.configVector;
  if (v !== undefined && v !== VIRTIO_NO_VECTOR && v >= layout.msixEntries) throw vectorRefusal(v, layout.msixEntries, offsets.configVector, `${path}/config_vector`, 'config');
  log?.reached('virtio.queue-sel-invalid');
  if (state.queueSel >= VIRTIO_QUEUE_MAX) {
    throw new LoadError('virtio.queue-sel-invalid', `virtio: queue_sel 0x${state.queueSel.toString(16)} >= VIRTIO_QUEUE_MAX`, offsets.queueSel, `${path}/queue_sel`);
  }
  log?.reached('virtio.queue-index-inconsistent');
  state.queues.forEach((q, i) => {
    const at = offsets.queues[i] ?? 0;
    if (q.desc === 0n && q.lastAvailIdx !== 0) {
      throw new LoadError('virtio.queue-index-inconsistent', `VQ ${i} address 0x0 inconsistent with Host index 0x${q.lastAvailIdx.toString(16)}`, at + 12, `${path}/vq[${i}]`);
    }
    if (q.vector !== undefined && q.vector !== VIRTIO_NO_VECTOR && q.vector >= layout.msixEntries) {
      throw vectorRefusal(q.vector, layout.msixEntries, at + 14, `${path}/vq[${i}]/vector`, `queue ${i}`);
    }
  });
  return state;
}
