import type { HookRefusal, StateObject, VMStateDescription, VMStateField, Value } from '../../vmstate/index.js';
import { LoadError, type CheckLog, type WireReader, type WireWriter } from '../../wire/index.js';
import { PCI_NUM_PINS, PCI_STATUS, PCI_STATUS_INTERRUPT } from './constants.js';
import { hex } from './config-bytes.js';
import { updateMappings } from './bars.js';
import { updateIrqStatus } from './intx.js';
import { clonePciDevice, pciConfigSize, pciIsExpress, type PciDevice } from './pci-device.js';

/**
 * vmstate_pci_device as QEMU 7.2 writes it ("PCIDevice", version 2, minimum 1):
 *
 *   version_id  int32, info "int32 le": 0 <= incoming <= local (2), else
 *               "Invalid value %d expecting positive value <= %d"
 *   config      256 bytes (conventional) or 4096 (Express; two fields of the
 *               same name selected by field_exists), info "pci config"
 *   irq_state   since version 2: 4 x be32, info "pci irq state", each 0 or 1,
 *               else "irq state %d: must be 0 or 1."
 *
 * get_pci_config_device refuses a byte where
 * `(incoming ^ local) & cmask & ~wmask & ~w1cmask` is non-zero, i.e. a
 * checked, read-only bit that differs: the destination device must have been
 * built the same way as the source. It reports the first such byte with
 * error_report("%s: Bad config data: ...", __func__), so the message starts
 * with "get_pci_config_device: ".
 *
 * Walker integration: config and irq_state are `opaque` fields (their
 * VMStateInfo names kept) and the checks run in post_load, which returns a
 * refusal with the pci.* code, the part (version_id, config, irq_state) and
 * the refused byte's offset from the struct's first byte; the walker, which
 * knows where the struct began, reports the stream offset and path.
 * post_load only checks; applyPciDeviceState() commits once the stream is
 * accepted.
 */

export const PCI_DEVICE_VMSD_VERSION = 2;

function bytesOf(v: Value | undefined, size: number, field: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== size) {
    throw new LoadError('wire.truncated', `PCIDevice ${field}: expected ${size} bytes`, 0, `PCIDevice/${field}`);
  }
  return v;
}

/**
 * The field list, one for conventional and one for Express devices: whether
 * a device is Express is fixed when it is created (QEMU: the class's
 * QEMU_PCI_CAP_EXPRESS), so each list is shared by every device of its kind
 * and the walkers' per-field compiled code is built once, not per device.
 */
function pciDeviceFields(express: boolean): VMStateField[] {
  return [
    // VMSTATE_INT32_POSITIVE_LE: info "int32 le" (an opaque 4-byte element so
    // the vmdesc says "int32 le" as QEMU's does); checked in post_load.
    { name: 'version_id', kind: 'opaque', info: 'int32 le', size: 4 },
    // Two fields named "config" (QEMU's vmdesc calls them config / config[1]);
    // only one exists per device, and both keep their value under "config".
    { name: 'config', key: 'config', kind: 'opaque', info: 'pci config', size: 256, field_exists: () => !express },
    { name: 'config', key: 'config', kind: 'opaque', info: 'pci config', size: 4096, field_exists: () => express },
    { name: 'irq_state', kind: 'opaque', info: 'pci irq state', size: PCI_NUM_PINS * 4, version_id: 2 },
  ];
}

const CONVENTIONAL_FIELDS = pciDeviceFields(false);
const EXPRESS_FIELDS = pciDeviceFields(true);

/** The description for one device (config size depends on Express): the shared one, checking against `dev` whatever the opaque. */
export function pciDeviceVmsd(dev: PciDevice, opts: { log?: CheckLog } = {}): VMStateDescription {
  return pciDeviceVmsdOf(pciIsExpress(dev), () => dev, opts.log);
}

/**
 * checkPciDeviceState's first refusal as the walker takes it: offsets from
 * the struct's first byte (be32 version_id, config, irq_state), the part as
 * the field below the struct.
 */
function pciDeviceRefusal(dev: PciDevice, state: StateObject, versionId: number, log: CheckLog | undefined): HookRefusal | undefined {
  const config = 4;
  const loc: CheckLocation = { versionOffset: 0, configOffset: config, irqOffset: config + pciConfigSize(dev) };
  if (log) loc.log = log;
  try {
    checkPciDeviceState(dev, state, versionId, loc);
    return undefined;
  } catch (e) {
    if (!(e instanceof LoadError) || !e.code.startsWith('pci.')) throw e;
    return { code: e.code, message: e.message, field: e.path.slice(e.path.lastIndexOf('/') + 1), offset: e.offset };
  }
}

/**
 * The description shared by every device of a kind: its post_load finds the
 * device being loaded through the opaque the load passes (QEMU hands the
 * PCIDevice to the hook the same way), so the description, and the compiled
 * walk of every section embedding it, outlive any one device. No device
 * behind the opaque (bytes decoded without loading them into a machine):
 * nothing to check against, as with no destination at all.
 */
