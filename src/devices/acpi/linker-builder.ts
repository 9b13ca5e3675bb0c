import { LoadError } from '../../wire/load-error.js';
import type { CheckCode } from '../../wire/checks.js';
import type { AcpiBlob } from './acpi-blob.js';
import { encodeLinkerTable } from './linker-codec.js';
import { AllocZone, isValidPointerSize, type LinkerCommand } from './linker-commands.js';

const BUILDER_PATH = 'bios-linker-loader';

function fail(code: CheckCode, message: string): never {
  throw new LoadError(code, message, 0, BUILDER_PATH);
}

/**
 * QEMU's side of the linker/loader (BIOSLinker): records commands against
 * named blobs while they are being built. QEMU's asserts become typed
 * refusals with the same conditions, so a table this builder produced
 * always passes the firmware-side validation.
 */
export class BiosLinker {
  /** ALLOCATE entries are prepended by QEMU ("Alloc entries must come first"). */
  private readonly allocs: LinkerCommand[] = [];
  private readonly rest: LinkerCommand[] = [];
  private readonly files = new Map<string, AcpiBlob>();

  private find(name: string): AcpiBlob {
    const blob = this.files.get(name);
    if (!blob) fail('linker.not-allocated', `linker: file "${name}" has no ALLOCATE`);
    return blob;
  }

  /** bios_linker_loader_alloc. */
  alloc(file: string, blob: AcpiBlob, align: number, fseg: boolean): void {
    if ((align & (align - 1)) !== 0) fail('linker.bad-alignment', `linker: alignment 0x${align.toString(16)} is not a power of 2`);
    if (this.files.has(file)) fail('linker.duplicate-allocate', `linker: file "${file}" allocated twice`);
    this.files.set(file, blob);
    this.allocs.unshift({ kind: 'allocate', file, align, zone: fseg ? AllocZone.FSEG : AllocZone.HIGH });
  }

  /** bios_linker_loader_add_checksum; zeroes the checksum byte as QEMU does. */
  addChecksum(file: string, start: number, size: number, checksumOffset: number): void {
    const blob = this.find(file);
    const ok =
      start < blob.length &&
      start + size <= blob.length &&
      checksumOffset >= start &&
      checksumOffset + 1 <= start + size;
    if (!ok) {
      fail('linker.checksum-out-of-bounds', `linker: checksum 0x${checksumOffset.toString(16)} of 0x${start.toString(16)}+0x${size.toString(16)} outside "${file}" (0x${blob.length.toString(16)} bytes)`);
    }
    blob.setLE(checksumOffset, 0, 1);
    this.rest.push({ kind: 'add-checksum', file, offset: checksumOffset, start, length: size });
  }

  /**
   * bios_linker_loader_add_pointer: dest[dstOffset..+size] will hold the
   * guest address of src + srcOffset. QEMU stores srcOffset in the blob and
   * firmware adds the source's address to it.
   */
  addPointer(destFile: string, dstOffset: number, size: number, srcFile: string, srcOffset: number): void {
    const dest = this.find(destFile);
    const src = this.find(srcFile);
    if (!isValidPointerSize(size)) fail('linker.pointer-size', `linker: pointer size ${size} is not 1, 2, 4 or 8`);
    if (dstOffset >= dest.length || dstOffset + size > dest.length) {
      fail('linker.pointer-out-of-bounds', `linker: pointer at 0x${dstOffset.toString(16)}+${size} past the end of "${destFile}" (0x${dest.length.toString(16)} bytes)`);
    }
    if (srcOffset >= src.length) fail('linker.src-offset-out-of-bounds', `linker: source offset 0x${srcOffset.toString(16)} outside "${srcFile}"`);
    dest.setLE(dstOffset, srcOffset, size);
    this.rest.push({ kind: 'add-pointer', destFile, srcFile, offset: dstOffset, size });
  }

  /**
   * bios_linker_loader_write_pointer: firmware writes the address of
   * src + srcOffset back into fw_cfg file destFile (not allocated; QEMU
   * checks only the source side).
   */
  writePointer(destFile: string, dstOffset: number, size: number, srcFile: string, srcOffset: number): void {
    const src = this.find(srcFile);
    if (srcOffset >= src.length) fail('linker.src-offset-out-of-bounds', `linker: source offset 0x${srcOffset.toString(16)} outside "${srcFile}"`);
    if (!isValidPointerSize(size)) fail('linker.pointer-size', `linker: pointer size ${size} is not 1, 2, 4 or 8`);
    this.rest.push({ kind: 'write-pointer', destFile, srcFile, dstOffset, srcOffset, size });
  }

  commands(): LinkerCommand[] {
    return [...this.allocs, ...this.rest];
  }

  /** The etc/table-loader blob, padded to ACPI_BUILD_ALIGN_SIZE (0x1000) as acpi_build does. */
  encode(padTo = 0x1000): Uint8Array {
    return encodeLinkerTable(this.commands(), padTo);
  }
}
