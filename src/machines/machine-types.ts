/**
 * Which x86 machine types exist in which QEMU release, as data.
 *
 * A versioned machine type X.Y appears in release X.Y (it is that release's
 * newest type) and stays until it is removed; the ranges below say when.
 * Unversioned boards (isapc, microvm, none, x-remote) have one entry each.
 * What a given build offers is computed from this by machinesOffered().
 */
import type { Source } from './source.js';
import { SNAPSHOTS } from './source.js';
import { compareVersions, versionGe, versionLt, type VersionString } from './version.js';

export type MachineFamily = 'pc-i440fx' | 'pc-q35' | 'pc-legacy' | 'isapc' | 'microvm' | 'none' | 'x-remote';

export interface MachineRange {
  family: MachineFamily;
  /** Machine type versions covered (for unversioned boards: empty). */
  versions: readonly VersionString[];
  /** Name of a versioned type: prefix + version. Unversioned: the name itself. */
  prefix: string;
  /** Release that first offered it; for versioned types, the version itself unless said otherwise. */
  addedIn?: VersionString;
  removedIn?: VersionString;
  /** Release from which `-machine help` marks it "(deprecated)". */
  deprecatedIn?: VersionString;
  description: string;
  source: Source;
}

const I440FX_DESC = 'Standard PC (i440FX + PIIX, 1996)';
const Q35_DESC = 'Standard PC (Q35 + ICH9, 2009)';

/** Every x86 PC machine-type version QEMU ever released, oldest first (4.0.1 is q35 only). */
export const PC_MACHINE_VERSIONS: readonly VersionString[] = [
  '1.4', '1.5', '1.6', '1.7', '2.0', '2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '2.10', '2.11',
  '2.12', '3.0', '3.1', '4.0', '4.1', '4.2', '5.0', '5.1', '5.2', '6.0', '6.1', '6.2', '7.0', '7.1', '7.2', '8.0',
  '8.1', '8.2', '9.0', '9.1', '9.2', '10.0',
];

const between = (lo: VersionString, hi: VersionString): VersionString[] =>
  PC_MACHINE_VERSIONS.filter((v) => versionGe(v, lo) && compareVersions(v, hi) <= 0);

/** Machine types after 7.2: one per release, as the compat arrays of the 10.1-dev tree attest. */
const NEWER_THAN_72: Source = {
  ref: 'hw/i386/pc.c of the 10.1 development tree: pc_compat_8_0 .. pc_compat_10_0 exist, one per machine type release; each release adds its own pc-i440fx-X.Y / pc-q35-X.Y',
  qemu: '10.1-dev',
  confidence: 'verified',
};

