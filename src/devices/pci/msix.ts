import type { StateObject, VMStateDescription, VMStateField } from '../../vmstate/index.js';
import { LoadError } from '../../wire/index.js';
import { PCI_BASE_ADDRESS_SPACE_MEMORY, PCI_CAP_ID_MSIX, QEMU_PCI_CAP_MSIX } from './constants.js';
import { addCapability, deleteCapability } from './capabilities.js';
import { getLong, getQuad, setLong, setWord } from './config-bytes.js';
import { registerBar } from './bars.js';
import type { MsiMessage } from './msi.js';
import type { PciDevice } from './pci-device.js';

/**
 * MSI-X (hw/pci/msix.c in QEMU 7.2): a 12-byte capability pointing at a
 * vector table and a pending-bit array (PBA) that live in BAR memory, not in
 * config space. So they migrate separately: msix_save writes the table
 * (16 bytes a vector) then the PBA ((n + 7) / 8 bytes), with no length or
 * version, and msix_load reads them back without any check.
 */

export const MSIX_CAP_LENGTH = 12;
export const PCI_MSIX_FLAGS = 2;
export const PCI_MSIX_TABLE = 4;
export const PCI_MSIX_PBA = 8;
export const PCI_MSIX_FLAGS_QSIZE = 0x07ff;
export const PCI_MSIX_FLAGS_MASKALL = 0x4000;
export const PCI_MSIX_FLAGS_ENABLE = 0x8000;
export const PCI_MSIX_FLAGS_BIRMASK = 0x7;
export const PCI_MSIX_ENTRY_SIZE = 16;
export const PCI_MSIX_ENTRY_LOWER_ADDR = 0;
export const PCI_MSIX_ENTRY_DATA = 8;
export const PCI_MSIX_ENTRY_VECTOR_CTRL = 12;
export const PCI_MSIX_ENTRY_CTRL_MASKBIT = 0x1;

/** Enable and mask-all are in the high byte of the flags word. */
const MSIX_CONTROL_OFFSET = PCI_MSIX_FLAGS + 1;
const MSIX_ENABLE_MASK = PCI_MSIX_FLAGS_ENABLE >> 8;
const MSIX_MASKALL_MASK = PCI_MSIX_FLAGS_MASKALL >> 8;

export interface MsixState {
  cap: number;
  entries: number;
  /** entries * 16 bytes, little-endian like the guest sees it. */
  table: Uint8Array;
  /** QEMU_ALIGN_UP(entries, 64) / 8 bytes; only (entries + 7) / 8 migrate. */
  pba: Uint8Array;
  /** msix_entry_used: per-vector use counts (not migrated). */
  used: number[];
  functionMasked: boolean;
  tableBar: number;
  tableOffset: number;
  pbaBar: number;
  pbaOffset: number;
}

export interface MsixInitOptions {
  entries: number;
  tableBar: number;
  tableOffset: number;
  tableBarSize: number;
  pbaBar: number;
  pbaOffset: number;
  pbaBarSize: number;
  /** Config offset for the capability, 0 = first free space. */
  capPos?: number;
}

function rangesOverlap(a: number, alen: number, b: number, blen: number): boolean {
  return a < b + blen && b < a + alen;
}

