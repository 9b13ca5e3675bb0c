/**
 * A build fully resolved: the base chain folded into one flat description.
 * Plain data; every entry remembers the build that introduced it (`since`).
 */
import type { GlobalProperty, MachineTypeInfo, UnregisteredRamBoard, VersionString } from '../machines/index.js';
import type { Change, CompatSwitch, RamFeature, StreamFeature } from './change.js';

export interface SubsectionView {
  name: string;
  since: VersionString;
  version_id?: number;
  needed: string;
  compat?: CompatSwitch;
}

export interface FieldView {
  name: string;
  since: VersionString;
  condition: string;
  compat?: CompatSwitch;
}

export interface SectionView {
  name: string;
  version_id?: number;
  minimum_version_id?: number;
  subsections: Record<string, SubsectionView>;
  fields: Record<string, FieldView>;
}

export interface PropertyView {
  name: string;
  since: VersionString;
  default: string;
  effect: string;
  compat?: CompatSwitch;
}

export interface DeviceView {
  device: string;
  /** Build that added the device; undefined for objects the catalog only mentions (the "migration" object, abstract types). */
  since?: VersionString;
  /** True when the catalog declared the device with a device-added change. */
  declared: boolean;
  migratable: boolean;
  sections: Record<string, SectionView>;
  properties: Record<string, PropertyView>;
  ramBlocks: readonly string[];
  requires?: CompatSwitch & { note: string };
}

export interface RamBlockView {
  block: string;
  resizeable: boolean;
  maxLength?: number;
  /** Padding step of the blob that fills the block (see the ram-block change). */
  padding?: number;
  /** The binary's own DSDT+SSDT size (pre-2.1 builds; see the ram-block change). */
  binaryAml?: { base: number; perCpu: number };
  /** Build that created the block, and the one that last changed its rule. */
  since: VersionString;
  changedIn: VersionString;
}

export interface StreamFeatureView {
  enabled: boolean;
  since: VersionString;
  compat?: CompatSwitch;
}

export interface PciCapPresentView {
  bit: string;
  bitnr?: number;
  property: string;
  default: boolean;
  effect: string;
  since: VersionString;
  compat?: CompatSwitch;
}

export interface PciConfigView {
  capability: string;
  register: string;
  effect: string;
  since: VersionString;
  controlledBy?: { bit: string; property: string };
}

export interface AppliedChange {
  build: VersionString;
  change: Change;
}

export interface BuildView {
  version: VersionString;
  base?: VersionString;
  released?: string;
  /** Oldest first, ending with this build. */
  chain: VersionString[];
  machines: MachineTypeInfo[];
  aliases: Record<string, string>;
  defaultMachine?: string;
  /** Seed 001 boards (non-x86), kept beside the x86 machine list. */
  boards: readonly UnregisteredRamBoard[];
  devices: Record<string, DeviceView>;
  ramBlocks: Record<string, RamBlockView>;
  ram: Record<RamFeature, boolean>;
  stream: Record<StreamFeature, StreamFeatureView>;
  pciCapPresent: Record<string, PciCapPresentView>;
  pciConfig: PciConfigView[];
  /** Entries appended to old compat arrays by this build or its bases. */
  compatAdditions: { array: string; entry: GlobalProperty; since: VersionString }[];
  changes: AppliedChange[];
}
