/**
 * Wire constants of the QEMU migration stream (migration/savevm.c and
 * migration/ram.c in QEMU 7.2).
 */
export const QEMU_VM_FILE_MAGIC = 0x5145564d; // "QEVM"
export const QEMU_VM_FILE_VERSION_COMPAT = 2;
export const QEMU_VM_FILE_VERSION = 3;

export const SectionType = {
  EOF: 0x00,
  START: 0x01,
  PART: 0x02,
  END: 0x03,
  FULL: 0x04,
  SUBSECTION: 0x05,
  VMDESCRIPTION: 0x06,
  CONFIGURATION: 0x07,
  COMMAND: 0x08,
  FOOTER: 0x7e,
} as const;

/** RAM_SAVE_FLAG_* (ram.c); they live in the low bits of a page-aligned offset. */
export const RamFlag = {
  FULL: 0x01, // obsolete, refused
  ZERO: 0x02,
  MEM_SIZE: 0x04,
  PAGE: 0x08,
  EOS: 0x10,
  CONTINUE: 0x20,
  XBZRLE: 0x40,
  HOOK: 0x80,
  COMPRESS_PAGE: 0x100,
} as const;

/** The RAM section: register_savevm_live("ram", 0, 4, ...). */
export const RAM_SECTION_IDSTR = 'ram';
export const RAM_SECTION_VERSION = 4;

/** ~TARGET_PAGE_MASK on x86: flags occupy the low 12 bits of each record header. */
export const RAM_FLAGS_MASK = 0xfff;