/** msix_init(): add the capability and allocate table and PBA (all vectors masked). */
export function msixInit(dev: PciDevice, o: MsixInitOptions): number {
  const n = o.entries;
  if (n < 1 || n > PCI_MSIX_FLAGS_QSIZE + 1) throw new RangeError('The number of MSI-X vectors is invalid');
  const tableSize = n * PCI_MSIX_ENTRY_SIZE;
  const pbaSize = Math.ceil(n / 64) * 8;
  if (
    (o.tableBar === o.pbaBar && rangesOverlap(o.tableOffset, tableSize, o.pbaOffset, pbaSize)) ||
    o.tableOffset + tableSize > o.tableBarSize ||
    o.pbaOffset + pbaSize > o.pbaBarSize ||
    (o.tableOffset | o.pbaOffset) & PCI_MSIX_FLAGS_BIRMASK
  ) {
    throw new RangeError("table & pba overlap, or they don't fit in BARs, or don't align");
  }
  const cap = addCapability(dev, PCI_CAP_ID_MSIX, o.capPos ?? 0, MSIX_CAP_LENGTH);
  dev.capPresent |= QEMU_PCI_CAP_MSIX;
  setWord(dev.config, cap + PCI_MSIX_FLAGS, n - 1);
  setLong(dev.config, cap + PCI_MSIX_TABLE, (o.tableOffset | o.tableBar) >>> 0);
  setLong(dev.config, cap + PCI_MSIX_PBA, (o.pbaOffset | o.pbaBar) >>> 0);
  dev.wmask[cap + MSIX_CONTROL_OFFSET] = (dev.wmask[cap + MSIX_CONTROL_OFFSET] ?? 0) | MSIX_ENABLE_MASK | MSIX_MASKALL_MASK;
  dev.msix = {
    cap,
    entries: n,
    table: new Uint8Array(tableSize),
    pba: new Uint8Array(pbaSize),
    used: new Array<number>(n).fill(0),
    functionMasked: true,
    tableBar: o.tableBar,
    tableOffset: o.tableOffset,
    pbaBar: o.pbaBar,
    pbaOffset: o.pbaOffset,
  };
  maskAll(dev, n);
  return cap;
}

/**
 * msix_init_exclusive_bar(): table in the low half and PBA in the high half
 * of a 4 KiB BAR (bigger only above 128 vectors), as migration compatibility
 * dictates.
 */
export function msixInitExclusiveBar(dev: PciDevice, entries: number, barNr: number): number {
  let barSize = 4096;
  let pbaOffset = barSize / 2;
  const pbaBytes = (Math.floor(entries / 8) + 1) * 8;
  if (entries * PCI_MSIX_ENTRY_SIZE > pbaOffset) pbaOffset = entries * PCI_MSIX_ENTRY_SIZE;
  if (pbaOffset + pbaBytes > 4096) barSize = pbaOffset + pbaBytes;
  barSize = 2 ** Math.ceil(Math.log2(barSize));
  const cap = msixInit(dev, {
    entries,
    tableBar: barNr,
    tableOffset: 0,
    tableBarSize: barSize,
    pbaBar: barNr,
    pbaOffset,
    pbaBarSize: barSize,
  });
  registerBar(dev, barNr, PCI_BASE_ADDRESS_SPACE_MEMORY, barSize);
  return cap;
}

function state(dev: PciDevice): MsixState {
  if (!dev.msix) throw new RangeError(`${dev.name} has no MSI-X`);
  return dev.msix;
}

export function msixPresent(dev: PciDevice): boolean {
  return (dev.capPresent & QEMU_PCI_CAP_MSIX) !== 0 && dev.msix !== undefined;
}

function control(dev: PciDevice): number {
  return dev.config[state(dev).cap + MSIX_CONTROL_OFFSET] ?? 0;
}

export function msixEnabled(dev: PciDevice): boolean {
  return msixPresent(dev) && (control(dev) & MSIX_ENABLE_MASK) !== 0;
}

/** msix_vector_masked(): masked by the function mask or the entry's mask bit. */
function vectorMasked(dev: PciDevice, vector: number, fmask: boolean): boolean {
  const m = state(dev);
  return fmask || ((m.table[vector * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL] ?? 0) & PCI_MSIX_ENTRY_CTRL_MASKBIT) !== 0;
}

export function msixIsMasked(dev: PciDevice, vector: number): boolean {
  return vectorMasked(dev, vector, state(dev).functionMasked);
}

export function msixIsPending(dev: PciDevice, vector: number): boolean {
  return (((state(dev).pba[vector >> 3] ?? 0) >> (vector & 7)) & 1) === 1;
}

function setPending(dev: PciDevice, vector: number, on: boolean): void {
  const pba = state(dev).pba;
  const b = pba[vector >> 3] ?? 0;
  pba[vector >> 3] = on ? b | (1 << (vector & 7)) : b & ~(1 << (vector & 7));
}

