import { LoadError } from '../../wire/load-error.js';
import type { FwCfg } from '../fw-cfg/fw-cfg.js';
import type { GuestMemory } from '../fw-cfg/guest-memory.js';
import { byteSum } from './acpi-checksum.js';
import { LINKER_PATH, decodeLinkerTable } from './linker-codec.js';
import { AllocZone, type LocatedCommand } from './linker-commands.js';
import { validateLinkerCommands } from './linker-validate.js';

/**
 * Where the modelled firmware allocates. SeaBIOS (romfile_loader.c) takes
 * HIGH blobs from ZoneHigh and FSEG blobs from ZoneFSeg; both arenas hand
 * out memory top-down, aligned to max(align, 16). With the defaults below a
 * pc-q35-7.2 -m 32M guest with vmgenid gets the addresses Debian's SeaBIOS
 * 1.16 gave it in a real run (suites fixture q35-vmgenid-7.2.json):
 * etc/vmgenid_guid at 0x1fff000, etc/acpi/tables at 0x1fdf000 (0x20000
 * bytes just below), etc/acpi/rsdp at 0xf59e0.
 */
export interface LoaderLayout {
  /** Top of the HIGH arena: the end of RAM below 4 GiB (0x2000000 for -m 32M). */
  highTop: number;
  /** Lowest address the HIGH arena may hand out. */
  highBottom: number;
  /** Top of the FSEG arena (observed SeaBIOS value; any address in 0xe0000-0x100000 works). */
  fsegTop: number;
  fsegBottom: number;
}

export function defaultLoaderLayout(ramBelow4g: number): LoaderLayout {
  return { highTop: ramBelow4g, highBottom: Math.max(0x100000, ramBelow4g - 0x400000), fsegTop: 0xf5a00, fsegBottom: 0xe0000 };
}

/** SeaBIOS MALLOC_MIN_ALIGN. */
const MIN_ALIGN = 16;

export interface Allocation {
  addr: number;
  size: number;
}

export interface LoaderResult {
  allocations: Map<string, Allocation>;
  /** fw_cfg write-backs performed, in order. */
  writes: { file: string; offset: number; value: bigint; size: number }[];
}

type FwCfgView = Pick<FwCfg, 'file' | 'dmaWrite'>;

function leBytes(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = value;
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function leValue(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

function fits(value: bigint, size: number): boolean {
  return size === 8 ? value < 1n << 64n : value >> BigInt(size * 8) === 0n;
}

/**
 * Run etc/table-loader the way firmware does: validate the whole table
 * first (nothing is written when it is refused), then allocate and copy each
 * file into guest RAM, patch pointers, fix checksums and write pointers back
 * through fw_cfg DMA.
 */
export function runLinkerLoader(table: Uint8Array, fw: FwCfgView, mem: GuestMemory, layout: LoaderLayout): LoaderResult {
  const cmds = decodeLinkerTable(table);
  validateLinkerCommands(cmds, (name) => fw.file(name)?.data.length);
  const arenas = {
    [AllocZone.HIGH]: { top: layout.highTop, bottom: layout.highBottom },
    [AllocZone.FSEG]: { top: layout.fsegTop, bottom: layout.fsegBottom },
  } as Record<number, { top: number; bottom: number }>;
  const result: LoaderResult = { allocations: new Map(), writes: [] };
  const at = (name: string): Allocation => result.allocations.get(name)!;
  for (const lc of cmds) execute(lc, fw, mem, arenas, result, at);
  return result;
}

function execute(
  lc: LocatedCommand,
  fw: FwCfgView,
  mem: GuestMemory,
  arenas: Record<number, { top: number; bottom: number }>,
  result: LoaderResult,
  at: (name: string) => Allocation,
): void {
  const c = lc.cmd;
  const path = `${LINKER_PATH}[${lc.index}]`;
  switch (c.kind) {
    case 'allocate': {
      const data = fw.file(c.file)!.data;
      const arena = arenas[c.zone]!;
      const align = Math.max(c.align, MIN_ALIGN);
      const addr = Math.floor((arena.top - data.length) / align) * align;
      if (addr < arena.bottom) {
        throw new LoadError('linker.out-of-memory', `linker: no room for "${c.file}" (0x${data.length.toString(16)} bytes)`, lc.offset, `${path}/file`);
      }
      arena.top = addr;
      mem.write(addr, data);
      result.allocations.set(c.file, { addr, size: data.length });
      break;
    }
    case 'add-pointer': {
      const dest = at(c.destFile);
      const src = at(c.srcFile);
      const initial = leValue(mem.read(dest.addr + c.offset, c.size));
      // OVMF refuses a pointer that does not point into the source blob.
      if (initial >= BigInt(src.size)) {
        throw new LoadError('linker.src-offset-out-of-bounds', `linker: pointer value 0x${initial.toString(16)} outside "${c.srcFile}"`, lc.offset, `${path}/offset`);
      }
      const value = initial + BigInt(src.addr);
      if (!fits(value, c.size)) {
        throw new LoadError('linker.pointer-overflow', `linker: address 0x${value.toString(16)} does not fit ${c.size} bytes`, lc.offset, `${path}/size`);
      }
      mem.write(dest.addr + c.offset, leBytes(value, c.size));
      break;
    }
    case 'add-checksum': {
      const file = at(c.file);
      const sum = byteSum(mem.read(file.addr + c.start, c.length));
      const old = mem.read(file.addr + c.offset, 1)[0]!;
      mem.write(file.addr + c.offset, Uint8Array.of((old - sum) & 0xff));
      break;
    }
    case 'write-pointer': {
      const value = BigInt(at(c.srcFile).addr + c.srcOffset);
      if (!fits(value, c.size)) {
        throw new LoadError('linker.pointer-overflow', `linker: address 0x${value.toString(16)} does not fit ${c.size} bytes`, lc.offset, `${path}/size`);
      }
      fw.dmaWrite(c.destFile, c.dstOffset, leBytes(value, c.size));
      result.writes.push({ file: c.destFile, offset: c.dstOffset, value, size: c.size });
      break;
    }
    case 'unknown':
      break;
  }
}
