import { LoadError } from '../../wire/load-error.js';
import {
  LINKER_ENTRY_SIZE,
  LINKER_FILESZ,
  LinkerCommandCode,
  type LinkerCommand,
  type LocatedCommand,
} from './linker-commands.js';

/** Path prefix of every linker refusal: the fw_cfg file the table is. */
export const LINKER_PATH = 'etc/table-loader';

function putName(entry: Uint8Array, at: number, name: string): void {
  // strncpy(..., sizeof - 1): at most 55 bytes, always NUL terminated.
  if (name.length > LINKER_FILESZ - 1) throw new RangeError(`linker file name longer than 55 bytes: ${name}`);
  for (let i = 0; i < name.length; i++) entry[at + i] = name.charCodeAt(i) & 0xff;
}

/** One command as its 128-byte entry. */
export function encodeLinkerCommand(cmd: LinkerCommand): Uint8Array {
  const e = new Uint8Array(LINKER_ENTRY_SIZE);
  const v = new DataView(e.buffer);
  switch (cmd.kind) {
    case 'allocate':
      v.setUint32(0, LinkerCommandCode.ALLOCATE, true);
      putName(e, 4, cmd.file);
      v.setUint32(60, cmd.align, true);
      e[64] = cmd.zone;
      break;
    case 'add-pointer':
      v.setUint32(0, LinkerCommandCode.ADD_POINTER, true);
      putName(e, 4, cmd.destFile);
      putName(e, 60, cmd.srcFile);
      v.setUint32(116, cmd.offset, true);
      e[120] = cmd.size;
      break;
    case 'add-checksum':
      v.setUint32(0, LinkerCommandCode.ADD_CHECKSUM, true);
      putName(e, 4, cmd.file);
      v.setUint32(60, cmd.offset, true);
      v.setUint32(64, cmd.start, true);
      v.setUint32(68, cmd.length, true);
      break;
    case 'write-pointer':
      v.setUint32(0, LinkerCommandCode.WRITE_POINTER, true);
      putName(e, 4, cmd.destFile);
      putName(e, 60, cmd.srcFile);
      v.setUint32(116, cmd.dstOffset, true);
      v.setUint32(120, cmd.srcOffset, true);
      e[124] = cmd.size;
      break;
    case 'unknown':
      v.setUint32(0, cmd.command, true);
      break;
  }
  return e;
}

/**
 * The command table; with `padTo`, zero-padded to a multiple of it as
 * acpi_build pads the loader blob (acpi_align_size(cmd_blob, 0x1000)).
 */
export function encodeLinkerTable(cmds: readonly LinkerCommand[], padTo = 0): Uint8Array {
  const raw = cmds.length * LINKER_ENTRY_SIZE;
  const len = padTo > 0 ? Math.ceil(raw / padTo) * padTo : raw;
  const out = new Uint8Array(len);
  cmds.forEach((c, i) => out.set(encodeLinkerCommand(c), i * LINKER_ENTRY_SIZE));
  return out;
}

function getName(entry: Uint8Array, at: number, base: number, path: string): string {
  const field = entry.subarray(at, at + LINKER_FILESZ);
  const nul = field.indexOf(0);
  if (nul < 0) {
    throw new LoadError('linker.name-unterminated', `linker file name is not NUL terminated within ${LINKER_FILESZ} bytes`, base + at, path);
  }
  let s = '';
  for (let i = 0; i < nul; i++) s += String.fromCharCode(field[i]!);
  return s;
}

function decodeEntry(entry: Uint8Array, base: number, path: string): LinkerCommand | undefined {
  const v = new DataView(entry.buffer, entry.byteOffset, LINKER_ENTRY_SIZE);
  const command = v.getUint32(0, true);
  switch (command) {
    case 0:
      return undefined; // zero padding after the last command
    case LinkerCommandCode.ALLOCATE:
      return { kind: 'allocate', file: getName(entry, 4, base, `${path}/file`), align: v.getUint32(60, true), zone: entry[64]! };
    case LinkerCommandCode.ADD_POINTER:
      return {
        kind: 'add-pointer',
        destFile: getName(entry, 4, base, `${path}/dest_file`),
        srcFile: getName(entry, 60, base, `${path}/src_file`),
        offset: v.getUint32(116, true),
        size: entry[120]!,
      };
    case LinkerCommandCode.ADD_CHECKSUM:
      return {
        kind: 'add-checksum',
        file: getName(entry, 4, base, `${path}/file`),
        offset: v.getUint32(60, true),
        start: v.getUint32(64, true),
        length: v.getUint32(68, true),
      };
    case LinkerCommandCode.WRITE_POINTER:
      return {
        kind: 'write-pointer',
        destFile: getName(entry, 4, base, `${path}/dest_file`),
        srcFile: getName(entry, 60, base, `${path}/src_file`),
        dstOffset: v.getUint32(116, true),
        srcOffset: v.getUint32(120, true),
        size: entry[124]!,
      };
    default:
      return { kind: 'unknown', command };
  }
}

/**
 * Decode a table from untrusted bytes: whole 128-byte entries only, names
 * NUL terminated; all-zero command words are padding and skipped. Offsets in
 * errors are `baseOffset` + the byte offset in the table (pass the table's
 * position in a stream or RAM block to locate a refusal there).
 */
export function decodeLinkerTable(bytes: Uint8Array, baseOffset = 0): LocatedCommand[] {
  if (bytes.length % LINKER_ENTRY_SIZE !== 0) {
    throw new LoadError(
      'linker.table-misaligned',
      `linker table length ${bytes.length} is not a multiple of ${LINKER_ENTRY_SIZE}`,
      baseOffset + bytes.length - (bytes.length % LINKER_ENTRY_SIZE),
      LINKER_PATH,
    );
  }
  const out: LocatedCommand[] = [];
  for (let i = 0; i * LINKER_ENTRY_SIZE < bytes.length; i++) {
    const at = i * LINKER_ENTRY_SIZE;
    const cmd = decodeEntry(bytes.subarray(at, at + LINKER_ENTRY_SIZE), baseOffset + at, `${LINKER_PATH}[${i}]`);
    if (cmd) out.push({ index: i, offset: baseOffset + at, cmd });
  }
  return out;
}
