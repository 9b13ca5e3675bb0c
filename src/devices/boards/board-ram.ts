/**
 * The RAM of the seed 001 boards: one registered main RAM block plus the
 * block(s) each board creates with a *_nomigrate() call and never registers
 * (BOARDS_WITHOUT_REGISTERED_RAM in src/machines).
 *
 * Seed 001 (Peter Maydell, 2018-04-20): "compat break for any board which
 * has a ram block which it doesn't call vmstate_register_ram() for. These
 * are mostly going to be places that call one of the _nomigrate() functions
 * [...] and then don't register the ram by hand either."
 */
import { BOARDS_WITHOUT_REGISTERED_RAM, type UnregisteredRamBoard } from '../../machines/index.js';
import { TARGET_PAGE_SIZE, createRamBlock, type RamBlock } from '../../memory/index.js';

/** Names -machine accepts for the seed 001 boards (jazz provides magnum). */
export const SEED_001_BOARDS: readonly string[] = [...new Set(BOARDS_WITHOUT_REGISTERED_RAM.map((b) => b.board))];

/**
 * Sizes of the unregistered blocks. Only highbank's (0x8000) and
 * xilinx-pcie's (16 bytes) are in the thread's grep; QEMU host-page-aligns a
 * RAMBlock's used_length (qemu_ram_alloc_internal), so 16 bytes is one page.
 * The others are plausible sizes, not verified against the board files:
 * they only need to be a few pages for the behaviour modelled here.
 */
const UNREGISTERED_SIZE: Record<string, number> = {
  'aspeed.boot_rom': 0x10000,
  'highbank.sysram': 0x8000, // seed 001: "highbank.sysram", 0x8000
  'boston.flash': 0x10000,
  io: 16, // seed 001: "io", 16
  'bios.1fc': 0x10000,
  'dp8393x-prom': 0x1000,
};

export interface BoardRamOptions {
  /** Main RAM bytes (page aligned). */
  ramBytes: number;
  /** The build has RAM_MIGRATABLE (3.0+): only registered blocks are migratable. */
  migratableFlag: boolean;
  /** The board was fixed to call vmstate_register_ram() for its blocks. */
  registered: boolean;
}

/** The seed 001 entries for one board (boston has two blocks). */
export function unregisteredBlocksOf(board: string): UnregisteredRamBoard[] {
  return BOARDS_WITHOUT_REGISTERED_RAM.filter((b) => b.board === board);
}

export function mainRamIdstr(board: string): string {
  return `${board}.ram`;
}

/**
 * The board's blocks. Before RAM_MIGRATABLE every RAMBlock was sent
 * (RAMBLOCK_FOREACH walked them all), so an unregistered block is
 * migratable there; with the flag only registered blocks are.
 */
export function boardRamBlocks(board: string, o: BoardRamOptions): RamBlock[] {
  const entries = unregisteredBlocksOf(board);
  if (entries.length === 0) throw new RangeError(`unknown seed 001 board '${board}' (known: ${SEED_001_BOARDS.join(', ')})`);
  const blocks = [createRamBlock({ idstr: mainRamIdstr(board), usedLength: o.ramBytes })];
  for (const e of entries) {
    const size = UNREGISTERED_SIZE[e.ramBlock] ?? TARGET_PAGE_SIZE;
    const usedLength = Math.ceil(size / TARGET_PAGE_SIZE) * TARGET_PAGE_SIZE;
    blocks.push(createRamBlock({ idstr: e.ramBlock, usedLength, migratable: !o.migratableFlag || o.registered }));
  }
  return blocks;
}
