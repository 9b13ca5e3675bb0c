/**
 * How a simulated build realizes `-device pcie-root-port` on a machine type:
 * the header real QEMU 7.2 recorded for that machine type, with the
 * extended capabilities of the build (src/devices/pci/pcie-root-port.ts):
 * ACS by the build's history (none before 4.0, always in 4.0, disable-acs
 * from 4.1 on) and the machine type's disable-acs; PCI_ERR_UNCOR_MASK by the
 * build's pcie_aer_init (aer.ts) and the machine type's x-pcie-err-unc-mask.
 */
import { createPcieRootPort, type AcsBehaviour, type PciDevice, type PcieRootPortOptions, type UncorMaskBehaviour } from '../devices/pci/index.js';
import { getBuild, type BuildView } from '../builds/index.js';
import { parseBoolProperty, QOM, resolveProperty } from '../machines/index.js';
import { BootError } from './boot-error.js';
import type { DeviceWord } from './options.js';

/** QOM parents of pcie-root-port, most derived first: compat entries for any of them apply. */
export const ROOT_PORT_TYPE_CHAIN = ['pcie-root-port-base', 'pcie-slot', 'pcie-port', 'base-pci-bridge', QOM.PCI_DEVICE, 'device'] as const;

export type RootPortParams = Omit<PcieRootPortOptions, 'devfn' | 'recordedConfig'>;

/** The build- and machine-dependent parameters of the root port, and its slot= (the Physical Slot Number). */
export function rootPortParams(build: string, machine: string, word?: DeviceWord): RootPortParams {
  const prop = (name: string, dflt: string): boolean =>
    parseBoolProperty(resolveProperty(machine, build, 'pcie-root-port', name, dflt, { typeChain: ROOT_PORT_TYPE_CHAIN }));
  const view = getBuild(build);
  const acs = acsBehaviourOf(view);
  return {
    acs: acs === 'always' || (acs === 'property' && !prop('disable-acs', 'false')),
    uncorMask: uncorMaskBehaviourOf(view),
    errUncMask: prop('x-pcie-err-unc-mask', 'on'),
    slot: word === undefined ? 0 : numberProp(word, 'slot'),
  };
}

/**
 * The build's ACS behaviour, from its catalog changes (src/builds/catalog):
 * no ACS change yet -> none; the last one behind a property (4.1's
 * disable-acs) -> 'property'; otherwise unconditional (4.0).
 */
export function acsBehaviourOf(view: BuildView): AcsBehaviour {
  const last = view.pciConfig.filter((c) => c.capability.startsWith('ACS')).at(-1);
  if (!last) return 'absent';
  return last.controlledBy ? 'property' : 'always';
}

/**
 * The build's pcie_aer_init behaviour for PCI_ERR_UNCOR_MASK, from its
 * catalog changes: the 8.0 register change -> 'always'; once the
 * QEMU_PCIE_ERR_UNC_MASK cap_present bit exists (8.0.1) -> 'property'.
 */
export function uncorMaskBehaviourOf(view: BuildView): UncorMaskBehaviour {
  if (view.pciCapPresent['QEMU_PCIE_ERR_UNC_MASK']) return 'property';
  return view.pciConfig.some((c) => c.register === 'PCI_ERR_UNCOR_MASK') ? 'always' : 'absent';
}

function numberProp(word: DeviceWord, name: string): number {
  const text = word.props[name] ?? '0';
  const v = /^(0x[0-9a-f]+|\d+)$/i.test(text) ? Number(text) : NaN;
  // PCIESlot.slot is a uint16 property; the Physical Slot Number field is 13 bits.
  if (!Number.isInteger(v) || v > 0x1fff) throw new BootError('bad-option', `Property 'pcie-root-port.${name}' doesn't take value '${text}'`);
  return v;
}

/**
 * pcie_chassis_add_slot refuses a second port with the same chassis and slot
 * (both default 0): real 7.2 exits with "-device pcie-root-port: Can't add
 * chassis slot, error -16". Returns the key to remember.
 */
export function claimChassisSlot(word: DeviceWord, taken: Set<string>): void {
  const key = `${numberProp(word, 'chassis')}/${numberProp(word, 'slot')}`;
  if (taken.has(key)) throw new BootError('device-refused', `-device ${word.raw}: Can't add chassis slot, error -16`);
  taken.add(key);
}

/** The factory bindPci calls with the recorded config bytes and the device's devfn. */
export function rootPortModel(params: RootPortParams): (config: Uint8Array, devfn: number) => PciDevice {
  return (recordedConfig, devfn) => createPcieRootPort({ ...params, recordedConfig, devfn });
}
