import type { AcpiBlob } from '../acpi/acpi-blob.js';
import {
  amlAdd,
  amlDevice,
  amlEqual,
  amlIf,
  amlIndex,
  amlInt,
  amlLocal,
  amlMethod,
  amlName,
  amlNameDecl,
  amlNotify,
  amlPackage,
  amlReturn,
  amlScope,
  amlStore,
  amlString,
} from '../acpi/aml.js';
import type { BiosLinker } from '../acpi/linker-builder.js';
import { ACPI_TABLE_HEADER_SIZE, finishAcpiTable } from '../acpi/table-header.js';
import { ACPI_BUILD_TABLE_FILE } from '../fw-cfg/constants.js';
import { VMGENID_ADDR_FW_CFG_FILE, VMGENID_GUID_FW_CFG_FILE, VMGENID_GUID_OFFSET } from './constants.js';

/**
 * vmgenid_build_acpi (hw/acpi/vmgenid.c, QEMU 7.2): append the VMGENID SSDT
 * to etc/acpi/tables and record the linker commands, in QEMU's order:
 *   ALLOCATE etc/vmgenid_guid (align 4096, high memory)
 *   WRITE_POINTER etc/vmgenid_addr[0..8) = &vmgenid_guid + 40
 *   ADD_POINTER tables[VGIA] (4 bytes) += &vmgenid_guid
 *   ADD_CHECKSUM of the SSDT
 * The SSDT holds VGIA (a DWord the linker patches), device \_SB.VGEN with
 * _HID QEMUVGID, _CID/_DDN VM_Gen_Counter, _STA (0 while VGIA is 0) and
 * ADDR returning Package { VGIA + 40, 0 }; and \_GPE._E05 notifying VGEN.
 * Returns the offset of VGIA in the tables blob.
 */
export function buildVmgenidSsdt(tables: AcpiBlob, guidBlob: AcpiBlob, linker: BiosLinker, oemId = 'BOCHS '): number {
  const start = tables.length;
  tables.setLength(start + ACPI_TABLE_HEADER_SIZE);
  // build_append_named_dword: NameOp "VGIA" DWordPrefix 0 (always 4 bytes, so the linker can patch it).
  tables.append([0x08, ...amlName('VGIA'), 0x0c]);
  const vgiaOffset = tables.appendLE(0, 4);
  const sta = amlMethod(
    '_STA',
    0,
    amlStore(amlInt(0xf), amlLocal(0)),
    amlIf(amlEqual(amlName('VGIA'), amlInt(0)), amlStore(amlInt(0), amlLocal(0))),
    amlReturn(amlLocal(0)),
  );
  const addr = amlMethod(
    'ADDR',
    0,
    amlStore(amlPackage(2), amlLocal(0)),
    amlStore(amlAdd(amlName('VGIA'), amlInt(VMGENID_GUID_OFFSET)), amlIndex(amlLocal(0), amlInt(0))),
    amlStore(amlInt(0), amlIndex(amlLocal(0), amlInt(1))),
    amlReturn(amlLocal(0)),
  );
  const dev = amlDevice(
    'VGEN',
    amlNameDecl('_HID', amlString('QEMUVGID')),
    amlNameDecl('_CID', amlString('VM_Gen_Counter')),
    amlNameDecl('_DDN', amlString('VM_Gen_Counter')),
    sta,
    addr,
  );
  tables.append(amlScope('\\_SB', dev));
  tables.append(amlMethod('\\_GPE._E05', 0, amlNotify(amlName('\\_SB.VGEN'), amlInt(0x80))));

  linker.alloc(VMGENID_GUID_FW_CFG_FILE, guidBlob, 4096, false);
  linker.writePointer(VMGENID_ADDR_FW_CFG_FILE, 0, 8, VMGENID_GUID_FW_CFG_FILE, VMGENID_GUID_OFFSET);
  linker.addPointer(ACPI_BUILD_TABLE_FILE, vgiaOffset, 4, VMGENID_GUID_FW_CFG_FILE, 0);
  finishAcpiTable(tables, start, { sig: 'SSDT', rev: 1, oemId, oemTableId: 'VMGENID' }, linker, ACPI_BUILD_TABLE_FILE);
  return vgiaOffset;
}
