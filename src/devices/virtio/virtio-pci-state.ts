/**
 * The "virtio" field of a virtio-pci device section in QEMU 7.2
 * (VMSTATE_VIRTIO_DEVICE: a custom VMStateInfo whose get/put are
 * hw/virtio/virtio.c virtio_load / virtio_save), decoded up to the
 * device's own vmsd:
 *
 *   virtio_pci_save_config: pci_device_save (be32 version_id, config,
 *     4 x be32 irq_state), msix_save (table: entries x 16 bytes, PBA:
 *     DIV_ROUND_UP(entries, 8) bytes), be16 config_vector if MSI-X is present;
 *   virtio_save: u8 status, u8 isr, be16 queue_sel, be32 guest_features
 *     low bits, be32 config_len, config, be32 queue count, and per queue
 *     be32 vring.num, be64 vring.desc, be16 last_avail_idx and
 *     (virtio_pci_save_queue) be16 vector if MSI-X is present.
 *
 * What follows (the device's vmsd, e.g. vmstate_virtio_net_device, then
 * vmstate_virtio's subsections) is kept as bytes: `rest`. PCI has no
 * variable vring alignment (has_variable_vring_alignment is false).
 */
import { LoadError, WireReader, WireWriter } from '../../wire/index.js';

export interface VirtqueueState {
  num: number;
  desc: bigint;
  lastAvailIdx: number;
  /** Present when the function has MSI-X. */
  vector?: number;
}

export interface VirtioPciState {
  pciVersionId: number;
  pciConfig: Uint8Array;
  irqState: Uint8Array;
  /** Empty when the function has no MSI-X. */
  msixTable: Uint8Array;
  msixPba: Uint8Array;
  /** Present when the function has MSI-X. */
  configVector?: number;
  status: number;
  isr: number;
  queueSel: number;
  guestFeaturesLo: number;
  /** config_len as sent (int32): config holds what was sent. */
  config: Uint8Array;
  queues: VirtqueueState[];
  /** The device vmsd and vmstate_virtio's subsections, as sent. */
  rest: Uint8Array;
}

/** The layout facts virtio_load takes from the destination, not the stream. */
export interface VirtioPciLayout {
  /** PCI config space size: 256, or 4096 for a PCI Express function. */
  configSpaceSize: number;
  /** msix_entries_nr, 0 without MSI-X. */
  msixEntries: number;
}

export const VIRTIO_QUEUE_MAX = 1024;
export const VIRTIO_NO_VECTOR = 0xffff;

/** Byte offsets of the parts the checks point at, relative to the field. */
export interface VirtioPciOffsets {
  configVector: number;
  queueSel: number;
  queueCount: number;
  /** Per queue: the offset of vring.num. */
  queues: number[];
}

/**
 * Reads the field as virtio_load reads it (transport part and the virtio
 * header). Structural refusals only (truncation, a queue count above
 * VIRTIO_QUEUE_MAX, a negative config_len); the value checks are in
 * virtio-pci-checks.ts so that they run in QEMU's order with the PCI core's.
 */
export function decodeVirtioPci(bytes: Uint8Array, layout: VirtioPciLayout, path = 'virtio'): { state: VirtioPciState; offsets: VirtioPciOffsets } {
  const r = new WireReader(bytes);
  r.path = path;
  const pciVersionId = r.i32();
  const pciConfig = r.bytes(layout.configSpaceSize, 'PCIDevice config').slice();
  const irqState = r.bytes(16, 'PCIDevice irq_state').slice();
  const msixTable = r.bytes(layout.msixEntries * 16, 'MSI-X table').slice();
  const msixPba = r.bytes(Math.ceil(layout.msixEntries / 8), 'MSI-X PBA').slice();
  const configVectorAt = r.pos;
  const configVector = layout.msixEntries > 0 ? r.u16() : undefined;
  const status = r.u8();
  const isr = r.u8();
  const queueSelAt = r.pos;
  const queueSel = r.u16();
  const guestFeaturesLo = r.u32();
  const configLenAt = r.pos;
  const configLen = r.i32();
  if (configLen < 0) throw new LoadError('virtio.config-len-invalid', `virtio: config_len ${configLen} is negative`, configLenAt, `${path}/config_len`);
  const config = r.bytes(configLen, 'virtio config').slice();
  const queueCountAt = r.pos;
  const num = r.u32();
  if (num > VIRTIO_QUEUE_MAX) {
    // virtio_load: error_report("Invalid number of virtqueues: 0x%x", num)
    throw new LoadError('virtio.queue-count-invalid', `Invalid number of virtqueues: 0x${num.toString(16)}`, queueCountAt, `${path}/num_queues`);
  }
  const queues: VirtqueueState[] = [];
  const queueAts: number[] = [];
  for (let i = 0; i < num; i++) {
    queueAts.push(r.pos);
    const q: VirtqueueState = { num: r.u32(), desc: r.u64(), lastAvailIdx: r.u16() };
    if (layout.msixEntries > 0) q.vector = r.u16();
    queues.push(q);
  }
  const rest = bytes.slice(r.pos);
  const state: VirtioPciState = { pciVersionId, pciConfig, irqState, msixTable, msixPba, status, isr, queueSel, guestFeaturesLo, config, queues, rest };
  if (configVector !== undefined) state.configVector = configVector;
  return {
    state,
    offsets: { configVector: configVectorAt, queueSel: queueSelAt, queueCount: queueCountAt, queues: queueAts },
  };
}

/** virtio_save's bytes for a decoded state (the inverse of decodeVirtioPci). */
export function encodeVirtioPci(s: VirtioPciState): Uint8Array {
  const w = new WireWriter();
  w.i32(s.pciVersionId).bytes(s.pciConfig).bytes(s.irqState).bytes(s.msixTable).bytes(s.msixPba);
  if (s.configVector !== undefined) w.u16(s.configVector);
  w.u8(s.status).u8(s.isr).u16(s.queueSel).u32(s.guestFeaturesLo).i32(s.config.length).bytes(s.config);
  w.u32(s.queues.length);
  for (const q of s.queues) {
    w.u32(q.num).u64(q.desc).u16(q.lastAvailIdx);
    if (q.vector !== undefined) w.u16(q.vector);
  }
  w.bytes(s.rest);
  return w.finish();
}
