/**
 * virtio-net's MAC address lives twice in its migration state: in the
 * device config space (struct virtio_net_config starts with mac[6], copied
 * into the "virtio" field by virtio_save) and as the first field of
 * vmstate_virtio_net_device (VMSTATE_UINT8_ARRAY(mac, VirtIONet, ETH_ALEN)),
 * the first bytes after the virtqueues. The config copy is only filled
 * when the guest reads the config (virtio_config_read* call get_config), so
 * a function no driver touched sends zeros there.
 */
import { decodeVirtioPci, encodeVirtioPci, type VirtioPciLayout } from './virtio-pci-state.js';

const ETH_ALEN = 6;

export function virtioNetMac(bytes: Uint8Array, layout: VirtioPciLayout): number[] {
  return [...decodeVirtioPci(bytes, layout).state.rest.subarray(0, ETH_ALEN)];
}

/** The "virtio" field bytes of a virtio-net function with its MAC set to `mac` (and in the config copy when that holds the old one). */
export function virtioNetWithMac(bytes: Uint8Array, layout: VirtioPciLayout, mac: number[]): Uint8Array {
  const { state } = decodeVirtioPci(bytes, layout);
  const old = state.rest.subarray(0, ETH_ALEN);
  const config = state.config.slice();
  if (config.length >= ETH_ALEN && old.every((b, i) => config[i] === b)) config.set(mac, 0);
  const rest = state.rest.slice();
  rest.set(mac, 0);
  return encodeVirtioPci({ ...state, config, rest });
}