export function msixGetMessage(dev: PciDevice, vector: number): MsiMessage {
  const at = vector * PCI_MSIX_ENTRY_SIZE;
  const t = state(dev).table;
  return { address: getQuad(t, at + PCI_MSIX_ENTRY_LOWER_ADDR), data: getLong(t, at + PCI_MSIX_ENTRY_DATA) };
}

/** msix_handle_mask_update(): unmasking a vector with its pending bit set fires it. */
function handleMaskUpdate(dev: PciDevice, vector: number, wasMasked: boolean): void {
  const isMasked = msixIsMasked(dev, vector);
  if (isMasked === wasMasked) return;
  if (!isMasked && msixIsPending(dev, vector)) {
    setPending(dev, vector, false);
    msixNotify(dev, vector);
  }
}

function updateFunctionMasked(dev: PciDevice): void {
  state(dev).functionMasked = !msixEnabled(dev) || (control(dev) & MSIX_MASKALL_MASK) !== 0;
}

function maskAll(dev: PciDevice, n: number): void {
  const m = state(dev);
  for (let v = 0; v < n; v++) {
    const was = msixIsMasked(dev, v);
    const at = v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL;
    m.table[at] = (m.table[at] ?? 0) | PCI_MSIX_ENTRY_CTRL_MASKBIT;
    handleMaskUpdate(dev, v, was);
  }
}

/**
 * msix_notify(): a used vector fires, or sets its pending bit when masked.
 * Returns the message sent, undefined when held pending or unused.
 */
export function msixNotify(dev: PciDevice, vector: number): MsiMessage | undefined {
  const m = state(dev);
  if (vector >= m.entries || !m.used[vector]) return undefined;
  if (msixIsMasked(dev, vector)) {
    setPending(dev, vector, true);
    return undefined;
  }
  const msg = msixGetMessage(dev, vector);
  dev.msiSink?.(msg);
  return msg;
}

export function msixVectorUse(dev: PciDevice, vector: number): void {
  const m = state(dev);
  if (vector >= m.entries) throw new RangeError(`MSI-X vector ${vector} >= ${m.entries}`);
  m.used[vector] = (m.used[vector] ?? 0) + 1;
}

export function msixVectorUnuse(dev: PciDevice, vector: number): void {
  const m = state(dev);
  if (vector >= m.entries || !m.used[vector]) return;
  m.used[vector] = (m.used[vector] ?? 1) - 1;
  if (m.used[vector] === 0) setPending(dev, vector, false);
}

/** msix_table_mmio_read(): 4-byte reads only, as the MemoryRegionOps allow. */
export function msixTableRead(dev: PciDevice, addr: number): number {
  return getLong(state(dev).table, addr);
}

/** msix_table_mmio_write(): a write may unmask a vector and deliver its pending message. */
export function msixTableWrite(dev: PciDevice, addr: number, value: number): void {
  const vector = Math.floor(addr / PCI_MSIX_ENTRY_SIZE);
  const was = msixIsMasked(dev, vector);
  setLong(state(dev).table, addr, value >>> 0);
  handleMaskUpdate(dev, vector, was);
}

/** msix_pba_mmio_read(); writes to the PBA are ignored. */
export function msixPbaRead(dev: PciDevice, addr: number): number {
  return getLong(state(dev).pba, addr);
}

/** msix_write_config(): a write covering the control byte updates the function mask. */
export function msixWriteConfig(dev: PciDevice, addr: number, len: number): void {
  if (!msixPresent(dev)) return;
  const enablePos = state(dev).cap + MSIX_CONTROL_OFFSET;
  if (!(addr <= enablePos && enablePos < addr + len)) return;
  const wasMasked = state(dev).functionMasked;
  updateFunctionMasked(dev);
  if (!msixEnabled(dev)) return;
  if (state(dev).functionMasked === wasMasked) return;
  for (let v = 0; v < state(dev).entries; v++) handleMaskUpdate(dev, v, vectorMasked(dev, v, wasMasked));
}

