/**
 * Migrations that real QEMU history broke, with the reason and the way the
 * break shows. The matrix classifies a failing cell as "expected break" only
 * when one of these covers it; everything else is a regression.
 */
import type { CheckCode } from '../wire/checks.js';
import type { MachineFamily, Source, VersionString } from '../machines/index.js';
import { ACS_FIX_4_1, MIGRATION_RST_UNC_MASK, SEED_000, SEED_001, commit, datedByCompat } from './catalog/sources.js';

/** A set of catalog builds. */
export type BuildSet =
  | { only: readonly VersionString[] }
  | { except: readonly VersionString[] }
  /** Inclusive range; either end may be open. */
  | { from?: VersionString; upTo?: VersionString };

export interface MachineSelector {
  families?: readonly MachineFamily[];
  /** Inclusive bounds on the machine type version (versioned types only). */
  minVersion?: VersionString;
  maxVersion?: VersionString;
  /** Seed 001 boards (BOARDS_WITHOUT_REGISTERED_RAM) by board name. */
  boards?: readonly string[];
}

export type BreakManifest =
  /** The destination refuses the stream with this LoadError code. */
  | { kind: 'refused'; code: CheckCode; message?: string }
  /** Migration does not start: a device blocks it ("State blocked by non-migratable device"). */
  | { kind: 'blocked'; message: string }
  /** Accepted, but guest-visible state differs after migration. */
  | { kind: 'state-difference'; what: string };

export interface ExpectedBreak {
  id: string;
  a: BuildSet;
  b: BuildSet;
  /** How each direction fails; a direction without an entry is not broken. */
  manifests: { 'a-to-b'?: BreakManifest; 'b-to-a'?: BreakManifest };
  machines: MachineSelector;
  /** What the guest configuration must contain for the break to show. */
  requires?: {
    devices?: readonly string[];
    /** QEMU -smp words the configuration needs (possible CPUs size the ACPI tables). */
    smp?: string;
    note: string;
  };
  /** The break also shows between two instances of the same build (not only across builds). */
  sameBuild?: boolean;
  /** Set when the break depends on sizes or contents, not only on the builds. */
  conditional?: string;
  reason: string;
  source: Source;
}

/**
 * Boards without versioned machine types (isapc, microvm) have no compat
 * arrays, so nothing keeps a stream-format change away from them: every
 * change that old machine types are shielded from breaks these boards
 * across the release that made it. Real QEMU 7.2 shows they get each
 * feature (its isapc stream has the configuration section and fw_cfg/dma,
 * its microvm stream fw_cfg/dma and fw_cfg/acpi_mr: corpus/qemu-7.2).
 */
const UNVERSIONED_NOTE = 'isapc/microvm have no versioned machine type, so the compat entry that shields pc-*-X.Y does not apply; real QEMU 7.2 isapc/microvm streams carry the feature (corpus/qemu-7.2)';

