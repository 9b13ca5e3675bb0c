import type { StateObject, VMStateDescription } from '../../vmstate/description.js';
import type { GuestMemory } from '../fw-cfg/guest-memory.js';
import type { VmGenId } from './vmgenid.js';

/**
 * vmstate_vmgenid: "vmgenid" v1 (min 1), VMSTATE_UINT8_ARRAY(vmgenid_addr_le, 8)
 * (the real q35 capture's vmdesc: vmgenid_addr_le, array_len 8, uint8).
 * Its post_load (vmgenid_update_guest) has a side effect on guest RAM, which
 * a transactional load must not apply before the whole stream is accepted:
 * call vmgenidCommit at commit time instead of in the description hook.
 */
export const vmstateVmgenid: VMStateDescription = {
  name: 'vmgenid',
  version_id: 1,
  minimum_version_id: 1,
  fields: [{ name: 'vmgenid_addr_le', kind: 'array', of: { kind: 'int', type: 'uint8' }, length: 8 }],
};

export function vmgenidToState(dev: VmGenId): StateObject {
  return { vmgenid_addr_le: Array.from(dev.addrLe) };
}

/**
 * Commit a loaded state: take the source's address, then write this
 * (destination) device's GUID there, as vmgenid_post_load does. Returns
 * whether the guest was updated (and QEMU would send the GPE notify).
 */
export function vmgenidCommit(dev: VmGenId, state: StateObject, mem: GuestMemory): boolean {
  const v = state['vmgenid_addr_le'];
  const bytes = v instanceof Uint8Array ? v : Array.isArray(v) ? v.map((x) => Number(x)) : [];
  for (let i = 0; i < 8; i++) dev.addrLe[i] = Number(bytes[i] ?? 0) & 0xff;
  return dev.updateGuest(mem);
}
