/**
 * virtio-pci sections (virtio-net, virtio-rng): their only field is the
 * custom "virtio" VMStateInfo, a run of recorded bytes to the engine. The
 * section gets a PciDevice rebuilt from the PCI config inside those bytes
 * (pci-model.ts) with the BARs virtio-pci realize registers
 * (src/devices/virtio), and a post_load that decodes the loaded bytes and
 * runs virtio_load's checks with the PCI core's (and, for virtio-net,
 * those of its device vmsd's tmp fields). The stream bytes are not
 * changed: the state keeps the recorded field.
 */
import {
  checkVirtioNetDevice,
  decodeVirtioNetDevice,
  checkVirtioPciLoad,
  decodeVirtioPci,
  realizeVirtioPciModel,
  virtioPciLayout,
  virtioPciLayoutOfField,
} from '../devices/virtio/index.js';
import type { HookRefusal, StateObject, VMStateDescription } from '../vmstate/index.js';
import { LoadError } from '../wire/index.js';
import { pciDeviceFromConfig } from './pci-model.js';

function virtioField(vmsd: VMStateDescription): string | undefined {
  const f = vmsd.fields.find((x) => x.kind === 'opaque' && x.info === 'virtio');
  return f ? (f.key ?? f.name) : undefined;
}

/** The function's config space inside the field, after the be32 version_id. */
function configInField(bytes: Uint8Array): Uint8Array {
  return bytes.slice(4, 4 + virtioPciLayoutOfField(bytes).configSpaceSize);
}

/**
 * The section description with virtio_load's checks as its post_load;
 * undefined for sections without a "virtio" field. The rebuilt PciDevice
 * is only read by those checks, so the check alone holds it.
 */
export function bindVirtio(
  idstr: string,
  vmsd: VMStateDescription,
  state: StateObject,
  devfn: number,
  romSize: number | undefined,
): VMStateDescription | undefined {
  const field = virtioField(vmsd);
  const bytes = field === undefined ? undefined : state[field];
  if (field === undefined || !(bytes instanceof Uint8Array)) return undefined;
  const name = idstr.slice(idstr.lastIndexOf('/') + 1);
  const dev = pciDeviceFromConfig(name, configInField(bytes), devfn);
  const layout = virtioPciLayout(dev);
  const recorded = decodeVirtioPci(bytes, layout).state;
  realizeVirtioPciModel(dev, { deviceConfigLen: recorded.config.length, ...(romSize === undefined ? {} : { romSize }) });
  const path = `${idstr}/${field}`;
  const check = vmsd.post_load;
  const isNet = vmsd.name === 'virtio-net';
  // What is left after the decoded part: vmstate_virtio's subsections (and the device's), kept as bytes.
  const recordedTail = isNet ? decodeVirtioNetDevice(recorded.rest).state.tail.length : recorded.rest.length;
  const checkLoaded = (loaded: Uint8Array): void => {
    const got = checkVirtioPciLoad(dev, loaded, { path });
    // No -netdev behind a NIC here: its peer has neither vnet headers nor UFO.
    const tail = isNet ? checkVirtioNetDevice(got.rest, { vnetHdr: false, ufo: false }, loaded.length - got.rest.length, `${path}/virtio-net-device`).tail : got.rest;
    // A queue list, config or MAC table of another length moves what follows: QEMU then finds no
    // subsection marker where it looks, stops reading the field elsewhere than its end, and
    // check_section_footer refuses the section (what real 7.2 printed for mac_table.in_use 65).
    if (tail.length !== recordedTail) {
      throw new LoadError('virtio.layout-mismatch', `Missing section footer for ${idstr}`, loaded.length - tail.length, path);
    }
  };
  const post_load = (s: StateObject, versionId: number): HookRefusal | void => {
    const loaded = s[field];
    if (loaded instanceof Uint8Array) {
      try {
        checkLoaded(loaded);
      } catch (e) {
        if (!(e instanceof LoadError) || !(e.code.startsWith('virtio.') || e.code.startsWith('pci.'))) throw e;
        // virtio_load's and the PCI core's checks give offsets within the "virtio" field, the section's
        // only field, so from the first byte of its fields: the walker makes that the stream offset.
        return { code: e.code, message: e.message, field: e.path.startsWith(`${idstr}/`) ? e.path.slice(idstr.length + 1) : e.path, offset: e.offset };
      }
    }
    return check?.(s, versionId);
  };
  return { ...vmsd, post_load };
}