export const MACHINE_RANGES: readonly MachineRange[] = [
  {
    family: 'pc-legacy', prefix: 'pc-', versions: ['0.10', '0.11'], addedIn: '0.10', removedIn: '4.0',
    description: 'Standard PC', source: {
      ref: 'docs/about/removed-features.rst "pc-0.10 up to pc-1.3 (removed in 4.0 up to 6.0)"',
      confidence: 'inferred', note: 'the per-version split of that range (0.10/0.11 in 4.0) is from memory of the removal commits',
    },
  },
  {
    family: 'pc-legacy', prefix: 'pc-', versions: ['0.12', '0.13', '0.14', '0.15'], addedIn: '0.12', removedIn: '5.0',
    description: 'Standard PC', source: {
      ref: 'docs/about/removed-features.rst "pc-0.10 up to pc-1.3 (removed in 4.0 up to 6.0)"',
      confidence: 'inferred', note: 'the per-version split of that range (0.12..0.15 in 5.0) is from memory of the removal commits',
    },
  },
  {
    family: 'pc-legacy', prefix: 'pc-', versions: ['1.0', '1.1', '1.2', '1.3'], addedIn: '1.0', removedIn: '6.0',
    deprecatedIn: '5.0', description: 'Standard PC', source: {
      ref: 'docs/system/removed-features.rst "pc-1.0, pc-1.1, pc-1.2 and pc-1.3 (removed in 6.0)"; deprecated.rst "(since 5.0)"',
      confidence: 'verified',
    },
  },
  {
    family: 'pc-i440fx', prefix: 'pc-i440fx-', versions: between('1.4', '1.7'), removedIn: '8.2', deprecatedIn: '7.0',
    description: I440FX_DESC, source: {
      ref: 'docs/about/removed-features.rst "pc-0.10 up to pc-i440fx-1.7 (removed in 4.0 up to 8.2)"; deprecated.rst "pc-i440fx-1.4 up to pc-i440fx-1.7 (since 7.0)"',
      confidence: 'verified',
    },
  },
  {
    family: 'pc-i440fx', prefix: 'pc-i440fx-', versions: between('2.0', '2.3'), removedIn: '9.1', deprecatedIn: '8.2',
    description: I440FX_DESC, source: {
      ref: 'deprecated.rst "pc-i440fx-2.0 up to pc-i440fx-2.3 (since 8.2)"; removal patches for 2.0 .. 2.3 (pc_compat_2_0 .. 2_3 deleted; the 10.1-dev pc.c starts at pc_compat_2_4)',
      confidence: 'inferred',
      note: 'the removal patches were posted in the 9.1 cycle (their context already deprecates 2.4..2.12 "since 9.1") although their removed-features text says "up to 9.0"',
    },
  },
  {
    family: 'pc-i440fx', prefix: 'pc-i440fx-', versions: between('2.4', '2.12'), deprecatedIn: '9.1',
    description: I440FX_DESC, source: {
      ref: 'deprecated.rst "pc-i440fx-2.4 up to pc-i440fx-2.12 (since 9.1)"; still defined in the 10.1-dev pc.c; include/hw/boards.h MACHINE_VER_DELETION only deletes from 10.1 on',
      confidence: 'verified',
    },
  },
  {
    family: 'pc-i440fx', prefix: 'pc-i440fx-', versions: between('3.0', '7.2'),
    description: I440FX_DESC, source: SNAPSHOTS.qemu72Help,
  },
  {
    family: 'pc-i440fx', prefix: 'pc-i440fx-', versions: between('8.0', '10.0'),
    description: I440FX_DESC, source: NEWER_THAN_72,
  },
  {
    family: 'pc-q35', prefix: 'pc-q35-', versions: between('1.4', '2.3'), removedIn: '2.6',
    description: Q35_DESC, source: {
      ref: 'commit "q35: Remove old machine versions" (migration with q35 was impossible before pc-q35-2.4: ich9-ahci was unmigratable)',
      commit: '86165b499edf', qemu: '2.6', confidence: 'verified',
    },
  },
  {
    family: 'pc-q35', prefix: 'pc-q35-', versions: between('2.4', '7.2'),
    description: Q35_DESC, source: SNAPSHOTS.qemu72Help,
  },
  {
    family: 'pc-q35', prefix: 'pc-q35-', versions: between('8.0', '10.0'),
    description: Q35_DESC, source: NEWER_THAN_72,
  },
  {
    family: 'pc-q35', prefix: 'pc-q35-', versions: ['4.0.1'], addedIn: '4.0.1',
    description: Q35_DESC, source: {
      ref: 'hw/i386/pc_q35.c pc_q35_4_0_1_machine_options ("the default machine for the 4.0-stable branch ... MUST hence apply the 4.0 compat props"); listed by 7.2 -machine help',
      confidence: 'verified',
    },
  },
  {
    family: 'isapc', prefix: 'isapc', versions: [], addedIn: '0.10', description: 'ISA-only PC', source: SNAPSHOTS.qemu72Help,
  },
  {
    family: 'none', prefix: 'none', versions: [], addedIn: '0.10', description: 'empty machine', source: SNAPSHOTS.qemu72Help,
  },
  {
    family: 'microvm', prefix: 'microvm', versions: [], addedIn: '4.2', description: 'microvm (i386)', source: {
      ref: 'commit "hw/i386: Introduce the microvm machine type" (v11 posted Oct 2019, merged for 4.2)',
      commit: '0ebf007ddac', qemu: '4.2', confidence: 'verified',
    },
  },
  {
    family: 'x-remote', prefix: 'x-remote', versions: [], addedIn: '6.0', description: 'Experimental remote machine', source: {
      ref: 'multi-process QEMU hw/remote/machine.c (listed by 7.2 -machine help)',
      qemu: '6.0', confidence: 'inferred', note: 'release dated from the multi-process series merge (early 2021)',
    },
  },
];

export interface MachineTypeInfo {
  name: string;
  family: MachineFamily;
  /** Versioned types only. */
  version?: VersionString;
  description: string;
  deprecated: boolean;
  source: Source;
}

/** The machine version a release's newest types carry: "8.0.1" -> "8.0". */
export function releaseMachineVersion(release: VersionString): VersionString {
  const parts = release.split('.');
  return `${parts[0]}.${parts[1] ?? '0'}`;
}

