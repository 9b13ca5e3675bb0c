import { LoadError } from '../../wire/load-error.js';
import {
  ACPI_BUILD_LOADER_FILE,
  ACPI_BUILD_RSDP_FILE,
  ACPI_BUILD_TABLE_FILE,
  FW_CFG_FILE_DIR,
  FW_CFG_FILE_ENTRY_SIZE,
  FW_CFG_FILE_FIRST,
  FW_CFG_FILE_SLOTS_DEFAULT,
  FW_CFG_INVALID,
  FW_CFG_MAX_FILE_PATH,
} from './constants.js';

/** Called after a guest write into a writable file (QEMU's FWCfgWriteCallback). */
export type FwCfgWriteCallback = (offset: number, length: number) => void;
/** Called when the guest selects the file (QEMU's FWCfgCallback; acpi_build_update uses it). */
export type FwCfgSelectCallback = () => void;

export interface FwCfgFileOptions {
  /** Default true: fw_cfg_add_file. False: fw_cfg_add_file_callback(..., read_only=false). */
  readOnly?: boolean;
  onWrite?: FwCfgWriteCallback;
  onSelect?: FwCfgSelectCallback;
}

export interface FwCfgFile {
  name: string;
  /** The file's bytes; a writable file's guest writes land here. */
  data: Uint8Array;
  readOnly: boolean;
  onWrite?: FwCfgWriteCallback;
  onSelect?: FwCfgSelectCallback;
}

export interface FwCfgOptions {
  /** The DMA interface (false for pc/q35 <= 2.4 in QEMU 7.2). */
  dmaEnabled: boolean;
  /** Property acpi-mr-restore (false through hw_compat_4_2). */
  acpiMrRestore: boolean;
  /** x-file-slots: directory capacity. */
  fileSlots?: number;
  /**
   * legacy_fw_cfg_order (pc/q35 <= 2.5): files keep insertion order instead
   * of being sorted by name. QEMU orders them by a fixed table of known
   * names; insertion order is this model's approximation.
   */
  legacyOrder?: boolean;
}

/** The migrated registers of fw_cfg plus the acpi_mr sizes (vmstate "fw_cfg"). */
export interface FwCfgRegisters {
  curEntry: number;
  curOffset: number;
  dmaAddr: bigint;
  tableMrSize: bigint;
  linkerMrSize: bigint;
  rsdpMrSize: bigint;
}

function nameError(code: 'fwcfg.unknown-file' | 'fwcfg.name-too-long' | 'fwcfg.duplicate-file', message: string, name: string): LoadError {
  return new LoadError(code, message, 0, `fw_cfg/${name}`);
}

/**
 * The fw_cfg device: a directory of named files with select keys, the
 * traditional select/data interface and, when the machine type has it, DMA
 * (the only way to write: port writes were removed in QEMU 2.4).
 */
export class FwCfg {
  readonly dmaEnabled: boolean;
  readonly acpiMrRestore: boolean;
  readonly fileSlots: number;
  readonly legacyOrder: boolean;
  /** Directory order: files[i] has select key FW_CFG_FILE_FIRST + i. */
  private readonly files: FwCfgFile[] = [];
  readonly regs: FwCfgRegisters = {
    curEntry: 0,
    curOffset: 0,
    dmaAddr: 0n,
    tableMrSize: 0n,
    linkerMrSize: 0n,
    rsdpMrSize: 0n,
  };

  constructor(o: FwCfgOptions) {
    this.dmaEnabled = o.dmaEnabled;
    this.acpiMrRestore = o.acpiMrRestore;
    this.fileSlots = o.fileSlots ?? FW_CFG_FILE_SLOTS_DEFAULT;
    this.legacyOrder = o.legacyOrder ?? false;
  }

  /** fw_cfg_add_file / fw_cfg_add_file_callback; returns the file's select key. */
  addFile(name: string, data: Uint8Array, o: FwCfgFileOptions = {}): number {
    if (name.length >= FW_CFG_MAX_FILE_PATH) {
      throw nameError('fwcfg.name-too-long', `fw_cfg file name too long: ${name}`, name);
    }
    if (this.files.some((f) => f.name === name)) {
      throw nameError('fwcfg.duplicate-file', `duplicate fw_cfg file name: ${name}`, name);
    }
    if (this.files.length >= this.fileSlots) {
      throw new LoadError('fwcfg.too-many-files', `fw_cfg file directory full (${this.fileSlots} slots)`, 0, `fw_cfg/${name}`);
    }
    const file: FwCfgFile = { name, data, readOnly: o.readOnly ?? true };
    if (o.onWrite) file.onWrite = o.onWrite;
    if (o.onSelect) file.onSelect = o.onSelect;
    const index = this.insertionIndex(name);
    this.files.splice(index, 0, file);
    this.saveAcpiMrSize(name, data.length);
    return FW_CFG_FILE_FIRST + index;
  }