/** msix_reset(): clear enable/mask-all, zero table and PBA, mask every vector. */
export function msixReset(dev: PciDevice): void {
  if (!msixPresent(dev)) return;
  const m = state(dev);
  const at = m.cap + MSIX_CONTROL_OFFSET;
  dev.config[at] = (dev.config[at] ?? 0) & ~(dev.wmask[at] ?? 0);
  m.table.fill(0);
  m.pba.fill(0);
  maskAll(dev, m.entries);
}

/** msix_uninit(). */
export function msixUninit(dev: PciDevice): void {
  if (!msixPresent(dev)) return;
  deleteCapability(dev, PCI_CAP_ID_MSIX, MSIX_CAP_LENGTH);
  delete dev.msix;
  dev.capPresent &= ~QEMU_PCI_CAP_MSIX;
}

/** Bytes msix_save writes: n * 16 table bytes, then (n + 7) / 8 PBA bytes. */
export function msixStateSize(entries: number): number {
  return entries * PCI_MSIX_ENTRY_SIZE + Math.ceil(entries / 8);
}

/** msix_save(): empty when the device has no MSI-X. */
export function msixSave(dev: PciDevice): Uint8Array {
  if (!msixPresent(dev)) return new Uint8Array(0);
  const m = state(dev);
  const tableBytes = m.entries * PCI_MSIX_ENTRY_SIZE;
  const out = new Uint8Array(msixStateSize(m.entries));
  out.set(m.table.subarray(0, tableBytes));
  out.set(m.pba.subarray(0, Math.ceil(m.entries / 8)), tableBytes);
  return out;
}

/**
 * msix_load(): call after the config space was restored (the function mask
 * is derived from it). Pending bits are cleared, table and PBA replaced, then
 * every vector is treated as "was masked", so an unmasked pending vector
 * fires now. QEMU checks nothing here; we only insist on the exact length
 * (a short buffer is a truncated stream, never a partial copy).
 */
export function msixLoad(dev: PciDevice, bytes: Uint8Array): void {
  if (!msixPresent(dev)) return;
  const m = state(dev);
  const need = msixStateSize(m.entries);
  if (bytes.length !== need) {
    throw new LoadError('wire.truncated', `MSI-X state needs ${need} bytes, got ${bytes.length}`, 0, `${dev.name}/msix`);
  }
  const tableBytes = m.entries * PCI_MSIX_ENTRY_SIZE;
  m.pba.fill(0);
  m.table.set(bytes.subarray(0, tableBytes));
  m.pba.set(bytes.subarray(tableBytes));
  updateFunctionMasked(dev);
  for (let v = 0; v < m.entries; v++) handleMaskUpdate(dev, v, true);
}

/**
 * vmstate_msix as data: one field "msix" of info "msix state". QEMU declares
 * its size as 0 ("ouch"); on the wire it is msixStateSize(entries) bytes,
 * which this per-device description states as an opaque element.
 */
export function msixVmsd(dev: PciDevice): VMStateDescription {
  const entries = dev.msix?.entries ?? 0;
  return {
    name: 'msix',
    version_id: 0,
    minimum_version_id: 0,
    // -dump-vmstate prints the declared size, 0; the vmdesc the bytes written.
    fields: [{ name: 'msix', kind: 'opaque', info: 'msix state', size: msixStateSize(entries), meta: { dumpSize: 0 } }],
  };
}

/**
 * VMSTATE_MSIX(_field, _state): a struct field (named after the PCIDevice
 * member, e.g. "parent_obj" in e1000e) holding vmstate_msix.
 */
export function msixVmstateField(dev: PciDevice, fieldName = 'parent_obj'): VMStateField {
  // .size = sizeof(PCIDevice): 2608 in QEMU 7.2 x86_64 (e1000e in the pc-q35-7.2 dump).
  return { name: fieldName, kind: 'struct', vmsd: msixVmsd(dev), meta: { dumpSize: 2608 } };
}

/** The state object the walker saves for msixVmstateField. */
export function msixStateObject(dev: PciDevice): StateObject {
  return { msix: msixSave(dev) };
}
