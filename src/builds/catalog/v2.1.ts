import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_2_1: BuildDelta = {
  version: '2.1',
  base: '2.0',
  released: '2014-08',
  changes: [
    ...machineChanges('2.1', '2.0'),
    {
      kind: 'ram-block', block: '/rom@etc/acpi/tables', resizeable: false, padding: 0x20000,
      reason: 'ACPI tables are padded to ACPI_BUILD_TABLE_SIZE (doubled to 0x20000) so they rarely change size; pc-i440fx-1.7/2.0 keep the exact legacy sizes',
      source: {
        ref: 'commit "acpi-build: tweak acpi migration limits" (2014-07-29), as described by "pc: reserve more memory for ACPI for new machine types" (mst, 2014-08-20): it "doubled the size of ACPI tables"',
        commit: '868270f23d8d', qemu: '2.1', confidence: 'verified',
        note: 'padding 0x20000 for pc-i440fx-2.1 observed on real 7.2; "Already doing that (rounding to 128k, warning if >64k)" (Paolo Bonzini, seed 000 thread, 2014-11-19); the legacy 1.7/2.0 sizing (pc_piix.c legacy_acpi_table_size) gives the binaries\' sizes back (blob-lengths.ts)',
      },
    },
    {
      kind: 'property-added', device: 'apic', property: 'version', default: '0x14',
      effect: 'local APIC version register the guest reads',
      compat: compatSwitch('pc_compat_2_0', 'apic', 'version'),
      reason: 'the emulated local APIC reports version 0x14; pc-*-2.0 and older keep 0x11',
      source: datedByCompat('pc_compat_2_0', '2.1'),
    },
    {
      kind: 'subsection-added', device: 'PIIX4_PM', section: 'piix4_pm', subsection: 'piix4_pm/memhp',
      needed: 'ACPI memory hotplug is enabled (memory-hotplug-support=on)',
      compat: compatSwitch('pc_compat_2_0', 'PIIX4_PM', 'memory-hotplug-support'),
      reason: 'memory hotplug state of the i440FX ACPI device; pc-i440fx-2.0 and older do not have it',
      source: datedByCompat('pc_compat_2_0', '2.1', 'subsection name as QEMU 7.2 -dump-vmstate lists it'),
    },
  ],
};
