// QEMU 2.3: resizeable RAM blocks (seed 000) and the vmdesc.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { commit, OBSERVED_72, SEED_000 } from './sources.js';

export const build_2_3: BuildDelta = {
  version: '2.3',
  base: '2.2',
  released: '2015-04',
  changes: [
    ...machineChanges('2.3', '2.2'),
    {
      kind: 'ram-feature', feature: 'resizeable-blocks', enabled: true,
      reason: 'device RAM (ACPI/ROM blobs) may arrive with another used_length as long as it fits max_length ("Length too large" beyond)',
      source: { ...SEED_000, qemu: '2.3', note: 'merged as qemu_ram_alloc_resizeable/qemu_ram_resize; ACPI uses it from 2.3 (see next change)' },
    },
    {
      kind: 'ram-block', block: '/rom@etc/acpi/tables', resizeable: true, maxLength: 0x200000, padding: 0x20000,
      reason: 'ACPI tables may grow between versions without breaking migration; max is ACPI_BUILD_TABLE_MAX_SIZE',
      source: commit('acpi-build: make ROMs RAM blocks resizeable', '2.3', 'a1666142db62', '"(since 2.3)" per Igor Mammedov; max 0x200000 = ACPI_BUILD_TABLE_MAX_SIZE, observed as max_length on 7.2'),
    },
    {
      kind: 'ram-block', block: '/rom@etc/table-loader', resizeable: true, maxLength: 0x1000,
      reason: 'the linker/loader blob becomes resizeable too, but only up to one page',
      source: commit('acpi-build: make ROMs RAM blocks resizeable', '2.3', 'a1666142db62', 'the 6.0 patch adding ACPI_BUILD_LOADER_MAX_SIZE says it raises "the maximum size from 4k to 64k"'),
    },
    {
      kind: 'ram-block', block: '/rom@etc/acpi/rsdp', resizeable: true, maxLength: 0x1000,
      reason: 'the RSDP moves into its own ROM blob (machine types 2.3 and newer)',
      source: { ...OBSERVED_72, note: 'pc-i440fx-2.2 has no /rom@etc/acpi/rsdp block, 2.3 has it with max_length 0x1000' },
    },
    {
      kind: 'stream-feature', feature: 'vmdesc', enabled: true,
      reason: 'a JSON description of every section is appended after EOF, for analyze-migration.py (pc-i440fx-2.0..2.2 suppress it)',
      source: { ref: 'commit "migration: Append JSON description of migration stream" (Alexander Graf)', qemu: '2.3', confidence: 'inferred', note: 'suppression on pc-i440fx-2.0..2.2 observed on real 7.2' },
    },
  ],
};