export const EXPECTED_BREAKS: readonly ExpectedBreak[] = [
  {
    id: 'unversioned-configuration-section-2.4',
    a: { upTo: '2.3' },
    b: { from: '2.4' },
    manifests: {
      'a-to-b': { kind: 'refused', code: 'stream.config-missing', message: 'Configuration section missing' },
      'b-to-a': { kind: 'refused', code: 'stream.unknown-section-type', message: 'Unknown savevm section type 7' },
    },
    // The seed 001 boards (ARM/MIPS, no versioned machine types) never call
    // savevm_skip_configuration either, so they cross 2.4 the same way.
    machines: { families: ['isapc'], boards: ['aspeed', 'highbank', 'boston', 'malta', 'magnum'] },
    reason: 'the configuration section (2.4) is sent and required by every machine type not covered by hw_compat_2_3 (savevm_skip_configuration is called only for pc-*-2.3 and older), and isapc and the unversioned boards are not: their 2.3 and 2.4 guests cannot migrate either way',
    source: datedByCompat('hw_compat_2_3', '2.4', UNVERSIONED_NOTE),
  },
  {
    id: 'unversioned-fw-cfg-dma-2.5',
    // Older destinations already fail on the configuration section (above).
    a: { only: ['2.4'] },
    b: { from: '2.6' },
    manifests: {
      'b-to-a': { kind: 'refused', code: 'vmstate.subsection-unknown', message: "Unknown subsection 'fw_cfg/dma' of 'fw_cfg'" },
    },
    machines: { families: ['isapc'] },
    reason: 'fw_cfg DMA (2.5) adds the fw_cfg/dma subsection, kept off only for pc-*-2.4 and older by hw_compat_2_4; isapc sends it, and a destination before 2.5 does not know it',
    source: datedByCompat('hw_compat_2_4', '2.5', UNVERSIONED_NOTE),
  },
  {
    id: 'unversioned-fw-cfg-acpi-mr-5.0',
    a: { upTo: '4.2' },
    b: { from: '5.2' },
    manifests: {
      'b-to-a': { kind: 'refused', code: 'vmstate.subsection-unknown', message: "Unknown subsection 'fw_cfg/acpi_mr' of 'fw_cfg'" },
    },
    machines: { families: ['microvm'] },
    reason: 'fw_cfg/acpi_mr (5.0) migrates the ACPI blob sizes, kept off only for machine types up to 4.2 by hw_compat_4_2; microvm sends it, and a 4.2 destination does not know it',
    source: datedByCompat('hw_compat_4_2', '5.0', UNVERSIONED_NOTE),
  },
  {
    id: 'q35-unmigratable-before-2.4',
    a: { upTo: '2.3' },
    b: { from: '1.7' },
    manifests: {
      'a-to-b': { kind: 'blocked', message: "State blocked by non-migratable device '0000:00:1f.2/ich9_ahci'" },
      'b-to-a': { kind: 'blocked', message: "State blocked by non-migratable device '0000:00:1f.2/ich9_ahci'" },
    },
    machines: { families: ['pc-q35'] },
    sameBuild: true,
    reason: 'q35 always creates an ich9-ahci, which was unmigratable until 2.4: QEMU before 2.4 cannot migrate any q35 guest, in or out',
    source: {
      ...commit('q35: Remove old machine versions', '2.6', '86165b499edf'),
      note: 'commit message: "all q35 machine classes before pc-q35-2.4 were not migratable"; the blocker text is QEMU 7.2 wording and the destination-side check (qemu_loadvm_state calls qemu_savevm_state_blocked) is inferred for old releases',
    },
  },
  {
    id: 'acpi-tables-fixed-size-before-2.3',
    a: { from: '1.7' },
    b: { upTo: '2.2' },
    manifests: {
      'a-to-b': { kind: 'refused', code: 'ram.size-mismatch', message: 'Length mismatch: /rom@etc/acpi/tables: 0x%x in != 0x%x' },
    },
    machines: { families: ['pc-i440fx'], minVersion: '1.7', maxVersion: '2.2' },
    requires: {
      smp: '1,maxcpus=12',
      note: 'tables whose 4 KiB-aligned size differs between the two builds: -M pc-i440fx-1.7 with maxcpus 11..13 or 50..52 between QEMU 2.0 and any other build (0x3000 vs 0x2000); with one possible CPU every build builds 0x2000',
    },
    reason: 'before 2.3 RAM blocks could not be resized on load, so a destination older than 2.3 refuses ACPI tables of any other size; QEMU 1.7 and 2.0 sized the tables from the AML compiled into the binary (6414 vs 6652 bytes + 97 per possible CPU), whatever the machine type',
    source: {
      ...SEED_000,
      note: 'the wording is pre-2.3 ram_load\'s (arch_init.c); the sizes are hw/i386/pc_piix.c\'s: "it depends on the binary and not on the machine type, so we cannot make pc-i440fx-1.7 work on both QEMU 1.7 and QEMU 2.0 ... Large variations cause migration to fail for more than one consecutive value of the -smp maxcpus option"',
    },
  },
  {
    id: 'ram-migratable-unregistered-boards',
    // Sources before 2.4 already fail on the configuration section (above).
    a: { from: '2.4', upTo: '2.12' },
    b: { from: '3.0' },
    manifests: {
      'a-to-b': { kind: 'refused', code: 'ram.block-not-migratable' },
      'b-to-a': { kind: 'state-difference', what: 'the unregistered RAM block is no longer sent: the destination keeps its own contents of it' },
    },
    machines: { boards: ['aspeed', 'highbank', 'boston', 'malta', 'magnum'] },
    reason: 'RAM_MIGRATABLE: a 3.0 source skips RAM the board never registered, a 3.0 destination refuses it; accepted for boards without versioned machine types',
    source: SEED_001,
  },
  {
    id: 'pcie-acs-4.0',
    a: { only: ['4.0'] },
    b: { except: ['4.0'] },
    manifests: {
      // pcie-root-port: AER at 0x100 links to ACS at 0x148 (header 0x14820001) or ends the list (0x00020001).
      'a-to-b': { kind: 'refused', code: 'pci.bad-config-data', message: 'get_pci_config_device: Bad config data: i=0x102 read: 82 device: 2 cmask: ff wmask: 0 w1cmask:0' },
      'b-to-a': { kind: 'refused', code: 'pci.bad-config-data', message: 'get_pci_config_device: Bad config data: i=0x102 read: 2 device: 82 cmask: ff wmask: 0 w1cmask:0' },
    },
    machines: { families: ['pc-i440fx', 'pc-q35'], maxVersion: '3.1' },
    requires: { devices: ['pcie-root-port'], note: 'a PCIe root port (pcie-root-port, ioh3420): the device that gained ACS' },
    reason: '4.0 gives root ports an ACS capability for every machine type; builds before 4.0 and from 4.1 on (disable-acs for <= 3.1) do not, so the AER header that links to it differs, read-only and checked on load',
    source: {
      ...ACS_FIX_4_1,
      note: 'the patch table lists 3.1 -> 4.0 and 4.0 -> 4.1 as broken (3.1 machine type) and the 4.0 machine type as unaffected; the reverse directions differ by the same read-only bytes. Real QEMU 7.2 -M pc-q35-3.1 (disable-acs) refuses the simulated 4.0 stream with the a-to-b message (suites/qemu/pcie-root-port-into-real.test.ts)',
    },
  },
  {
    id: 'pcie-err-unc-mask-8.0',
    a: { only: ['8.0'] },
    b: { except: ['8.0'] },
    manifests: {
      // AER at 0x100 (pcie-root-port, e1000e): PCI_ERR_UNCOR_MASK = 0x02400000 puts 0x40 at 0x10a.
      'a-to-b': { kind: 'refused', code: 'pci.bad-config-data', message: 'get_pci_config_device: Bad config data: i=0x10a read: 40 device: 0 cmask: ff wmask: 0 w1cmask:0' },
    },
    machines: { families: ['pc-i440fx', 'pc-q35'], maxVersion: '7.2' },
    requires: {
      devices: ['pcie-root-port'],
      note: 'any device with a PCIe AER capability (pcie_aer_init), e.g. pcie-root-port; with -nodefaults and no such device nothing differs',
    },
    reason: '8.0 initialises PCI_ERR_UNCOR_MASK for every machine type; 7.2 and 8.0.1+ do not for machine types <= 7.2 and hold it read-only, so they refuse an 8.0 source. The other way loads: 8.0 makes the register guest-writable (wmask PCI_ERR_UNC_SUPPORTED) and get_pci_config_device compares only bits outside wmask',
    source: {
      ...MIGRATION_RST_UNC_MASK,
      note: 'fix commit message (Leonardo Bras, 5ed3dabe57dd): "will cause migration to fail if the target QEMU version is < 8.0.0", quoting i=0x10a read: 40 device: 0 cmask: ff wmask: 0 w1cmask:0 for e1000e; real QEMU 7.2 refuses the simulated 8.0 pc-q35-7.2 stream with the same line (suites/qemu/pcie-root-port-into-real.test.ts). compatibility.rst says 7.2 -> 8.0 fails too; by the config check (pci.c get_pci_config_device skips wmask bits) that direction loads, which the same document relies on when it lets an 8.0.1 destination with x-pcie-err-unc-mask=on receive 8.0',
    },
  },
];
