/** include/hw/acpi/vmgenid.h (QEMU 7.2). */
export const VMGENID_GUID_FW_CFG_FILE = 'etc/vmgenid_guid';
export const VMGENID_ADDR_FW_CFG_FILE = 'etc/vmgenid_addr';
/** The GUID file occupies a page of guest memory. */
export const VMGENID_FW_CFG_SIZE = 4096;
/**
 * The GUID sits 40 bytes into the page, past room for an ACPI table header
 * (36) and 4 more bytes: the "OVMF SDT Header probe suppressor"
 * (docs/specs/vmgenid.txt) keeps OVMF from mistaking the page for a table.
 */
export const VMGENID_GUID_OFFSET = 40;