export function pciDeviceVmsdOf(express: boolean, deviceOf: (opaque: unknown) => PciDevice | undefined, log?: CheckLog): VMStateDescription {
  return {
    name: 'PCIDevice',
    version_id: PCI_DEVICE_VMSD_VERSION,
    minimum_version_id: 1,
    fields: express ? EXPRESS_FIELDS : CONVENTIONAL_FIELDS,
    post_load: (state, versionId, opaque) => {
      const dev = deviceOf(opaque);
      return dev ? pciDeviceRefusal(dev, state, versionId, log) : undefined;
    },
  };
}

/**
 * VMSTATE_PCI_DEVICE(_field, _state): VMSTATE_STRUCT of vmstate_pci_device,
 * loaded at the struct's own version (2), so irq_state is always present.
 * Devices name the member "parent_obj" (e1000, e1000e) or "dev".
 */
export function pciDeviceStructField(dev: PciDevice, fieldName = 'parent_obj'): VMStateField {
  return pciStructField(pciDeviceVmsd(dev), fieldName);
}

/** VMSTATE_PCI_DEVICE around a shared description (pciDeviceVmsdOf). */
export function pciStructField(vmsd: VMStateDescription, fieldName = 'parent_obj'): VMStateField {
  // -dump-vmstate prints field->size = sizeof(PCIDevice): 2608 in QEMU 7.2
  // x86_64 (pc-q35-7.2 dump, e1000 parent_obj). Only the dump shows it.
  return { name: fieldName, kind: 'struct', vmsd, meta: { dumpSize: SIZEOF_PCIDEVICE_7_2 } };
}

/** sizeof(PCIDevice) in QEMU 7.2 x86_64, as -dump-vmstate reports it. */
export const SIZEOF_PCIDEVICE_7_2 = 2608;

/**
 * What a save writes. `clearInterruptStatus` models pci_device_save(), which
 * clears PCI_STATUS_INTERRUPT in the saved copy (old-style savers such as
 * virtio-pci); VMSTATE_PCI_DEVICE users save the bit as it is.
 */
export function pciDeviceState(dev: PciDevice, clearInterruptStatus = false): StateObject {
  const config = dev.config.slice();
  if (clearInterruptStatus) config[PCI_STATUS] = (config[PCI_STATUS] ?? 0) & ~PCI_STATUS_INTERRUPT;
  const irq = new Uint8Array(PCI_NUM_PINS * 4);
  for (let i = 0; i < PCI_NUM_PINS; i++) irq[i * 4 + 3] = (dev.irqState >> i) & 1;
  const version = new Uint8Array(4);
  new DataView(version.buffer).setInt32(0, dev.versionId);
  return { version_id: version, config, irq_state: irq };
}

/** Where check errors point; `base` is the stream offset of each field when known. */
export interface CheckLocation {
  /** Told of every check evaluated (the fuzzer's coverage signal). */
  log?: CheckLog;
  versionOffset?: number;
  configOffset?: number;
  irqOffset?: number;
  path?: string;
}

/** get_int32_le. */
export function checkVersionField(dev: PciDevice, loaded: number, loc: CheckLocation = {}): void {
  loc.log?.reached('pci.version-invalid');
  if (loaded >= 0 && loaded <= dev.versionId) return;
  throw new LoadError(
    'pci.version-invalid',
    `Invalid value ${loaded} expecting positive value <= ${dev.versionId}`,
    loc.versionOffset ?? 0,
    `${loc.path ?? 'PCIDevice'}/version_id`,
  );
}

/** The byte get_pci_config_device would refuse first, or -1. */
export function firstBadConfigByte(dev: PciDevice, incoming: Uint8Array): number {
  const n = Math.min(incoming.length, dev.config.length);
  for (let i = 0; i < n; i++) {
    const diff = ((incoming[i] ?? 0) ^ (dev.config[i] ?? 0)) & (dev.cmask[i] ?? 0) & ~(dev.wmask[i] ?? 0) & ~(dev.w1cmask[i] ?? 0);
    if (diff & 0xff) return i;
  }
  return -1;
}

/** get_pci_config_device's check, with its exact wording. */
export function checkConfigData(dev: PciDevice, incoming: Uint8Array, loc: CheckLocation = {}): void {
  if (incoming.length !== pciConfigSize(dev)) {
    throw new LoadError('wire.truncated', `PCIDevice config: expected ${pciConfigSize(dev)} bytes, got ${incoming.length}`, loc.configOffset ?? 0, `${loc.path ?? 'PCIDevice'}/config`);
  }
  loc.log?.reached('pci.bad-config-data');
  const i = firstBadConfigByte(dev, incoming);
  if (i < 0) return;
  throw new LoadError(
    'pci.bad-config-data',
    `get_pci_config_device: Bad config data: i=0x${hex(i)} read: ${hex(incoming[i] ?? 0)} device: ${hex(dev.config[i] ?? 0)} ` +
      `cmask: ${hex(dev.cmask[i] ?? 0)} wmask: ${hex(dev.wmask[i] ?? 0)} w1cmask:${hex(dev.w1cmask[i] ?? 0)}`,
    (loc.configOffset ?? 0) + i,
    `${loc.path ?? 'PCIDevice'}/config`,
  );
}

