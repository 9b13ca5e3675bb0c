/**
 * The BIOS linker/loader command table (fw_cfg file etc/table-loader), as
 * hw/acpi/bios-linker-loader.c defines it: 128-byte little-endian entries,
 * u32 command then a 124-byte union. File names are FW_CFG_MAX_FILE_PATH
 * (56) bytes, NUL padded.
 *
 *   ALLOCATE      @4 file[56]  @60 align u32  @64 zone u8
 *   ADD_POINTER   @4 dest[56]  @60 src[56]    @116 offset u32  @120 size u8
 *   ADD_CHECKSUM  @4 file[56]  @60 offset u32 @64 start u32    @68 length u32
 *   WRITE_POINTER @4 dest[56]  @60 src[56]    @116 dst_offset u32 @120 src_offset u32 @124 size u8
 */
export const LINKER_ENTRY_SIZE = 128;
export const LINKER_FILESZ = 56;

export const LinkerCommandCode = {
  ALLOCATE: 1,
  ADD_POINTER: 2,
  ADD_CHECKSUM: 3,
  WRITE_POINTER: 4,
} as const;

export const AllocZone = {
  /** Anywhere in RAM (SeaBIOS ZoneHigh: top of low RAM). */
  HIGH: 1,
  /** The F-segment (0xe0000-0xfffff), where the RSDP must live. */
  FSEG: 2,
} as const;

export interface AllocateCommand {
  kind: 'allocate';
  file: string;
  align: number;
  zone: number;
}

/** Add the guest address of `srcFile` to the `size`-byte value at `offset` in `destFile`. */
export interface AddPointerCommand {
  kind: 'add-pointer';
  destFile: string;
  srcFile: string;
  offset: number;
  size: number;
}

/** Subtract the byte sum of [start, start+length) from the byte at `offset`. */
export interface AddChecksumCommand {
  kind: 'add-checksum';
  file: string;
  offset: number;
  start: number;
  length: number;
}

/** Write (address of srcFile + srcOffset) into fw_cfg file destFile at dstOffset, via DMA. */
export interface WritePointerCommand {
  kind: 'write-pointer';
  destFile: string;
  srcFile: string;
  dstOffset: number;
  srcOffset: number;
  size: number;
}

/** A command code firmware does not know; SeaBIOS and OVMF skip these. */
export interface UnknownCommand {
  kind: 'unknown';
  command: number;
}

export type LinkerCommand = AllocateCommand | AddPointerCommand | AddChecksumCommand | WritePointerCommand | UnknownCommand;

/** A decoded command and where its entry starts in the table. */
export interface LocatedCommand {
  index: number;
  offset: number;
  cmd: LinkerCommand;
}

export function isValidPointerSize(size: number): boolean {
  return size === 1 || size === 2 || size === 4 || size === 8;
}
