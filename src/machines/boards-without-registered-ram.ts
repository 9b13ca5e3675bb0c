/**
 * Boards that created RAM with a *_nomigrate() call and never registered it
 * with vmstate_register_ram(), as listed by Peter Maydell in seed 001
 * ("Re: [PATCH v2] migration: discard non-migratable RAMBlocks", 2018-04-20).
 * Before RAM_MIGRATABLE these blocks were migrated like any other; once the
 * flag arrived the source skips them, so a new source feeding an old
 * destination (or the reverse) disagrees on the block list: the compat break
 * the thread accepts for boards without versioned machine types.
 *
 * None of these boards is x86: they are kept as data so the catalog can
 * simulate the break on an unversioned board. The names are QEMU's machine
 * names; the RAM block names are the ones the grep in the thread shows.
 */
import type { Source } from './source.js';

export interface UnregisteredRamBoard {
  /** QEMU machine name(s) the board file provides (-machine help spelling). */
  board: string;
  arch: 'arm' | 'mips';
  /** Source file and the call the thread quotes. */
  file: string;
  call: string;
  /** RAM block idstr created without registration (as named in the call). */
  ramBlock: string;
  /** Peter Maydell's verdict on taking the compat break for it. */
  verdict: 'take-break' | 'probably-take-break';
  source: Source;
}

const SEED_001: Source = {
  ref: 'seed 001: Peter Maydell, "Re: [Qemu-devel] [PATCH v2] migration: discard non-migratable RAMBlocks", 2018-04-20',
  confidence: 'verified',
};

export const BOARDS_WITHOUT_REGISTERED_RAM: readonly UnregisteredRamBoard[] = [
  {
    board: 'aspeed', arch: 'arm', file: 'hw/arm/aspeed.c', call: 'memory_region_init_rom_nomigrate',
    ramBlock: 'aspeed.boot_rom', verdict: 'take-break', source: SEED_001,
  },
  {
    board: 'highbank', arch: 'arm', file: 'hw/arm/highbank.c', call: 'memory_region_init_ram_nomigrate',
    ramBlock: 'highbank.sysram', verdict: 'take-break', source: SEED_001,
  },
  {
    board: 'boston', arch: 'mips', file: 'hw/mips/boston.c', call: 'memory_region_init_rom_nomigrate',
    ramBlock: 'boston.flash', verdict: 'probably-take-break',
    source: { ...SEED_001, note: 'the thread elides the block name ("flash, NULL, ..."); "boston.flash" is the name hw/mips/boston.c passes (checked in later versions of the file)' },
  },
  {
    board: 'boston', arch: 'mips', file: 'hw/pci-host/xilinx-pcie.c', call: 'memory_region_init_ram_nomigrate',
    ramBlock: 'io', verdict: 'probably-take-break',
    source: { ...SEED_001, note: '"[device only used on mips boston board]"' },
  },
  {
    board: 'malta', arch: 'mips', file: 'hw/mips/mips_malta.c', call: 'memory_region_init_ram_nomigrate',
    ramBlock: 'bios.1fc', verdict: 'take-break', source: SEED_001,
  },
  {
    board: 'magnum', arch: 'mips', file: 'hw/net/dp8393x.c', call: 'memory_region_init_ram_nomigrate',
    ramBlock: 'dp8393x-prom', verdict: 'take-break',
    source: {
      ...SEED_001,
      note: '"[device only used on mips jazz board]" (jazz provides the magnum and pica61 machines); the thread elides the block name; "dp8393x-prom" is the name hw/net/dp8393x.c passes (checked in other versions of the file)',
    },
  },
];

/** The release that introduced RAM_MIGRATABLE and with it the break above. */
export const RAM_MIGRATABLE_RELEASE = '3.0';