/** The four irq_state words; get_pci_irq_state refuses anything but 0 or 1. */
export function decodeIrqState(bytes: Uint8Array, loc: CheckLocation = {}): number {
  loc.log?.reached('pci.irq-state-invalid');
  let mask = 0;
  for (let i = 0; i < PCI_NUM_PINS; i++) {
    const at = i * 4;
    const v = (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>> 0;
    if (v !== 0 && v !== 1) {
      // QEMU prints the uint32 with %d.
      throw new LoadError('pci.irq-state-invalid', `irq state ${v | 0}: must be 0 or 1.`, (loc.irqOffset ?? 0) + at, `${loc.path ?? 'PCIDevice'}/irq_state`);
    }
    mask |= v << i;
  }
  return mask;
}

/** The int32 of the version_id field: 4 big-endian bytes from the walker, or a number. */
function versionFieldValue(v: Value | undefined): number {
  if (v instanceof Uint8Array && v.length === 4) return new DataView(v.buffer, v.byteOffset, 4).getInt32(0);
  if (typeof v === 'number') return v;
  throw new LoadError('wire.truncated', 'PCIDevice version_id: expected 4 bytes', 0, 'PCIDevice/version_id');
}

/** All checks of a load, in QEMU's order; throws the first refusal. */
export function checkPciDeviceState(dev: PciDevice, state: StateObject, versionId: number, loc: CheckLocation = {}): void {
  checkVersionField(dev, versionFieldValue(state['version_id']), loc);
  checkConfigData(dev, bytesOf(state['config'], pciConfigSize(dev), 'config'), loc);
  if (versionId >= 2) decodeIrqState(bytesOf(state['irq_state'], PCI_NUM_PINS * 4, 'irq_state'), loc);
}

/**
 * Commit an accepted state: copy config, remap BARs (pci_update_mappings),
 * set irq_state and mirror it into the status register (pci_device_load's
 * pci_update_irq_status). Call only after checkPciDeviceState passed.
 */
export function applyPciDeviceState(dev: PciDevice, state: StateObject, versionId = PCI_DEVICE_VMSD_VERSION): void {
  dev.config.set(bytesOf(state['config'], pciConfigSize(dev), 'config'));
  updateMappings(dev);
  if (versionId >= 2) dev.irqState = decodeIrqState(bytesOf(state['irq_state'], PCI_NUM_PINS * 4, 'irq_state'));
  updateIrqStatus(dev);
}

/** pci_device_save(): the description's bytes, written directly. */
export function savePciDevice(dev: PciDevice, w: WireWriter, clearInterruptStatus = true): void {
  const s = pciDeviceState(dev, clearInterruptStatus);
  w.bytes(s['version_id'] as Uint8Array);
  w.bytes(s['config'] as Uint8Array);
  w.bytes(s['irq_state'] as Uint8Array);
}

/**
 * pci_device_load()'s reads and checks, field by field as QEMU reads them
 * (a refusal or a truncation stops before anything after it is read), with
 * exact stream offsets; nothing is committed. Returns what was read.
 */
export function readCheckedPciDevice(
  dev: PciDevice,
  r: WireReader,
  versionId = PCI_DEVICE_VMSD_VERSION,
  path = 'PCIDevice',
  log?: CheckLog,
): { config: Uint8Array; irqState: number } {
  const loc: CheckLocation = { path, versionOffset: r.pos, ...(log ? { log } : {}) };
  const version = r.i32();
  checkVersionField(dev, version, loc);
  loc.configOffset = r.pos;
  const config = r.bytes(pciConfigSize(dev), 'PCIDevice config');
  checkConfigData(dev, config, loc);
  let irqState = dev.irqState;
  if (versionId >= 2) {
    loc.irqOffset = r.pos;
    irqState = decodeIrqState(r.bytes(PCI_NUM_PINS * 4, 'PCIDevice irq_state'), loc);
  }
  return { config, irqState };
}

/**
 * pci_device_load() as a self-contained, transactional reader (reference
 * for the generic walker and for tests): reads, checks with exact stream
 * offsets, and commits only when everything passed.
 */
export function loadPciDevice(
  dev: PciDevice,
  r: WireReader,
  versionId = PCI_DEVICE_VMSD_VERSION,
  path = 'PCIDevice',
  log?: CheckLog,
): void {
  const { config, irqState } = readCheckedPciDevice(dev, r, versionId, path, log);
  const next = clonePciDevice(dev);
  next.config.set(config);
  next.irqState = irqState;
  updateMappings(next);
  updateIrqStatus(next);
  dev.config.set(next.config);
  dev.irqState = next.irqState;
  dev.regions = next.regions;
}
