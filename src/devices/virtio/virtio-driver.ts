/**
 * What a guest driver does to a virtio-pci function that the "virtio" field
 * carries, without a ring: it assigns MSI-X vectors (config change to vector
 * 0, virtqueue i to vector i + 1 while the function has that many; the
 * common config's msix_config / queue_msix_vector registers) and selects a
 * queue (queue_select). Values stay within what virtio_load accepts:
 * vectors below the function's vector count, queue_sel below the queue count.
 */
import { decodeVirtioPci, encodeVirtioPci, VIRTIO_NO_VECTOR, type VirtioPciLayout } from './virtio-pci-state.js';

export function virtioDriverRound(bytes: Uint8Array, layout: VirtioPciLayout, round: number): Uint8Array {
  const { state } = decodeVirtioPci(bytes, layout);
  if (layout.msixEntries > 0) {
    state.configVector = 0;
    state.queues.forEach((q, i) => { q.vector = i + 1 < layout.msixEntries ? i + 1 : VIRTIO_NO_VECTOR; });
  }
  if (state.queues.length > 0) state.queueSel = round % state.queues.length;
  return encodeVirtioPci(state);
}
