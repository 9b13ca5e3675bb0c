/**
 * vmstate_virtio_net_device (hw/net/virtio-net.c, QEMU 7.2), the device
 * vmsd virtio_load runs after the virtqueues, for a single-queue-pair
 * function without VIRTIO_NET_F_CTRL_GUEST_OFFLOADS negotiated (so
 * max_queue_pairs, curr_queue_pairs, the further tx_waiting flags and
 * curr_guest_offloads are not on the wire):
 *
 *   mac[6], vqs[0].tx_waiting (be32), mergeable_rx_bufs (be32), status
 *   (be16), promisc, allmulti, mac_table.in_use (be32), mac_table.macs
 *   (in_use x 6 bytes; thrown away unread when in_use > MAC_TABLE_ENTRIES),
 *   vlans (MAX_VLAN >> 3 = 512 bytes), has_vnet_hdr (be32, tmp),
 *   multi_overflow, uni_overflow, alluni, nomulti, nouni, nobcast,
 *   has_ufo (u8, tmp)
 *
 * followed by its subsections and vmstate_virtio's, kept as bytes (`tail`).
 */
import { LoadError, WireReader, WireWriter } from '../../wire/index.js';

export const MAC_TABLE_ENTRIES = 64;
const ETH_ALEN = 6;
const MAX_VLAN = 1 << 12;

export interface VirtioNetDeviceState {
  mac: Uint8Array;
  txWaiting: number;
  mergeableRxBufs: number;
  status: number;
  promisc: number;
  allmulti: number;
  macTableInUse: number;
  /** in_use x ETH_ALEN bytes as sent. */
  macs: Uint8Array;
  vlans: Uint8Array;
  hasVnetHdr: number;
  multiOverflow: number;
  uniOverflow: number;
  alluni: number;
  nomulti: number;
  nouni: number;
  nobcast: number;
  hasUfo: number;
  tail: Uint8Array;
}

export interface VirtioNetDeviceOffsets {
  macTableInUse: number;
  hasVnetHdr: number;
  hasUfo: number;
}

export function decodeVirtioNetDevice(rest: Uint8Array, path = 'virtio-net-device'): { state: VirtioNetDeviceState; offsets: VirtioNetDeviceOffsets } {
  const r = new WireReader(rest);
  r.path = path;
  const mac = r.bytes(ETH_ALEN, 'mac').slice();
  const txWaiting = r.u32();
  const mergeableRxBufs = r.u32();
  const status = r.u16();
  const promisc = r.u8();
  const allmulti = r.u8();
  const inUseAt = r.pos;
  const macTableInUse = r.u32();
  const macs = r.bytes(macTableInUse * ETH_ALEN, 'mac_table.macs').slice();
  const vlans = r.bytes(MAX_VLAN >> 3, 'vlans').slice();
  const vnetAt = r.pos;
  const hasVnetHdr = r.u32();
  const [multiOverflow, uniOverflow, alluni, nomulti, nouni, nobcast] = [r.u8(), r.u8(), r.u8(), r.u8(), r.u8(), r.u8()];
  const ufoAt = r.pos;
  const hasUfo = r.u8();
  const tail = rest.slice(r.pos);
  return {
    state: { mac, txWaiting, mergeableRxBufs, status, promisc, allmulti, macTableInUse, macs, vlans, hasVnetHdr, multiOverflow: multiOverflow!, uniOverflow: uniOverflow!, alluni: alluni!, nomulti: nomulti!, nouni: nouni!, nobcast: nobcast!, hasUfo, tail },
    offsets: { macTableInUse: inUseAt, hasVnetHdr: vnetAt, hasUfo: ufoAt },
  };
}

export function encodeVirtioNetDevice(s: VirtioNetDeviceState): Uint8Array {
  const w = new WireWriter();
  w.bytes(s.mac).u32(s.txWaiting).u32(s.mergeableRxBufs).u16(s.status).u8(s.promisc).u8(s.allmulti);
  w.u32(s.macs.length / ETH_ALEN).bytes(s.macs).bytes(s.vlans).u32(s.hasVnetHdr);
  w.u8(s.multiOverflow).u8(s.uniOverflow).u8(s.alluni).u8(s.nomulti).u8(s.nouni).u8(s.nobcast).u8(s.hasUfo).bytes(s.tail);
  return w.finish();
}

/** What the destination's peer offers: no -netdev behind the NIC means neither (peer_has_vnet_hdr / peer_has_ufo). */
export interface VirtioNetPeer {
  vnetHdr: boolean;
  ufo: boolean;
}

/**
 * The refusals of the tmp post_loads, in field order:
 * virtio_net_vnet_post_load and virtio_net_ufo_post_load (-EINVAL with
 * their error_report lines). base: the offset of `rest` in the field.
 */
export function checkVirtioNetDevice(rest: Uint8Array, peer: VirtioNetPeer, base: number, path: string): VirtioNetDeviceState {
  const { state, offsets } = decodeVirtioNetDevice(rest, path);
  if (state.hasVnetHdr !== 0 && !peer.vnetHdr) {
    throw new LoadError('virtio.net-peer-feature', 'virtio-net: saved image requires vnet_hdr=on', base + offsets.hasVnetHdr, `${path}/has_vnet_hdr`);
  }
  if (state.hasUfo !== 0 && !peer.ufo) {
    throw new LoadError('virtio.net-peer-feature', 'virtio-net: saved image requires TUN_F_UFO support', base + offsets.hasUfo, `${path}/has_ufo`);
  }
  return state;
}
