import { LoadError } from '../../wire/load-error.js';
import type { CheckCode } from '../../wire/checks.js';
import { LINKER_PATH } from './linker-codec.js';
import { AllocZone, isValidPointerSize, type LocatedCommand } from './linker-commands.js';

/** What the validator needs to know about a fw_cfg file: its length. */
export type FileSizeLookup = (name: string) => number | undefined;

function refuse(code: CheckCode, message: string, lc: LocatedCommand, fieldOffset: number, field: string): never {
  throw new LoadError(code, message, lc.offset + fieldOffset, `${LINKER_PATH}[${lc.index}]/${field}`);
}

/**
 * Check a decoded table the way careful firmware does before touching
 * memory (SeaBIOS romfile_loader.c, OVMF QemuFwCfgAcpi.c), in order, since a
 * file can only be used after its ALLOCATE:
 * - ALLOCATE: the file exists in fw_cfg, is allocated once, alignment is a
 *   power of two (0 means the minimum), zone is HIGH or FSEG.
 * - ADD_POINTER: both files allocated, size 1/2/4/8, offset + size <= the
 *   destination's length (a pointer ending exactly at the end is fine, one
 *   byte further is not: Laszlo Ersek on seed 004, "Both sides are
 *   exclusive, so equality is valid").
 * - ADD_CHECKSUM: file allocated, checksum byte inside it, start + length
 *   <= its length.
 * - WRITE_POINTER: destination exists in fw_cfg (it is written back, not
 *   allocated), source allocated, size 1/2/4/8, dst_offset + size <= the
 *   destination's length, src_offset < the source's length.
 * Arithmetic is exact (JS numbers hold u32 + u32), so a wrapping offset
 * cannot pass.
 */
export function validateLinkerCommands(cmds: readonly LocatedCommand[], sizeOf: FileSizeLookup): void {
  const allocated = new Map<string, number>();
  const allocatedSize = (lc: LocatedCommand, name: string, at: number, field: string): number => {
    const size = allocated.get(name);
    if (size !== undefined) return size;
    if (sizeOf(name) === undefined) refuse('linker.unknown-file', `linker: unknown file "${name}"`, lc, at, field);
    return refuse('linker.not-allocated', `linker: file "${name}" used before ALLOCATE`, lc, at, field);
  };
  for (const lc of cmds) {
    const c = lc.cmd;
    switch (c.kind) {
      case 'allocate': {
        const size = sizeOf(c.file);
        if (size === undefined) refuse('linker.unknown-file', `linker: unknown file "${c.file}"`, lc, 4, 'file');
        if (allocated.has(c.file)) refuse('linker.duplicate-allocate', `linker: file "${c.file}" allocated twice`, lc, 4, 'file');
        if ((c.align & (c.align - 1)) !== 0) refuse('linker.bad-alignment', `linker: alignment 0x${c.align.toString(16)} is not a power of 2`, lc, 60, 'align');
        if (c.zone !== AllocZone.HIGH && c.zone !== AllocZone.FSEG) refuse('linker.bad-zone', `linker: unknown allocation zone ${c.zone}`, lc, 64, 'zone');
        allocated.set(c.file, size);
        break;
      }
      case 'add-pointer': {
        const dest = allocatedSize(lc, c.destFile, 4, 'dest_file');
        allocatedSize(lc, c.srcFile, 60, 'src_file');
        if (!isValidPointerSize(c.size)) refuse('linker.pointer-size', `linker: pointer size ${c.size} is not 1, 2, 4 or 8`, lc, 120, 'size');
        if (c.offset + c.size > dest) {
          refuse('linker.pointer-out-of-bounds', `linker: pointer at 0x${c.offset.toString(16)}+${c.size} past the end of "${c.destFile}" (0x${dest.toString(16)} bytes)`, lc, 116, 'offset');
        }
        break;
      }
      case 'add-checksum': {
        const size = allocatedSize(lc, c.file, 4, 'file');
        if (c.offset >= size) refuse('linker.checksum-out-of-bounds', `linker: checksum byte 0x${c.offset.toString(16)} outside "${c.file}" (0x${size.toString(16)} bytes)`, lc, 60, 'offset');
        if (c.start + c.length > size) {
          refuse('linker.checksum-out-of-bounds', `linker: checksum range 0x${c.start.toString(16)}+0x${c.length.toString(16)} outside "${c.file}" (0x${size.toString(16)} bytes)`, lc, 64, 'start');
        }
        break;
      }
      case 'write-pointer': {
        const dest = sizeOf(c.destFile);
        if (dest === undefined) refuse('linker.unknown-file', `linker: unknown file "${c.destFile}"`, lc, 4, 'dest_file');
        const src = allocatedSize(lc, c.srcFile, 60, 'src_file');
        if (!isValidPointerSize(c.size)) refuse('linker.pointer-size', `linker: pointer size ${c.size} is not 1, 2, 4 or 8`, lc, 124, 'size');
        if (c.dstOffset + c.size > dest) {
          refuse('linker.pointer-out-of-bounds', `linker: pointer at 0x${c.dstOffset.toString(16)}+${c.size} past the end of "${c.destFile}" (0x${dest.toString(16)} bytes)`, lc, 116, 'dst_offset');
        }
        if (c.srcOffset >= src) {
          refuse('linker.src-offset-out-of-bounds', `linker: source offset 0x${c.srcOffset.toString(16)} outside "${c.srcFile}" (0x${src.toString(16)} bytes)`, lc, 120, 'src_offset');
        }
        break;
      }
      case 'unknown':
        break; // firmware skips commands it does not know
    }
  }
}
