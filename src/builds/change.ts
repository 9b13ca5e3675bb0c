/**
 * What can change between two QEMU releases, as far as migration cares.
 * A simulated build is its base build plus a list of these; every change
 * says why (one line) and where that is written down (Source).
 *
 * Names are QEMU's own strings: QOM type names for devices ("e1000",
 * "fw_cfg_io"), vmstate names for sections and subsections
 * ("e1000/full_mac_state"), RAM block idstrs ("/rom@etc/acpi/tables").
 */
import type { GlobalProperty, Source, VersionString } from '../machines/index.js';

/** A compat property that switches a change off for old machine types. */
export interface CompatSwitch {
  /** hw_compat_X_Y or pc_compat_X_Y holding the entry. */
  array: string;
  driver: string;
  property: string;
  /** The value old machine types get (the entry's value). */
  value: string;
}

interface ChangeBase {
  /** One line: why this changed, in words a migration reviewer uses. */
  reason: string;
  source: Source;
}

export type StreamFeature =
  /** Trailing JSON description of the stream (QEMU_VM_VMDESCRIPTION). */
  | 'vmdesc'
  /** QEMU_VM_CONFIGURATION section carrying the machine name. */
  | 'configuration-section'
  /** QEMU_VM_SECTION_FOOTER after every section. */
  | 'section-footer'
  /** The "globalstate" section (run state before migration). */
  | 'global-state'
  /** MIG_CMD_SWITCHOVER_START command before the device state (10.0). */
  | 'switchover-start';

export type RamFeature =
  /** Incoming used_length may differ within max_length for resizeable blocks (qemu_ram_resize). */
  | 'resizeable-blocks'
  /** RAM_MIGRATABLE: only blocks registered with vmstate_register_ram() are sent; others refused on load. */
  | 'migratable-flag';

export interface SectionDecl {
  /** vmstate name ("e1000", "fw_cfg", "vmgenid"). */
  name: string;
  version_id?: number;
  minimum_version_id?: number;
}

export type Change = ChangeBase &
  (
    | { kind: 'machines-added'; machines: readonly string[] }
    | { kind: 'machines-removed'; machines: readonly string[] }
    | {
        kind: 'device-added';
        device: string;
        sections?: readonly SectionDecl[];
        /** RAM blocks the device creates, by idstr pattern ("%s/e1000.rom"). */
        ramBlocks?: readonly string[];
        /** Configuration the device refuses to start without (a compat property of another device). */
        requires?: CompatSwitch & { note: string };
      }
    | { kind: 'device-removed'; device: string }
    | {
        /** A device that blocked migration (migrate_add_blocker / unmigratable vmsd) stops doing so, or starts. */
        kind: 'device-migratable';
        device: string;
        migratable: boolean;
      }
    | { kind: 'section-version'; device: string; section: string; version_id: number; minimum_version_id: number }
    | {
        kind: 'subsection-added';
        device: string;
        section: string;
        subsection: string;
        version_id?: number;
        /** When the source sends it (QEMU's .needed), in words. */
        needed: string;
        /** The compat property that keeps old machine types from sending it. */
        compat?: CompatSwitch;
      }
    | {
        kind: 'field-added';
        device: string;
        section: string;
        field: string;
        /** The field_exists / version condition, in words. */
        condition: string;
        compat?: CompatSwitch;
      }
    | {
        kind: 'property-added';
        device: string;
        property: string;
        /** Default on new machine types. */
        default: string;
        /** What the property changes in guest-visible or migrated state. */
        effect: string;
        compat?: CompatSwitch;
      }
    | {
        kind: 'ram-block';
        block: string;
        resizeable: boolean;
        /** max_length for resizeable blocks. */
        maxLength?: number;
        /**
         * The blob is padded to a multiple of this before it becomes the
         * block's used_length (ACPI_BUILD_TABLE_SIZE for the tables of
         * machine types that pad; legacy machine types keep their own sizes).
         */
        padding?: number;
        /**
         * DSDT+SSDT bytes the binary compiles in for PIIX4 (QEMU 1.7, 2.0):
         * base + perCpu * max_cpus, whatever the machine type.
         */
        binaryAml?: { base: number; perCpu: number };
      }
    | { kind: 'ram-feature'; feature: RamFeature; enabled: boolean }
    | { kind: 'stream-feature'; feature: StreamFeature; enabled: boolean; compat?: CompatSwitch }
    | {
        kind: 'pci-cap-present';
        /** QEMU's enum name, e.g. QEMU_PCIE_ERR_UNC_MASK. */
        bit: string;
        bitnr?: number;
        /** The qdev property that sets the bit (DEFINE_PROP_BIT on cap_present). */
        property: string;
        default: boolean;
        /** Which config bytes the bit decides (and so what the config check compares). */
        effect: string;
        compat?: CompatSwitch;
      }
    | {
        /** PCI config space initialisation or write masks change (what get_pci_config_device compares). */
        kind: 'pci-config';
        capability: string;
        register: string;
        effect: string;
        /** Absent when the change is unconditional (then old machine types change too: a break). */
        controlledBy?: { bit: string; property: string };
      }
    | {
        /** A release (often a stable one) appends an entry to an existing compat array. */
        kind: 'compat-entry-added';
        array: string;
        entry: GlobalProperty;
      }
  );

export type ChangeKind = Change['kind'];

/** A simulated QEMU release: its base and what it changes. */
export interface BuildDelta {
  version: VersionString;
  /** The build this one is expressed against; absent only for the oldest. */
  base?: VersionString;
  /** Release date (YYYY-MM) for orientation in reports. */
  released?: string;
  changes: readonly Change[];
}
