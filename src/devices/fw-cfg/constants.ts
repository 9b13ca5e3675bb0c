/**
 * fw_cfg selector keys and limits (include/standard-headers/linux/qemu_fw_cfg.h,
 * hw/nvram/fw_cfg.c in QEMU 7.2).
 */
export const FW_CFG_SIGNATURE = 0x00;
export const FW_CFG_ID = 0x01;
export const FW_CFG_FILE_DIR = 0x19;
/** Select key of the first file; file i of the sorted directory is FILE_FIRST + i. */
export const FW_CFG_FILE_FIRST = 0x20;
export const FW_CFG_WRITE_CHANNEL = 0x4000;
export const FW_CFG_ARCH_LOCAL = 0x8000;
export const FW_CFG_ENTRY_MASK = ~(FW_CFG_WRITE_CHANNEL | FW_CFG_ARCH_LOCAL) & 0xffff;
export const FW_CFG_INVALID = 0xffff;

/** FW_CFG_ID feature bits: the traditional I/O interface, and DMA. */
export const FW_CFG_VERSION = 0x01;
export const FW_CFG_VERSION_DMA = 0x02;

/** FW_CFG_MAX_FILE_PATH: a file name and its NUL fit in 56 bytes. */
export const FW_CFG_MAX_FILE_PATH = 56;
/** One FWCfgFile directory entry: be32 size, be16 select, be16 reserved, name[56]. */
export const FW_CFG_FILE_ENTRY_SIZE = 64;
/** FW_CFG_FILE_SLOTS_DFLT since QEMU 2.9; pc/q35 <= 2.8 have 0x10 (hw_compat_2_8 x-file-slots). */
export const FW_CFG_FILE_SLOTS_DEFAULT = 0x20;
export const FW_CFG_FILE_SLOTS_LEGACY = 0x10;

/** The three ACPI blobs fw_cfg/acpi_mr carries the sizes of (hw/acpi/aml-build.h). */
export const ACPI_BUILD_TABLE_FILE = 'etc/acpi/tables';
export const ACPI_BUILD_LOADER_FILE = 'etc/table-loader';
export const ACPI_BUILD_RSDP_FILE = 'etc/acpi/rsdp';