function offeredIn(range: MachineRange, version: VersionString | undefined, release: VersionString): boolean {
  const added = range.addedIn ?? version;
  if (added === undefined) return false;
  if (versionLt(release, added)) return false;
  // A versioned type is offered from its own release on: the newest machine
  // version a release offers is its major.minor (4.0.1 is the exception, a
  // stable-branch addition, handled by addedIn).
  if (version !== undefined && range.addedIn === undefined && versionLt(releaseMachineVersion(release), version)) {
    return false;
  }
  return range.removedIn === undefined || versionLt(release, range.removedIn);
}

/**
 * Deprecation as `-machine help` shows it. Documented ranges, plus from 9.1 on
 * the automatic rule of include/hw/boards.h: a machine type is deprecated
 * once it is MACHINE_VER_DEPRECATION_MAJOR (3) major releases old.
 */
function deprecatedIn(range: MachineRange, version: VersionString | undefined, release: VersionString): boolean {
  if (range.deprecatedIn !== undefined && versionGe(release, range.deprecatedIn)) return true;
  if (version === undefined || versionLt(release, '9.1')) return false;
  if (range.family !== 'pc-i440fx' && range.family !== 'pc-q35') return false;
  const [relMajor = 0, relMinor = 0] = release.split('.').map(Number);
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return relMajor - major > 3 || (relMajor - major === 3 && relMinor - minor >= 0);
}

/** Whether `release` offers the machine type `name` (without building the whole list). */
export function isMachineOffered(name: string, release: VersionString): boolean {
  const range = rangeOf(name);
  if (range === undefined) return false;
  const version = range.versions.length === 0 ? undefined : name.slice(range.prefix.length);
  return offeredIn(range, version, release);
}

function rangeOf(name: string): MachineRange | undefined {
  for (const range of MACHINE_RANGES) {
    if (range.versions.length === 0 ? name === range.prefix : name.startsWith(range.prefix) && range.versions.includes(name.slice(range.prefix.length))) {
      return range;
    }
  }
  return undefined;
}

/** Machine types a release offers, newest first within each family (the order -machine help uses). */
export function machinesOffered(release: VersionString): MachineTypeInfo[] {
  const out: MachineTypeInfo[] = [];
  for (const range of MACHINE_RANGES) {
    const versions = range.versions.length === 0 ? [undefined] : range.versions;
    for (const version of versions) {
      if (!offeredIn(range, version, release)) continue;
      out.push({
        name: version === undefined ? range.prefix : `${range.prefix}${version}`,
        family: range.family,
        ...(version === undefined ? {} : { version }),
        description: range.description,
        deprecated: deprecatedIn(range, version, release),
        source: range.source,
      });
    }
  }
  return out.sort(byFamilyThenNewest);
}

const FAMILY_ORDER: readonly MachineFamily[] = ['microvm', 'pc-legacy', 'pc-i440fx', 'pc-q35', 'isapc', 'none', 'x-remote'];

function byFamilyThenNewest(a: MachineTypeInfo, b: MachineTypeInfo): number {
  const f = FAMILY_ORDER.indexOf(a.family) - FAMILY_ORDER.indexOf(b.family);
  if (f !== 0) return f;
  if (a.version !== undefined && b.version !== undefined) return compareVersions(b.version, a.version);
  return a.name.localeCompare(b.name);
}

/** The "pc" and "q35" aliases: the newest i440fx / q35 type of the release. */
export function machineAliases(release: VersionString): Record<string, string> {
  const offered = machinesOffered(release);
  const newest = (family: MachineFamily): string | undefined => offered.find((m) => m.family === family)?.name;
  const out: Record<string, string> = {};
  const pc = newest('pc-i440fx');
  const q35 = newest('pc-q35');
  if (pc !== undefined) out['pc'] = pc;
  if (q35 !== undefined) out['q35'] = q35;
  return out;
}

/** What `-machine` defaults to: the "pc" alias target. */
export function defaultMachine(release: VersionString): string | undefined {
  return machineAliases(release)['pc'];
}

/** Splits "pc-q35-4.0.1" into family and version; unversioned names map to their family. */
export function parseMachineName(name: string): { family: MachineFamily; version?: VersionString } | undefined {
  const range = rangeOf(name);
  if (range === undefined) return undefined;
  if (range.versions.length === 0) return { family: range.family };
  return { family: range.family, version: name.slice(range.prefix.length) };
}
