import type { AcpiBlob } from './acpi-blob.js';
import type { BiosLinker } from './linker-builder.js';

/** sizeof(AcpiTableHeader). */
export const ACPI_TABLE_HEADER_SIZE = 36;

export interface AcpiTableId {
  sig: string;
  rev: number;
  /** 6 characters; x86ms->oem_id defaults to "BOCHS ". */
  oemId: string;
  /** Up to 8 characters, NUL padded. */
  oemTableId: string;
}

function putText(blob: AcpiBlob, at: number, text: string, width: number): void {
  for (let i = 0; i < width; i++) blob.setLE(at + i, i < text.length ? text.charCodeAt(i) : 0, 1);
}

/**
 * acpi_table_begin + acpi_table_end: write the 36-byte header of the table
 * that starts at `start` and ends at the blob's current length, with a zero
 * checksum, and ask firmware to fix the checksum through the linker.
 * Creator "BXPC" revision 1, OEM revision 1 as QEMU 7.2 writes them.
 */
export function finishAcpiTable(blob: AcpiBlob, start: number, id: AcpiTableId, linker: BiosLinker, file: string): void {
  const len = blob.length - start;
  putText(blob, start, id.sig, 4);
  blob.setLE(start + 4, len, 4);
  blob.setLE(start + 8, id.rev, 1);
  blob.setLE(start + 9, 0, 1);
  putText(blob, start + 10, id.oemId, 6);
  putText(blob, start + 16, id.oemTableId, 8);
  blob.setLE(start + 24, 1, 4);
  putText(blob, start + 28, 'BXPC', 4);
  blob.setLE(start + 32, 1, 4);
  linker.addChecksum(file, start, len, start + 9);
}