  /** Sorted by strcmp (byte order) since QEMU 2.6's fw_cfg_order work; see FwCfgOptions.legacyOrder. */
  private insertionIndex(name: string): number {
    if (this.legacyOrder) return this.files.length;
    let index = this.files.length;
    while (index > 0 && name < this.files[index - 1]!.name) index--;
    return index;
  }

  /** fw_cfg_acpi_mr_save: remember the sizes of the three ACPI blobs for the acpi_mr subsection. */
  private saveAcpiMrSize(name: string, length: number): void {
    if (name === ACPI_BUILD_TABLE_FILE) this.regs.tableMrSize = BigInt(length);
    else if (name === ACPI_BUILD_LOADER_FILE) this.regs.linkerMrSize = BigInt(length);
    else if (name === ACPI_BUILD_RSDP_FILE) this.regs.rsdpMrSize = BigInt(length);
  }

  /** Replace a file's contents (fw_cfg_modify_file), e.g. after a resize. */
  modifyFile(name: string, data: Uint8Array): void {
    const file = this.file(name);
    if (!file) throw nameError('fwcfg.unknown-file', `fw_cfg file not found: ${name}`, name);
    file.data = data;
    this.saveAcpiMrSize(name, data.length);
  }

  file(name: string): FwCfgFile | undefined {
    return this.files.find((f) => f.name === name);
  }

  selectKeyOf(name: string): number | undefined {
    const i = this.files.findIndex((f) => f.name === name);
    return i < 0 ? undefined : FW_CFG_FILE_FIRST + i;
  }

  fileNames(): string[] {
    return this.files.map((f) => f.name);
  }

  /** The FW_CFG_FILE_DIR blob: be32 count, then fileSlots 64-byte entries (unused ones zero). */
  directoryBytes(): Uint8Array {
    const out = new Uint8Array(4 + FW_CFG_FILE_ENTRY_SIZE * this.fileSlots);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.files.length);
    this.files.forEach((f, i) => {
      const at = 4 + i * FW_CFG_FILE_ENTRY_SIZE;
      view.setUint32(at, f.data.length);
      view.setUint16(at + 4, FW_CFG_FILE_FIRST + i);
      for (let k = 0; k < f.name.length; k++) out[at + 8 + k] = f.name.charCodeAt(k) & 0xff;
    });
    return out;
  }

  private entryData(key: number): Uint8Array | undefined {
    if (key === FW_CFG_FILE_DIR) return this.directoryBytes();
    const file = this.files[key - FW_CFG_FILE_FIRST];
    return key >= FW_CFG_FILE_FIRST ? file?.data : undefined;
  }

  /** Write to the selector register; an unknown key selects nothing (reads return zeros). */
  select(key: number): void {
    const valid = this.entryData(key) !== undefined;
    this.regs.curEntry = valid ? key : FW_CFG_INVALID;
    this.regs.curOffset = 0;
    if (valid && key >= FW_CFG_FILE_FIRST) this.files[key - FW_CFG_FILE_FIRST]?.onSelect?.();
  }

  /** Traditional data-port reads: bytes of the selected item, zeros past its end. */
  read(length: number): Uint8Array {
    const data = this.entryData(this.regs.curEntry) ?? new Uint8Array(0);
    const out = new Uint8Array(length);
    const start = Math.min(this.regs.curOffset, data.length);
    const n = Math.min(length, data.length - start);
    out.set(data.subarray(start, start + n));
    this.regs.curOffset += n;
    return out;
  }

  /**
   * A DMA write of `data` at `offset` into file `name`, as firmware issues it
   * (select, skip to offset, write). Refused without DMA, on a read-only file,
   * and past the end of the file; the write callback runs after the copy.
   */
  dmaWrite(name: string, offset: number, data: Uint8Array): void {
    const path = `fw_cfg/${name}`;
    if (!this.dmaEnabled) {
      throw new LoadError('fwcfg.no-dma', 'fw_cfg DMA interface not available on this machine type', 0, path);
    }
    const key = this.selectKeyOf(name);
    const file = this.file(name);
    if (key === undefined || !file) throw nameError('fwcfg.unknown-file', `fw_cfg file not found: ${name}`, name);
    this.select(key);
    if (file.readOnly) {
      throw new LoadError('fwcfg.write-denied', `fw_cfg file ${name} is read-only`, offset, path);
    }
    if (offset < 0 || offset + data.length > file.data.length) {
      throw new LoadError(
        'fwcfg.write-out-of-bounds',
        `fw_cfg write of ${data.length} bytes at ${offset} past the end of ${name} (${file.data.length} bytes)`,
        offset,
        path,
      );
    }
    file.data.set(data, offset);
    this.regs.curOffset = offset + data.length;
    // fw_cfg_dma_transfer clears the address register once the transfer completes.
    this.regs.dmaAddr = 0n;
    file.onWrite?.(offset, data.length);
  }
}
