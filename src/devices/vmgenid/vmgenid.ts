import { LoadError } from '../../wire/load-error.js';
import { AcpiBlob } from '../acpi/acpi-blob.js';
import type { BiosLinker } from '../acpi/linker-builder.js';
import type { FwCfg } from '../fw-cfg/fw-cfg.js';
import type { GuestMemory } from '../fw-cfg/guest-memory.js';
import { VMGENID_ADDR_FW_CFG_FILE, VMGENID_FW_CFG_SIZE, VMGENID_GUID_FW_CFG_FILE, VMGENID_GUID_OFFSET } from './constants.js';
import { formatGuid, guidToLittleEndian, parseGuid, type Guid } from './guid.js';
import { buildVmgenidSsdt } from './ssdt.js';

export interface VmGenIdRealizeContext {
  /** bios_linker_loader_can_write_pointer(): fw_cfg exists and has DMA. */
  fwCfgDmaEnabled: boolean;
  /** vmgenid devices already realized on this machine. */
  existing: number;
  /** Source for guid=auto (16 bytes). */
  random?: () => Uint8Array;
}

/**
 * The vmgenid device (hw/acpi/vmgenid.c, QEMU 7.2). Its migrated state is
 * only vmgenid_addr_le, the little-endian guest address of the GUID that
 * firmware wrote into fw_cfg file etc/vmgenid_addr. The GUID itself is
 * configuration: after a migration the destination writes *its* GUID at
 * that address (post_load), which is how the guest learns it was moved.
 */
export class VmGenId {
  guid: Guid;
  /** Shared with fw_cfg as the etc/vmgenid_addr file: firmware's DMA write lands here. */
  readonly addrLe = new Uint8Array(8);

  private constructor(guid: Guid) {
    this.guid = guid;
  }

  /** vmgenid_realize: refuses without fw_cfg DMA and when a vmgenid already exists. */
  static realize(guidText: string, ctx: VmGenIdRealizeContext): VmGenId {
    if (!ctx.fwCfgDmaEnabled) {
      throw new LoadError(
        'vmgenid.no-dma',
        'vmgenid requires DMA write support in fw_cfg, which this machine type does not provide',
        0,
        'vmgenid',
      );
    }
    if (ctx.existing > 0) {
      throw new LoadError('vmgenid.duplicate', 'at most one vmgenid device is permitted', 0, 'vmgenid');
    }
    return new VmGenId(parseGuid(guidText, ctx.random));
  }

  get guidText(): string {
    return formatGuid(this.guid);
  }

  /**
   * The etc/vmgenid_guid file: 4096 bytes, zero but for the GUID in guest
   * (little-endian field) order at offset 40.
   */
  guidFile(): AcpiBlob {
    const blob = new AcpiBlob();
    blob.setLength(VMGENID_FW_CFG_SIZE);
    const le = guidToLittleEndian(this.guid);
    for (let i = 0; i < le.length; i++) blob.setLE(VMGENID_GUID_OFFSET + i, le[i]!, 1);
    return blob;
  }

  /** vmgenid_build_acpi: the SSDT and linker commands; returns the GUID file blob to expose. */
  buildAcpi(tables: AcpiBlob, linker: BiosLinker, oemId = 'BOCHS '): AcpiBlob {
    const guidBlob = this.guidFile();
    buildVmgenidSsdt(tables, guidBlob, linker, oemId);
    return guidBlob;
  }

  /** vmgenid_add_fw_cfg: read-only GUID file, writable 8-byte address file. */
  addFwCfg(fw: FwCfg, guidBlob: AcpiBlob): void {
    fw.addFile(VMGENID_GUID_FW_CFG_FILE, guidBlob.copy());
    fw.addFile(VMGENID_ADDR_FW_CFG_FILE, this.addrLe, { readOnly: false });
  }

  /** The GUID's guest address; QEMU reads the low 32 bits only (le32_to_cpu). */
  address(): number {
    return new DataView(this.addrLe.buffer).getUint32(0, true);
  }

  /**
   * vmgenid_update_guest: once firmware has written the address, store the
   * GUID there (little-endian fields). Returns whether it wrote, which is
   * also when QEMU raises the ACPI GPE E05 notify.
   */
  updateGuest(mem: GuestMemory): boolean {
    const addr = this.address();
    if (addr === 0) return false;
    mem.write(addr, guidToLittleEndian(this.guid));
    return true;
  }

  /** Setting guid at runtime (qom-set) updates the guest at once. */
  setGuid(text: string, mem: GuestMemory, random?: () => Uint8Array): boolean {
    this.guid = parseGuid(text, random);
    return this.updateGuest(mem);
  }

  /** vmgenid_handle_reset: the guest must allocate and report the address again. */
  reset(): void {
    this.addrLe.fill(0);
  }
}
