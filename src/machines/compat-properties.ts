/**
 * The compat properties a machine type carries in a given release, in the
 * order QEMU applies them, and property resolution on top of that.
 *
 * QEMU builds the list by chaining machine option functions: the options of
 * pc-i440fx-2.4 first run those of 2.5 (which run 2.6's, ... up to the
 * newest type, which adds nothing), then append hw_compat_2_4 and
 * pc_compat_2_4. So the list for machine M in release R is, for every
 * version V with M <= V < R, newest V first: hw_compat_V then pc_compat_V.
 * Globals are applied to a device in list order, so for one property the
 * LAST matching entry wins (pc-i440fx-2.8 gets pci-bridge.shpc=off from
 * hw_compat_2_9, then =on from hw_compat_2_8: "on").
 */
import type { CompatArray, GlobalProperty } from './compat-property.js';
import { HW_COMPAT } from './hw-compat.js';
import { isMachineOffered, parseMachineName, releaseMachineVersion } from './machine-types.js';
import { PC_COMPAT } from './pc-compat.js';
import { compareVersions, versionGe, versionLe, versionLt, type VersionString } from './version.js';

/** An entry together with the array it came from. */
export interface AppliedProperty extends GlobalProperty {
  array: string;
}

/** The compat array as the given release ships it: entries appended later are left out. */
export function arrayInRelease(array: CompatArray, release: VersionString): GlobalProperty[] | undefined {
  // hw_compat_X_Y is created when the machine types after X.Y are added, so
  // it exists in every release whose own machine version is newer than X.Y.
  if (!versionLt(array.version, releaseMachineVersion(release))) return undefined;
  return array.entries.filter((e) => e.since === undefined || versionLe(e.since, release));
}

/** Arrays by kind and version (constant indexes over the data). */
const BY_VERSION: Readonly<Record<'hw' | 'pc', ReadonlyMap<VersionString, CompatArray>>> = {
  hw: new Map(HW_COMPAT.map((a) => [a.version, a])),
  pc: new Map(PC_COMPAT.map((a) => [a.version, a])),
};

/** Error for a machine the release does not offer: callers must not guess. */
export class UnknownMachineError extends Error {
  constructor(machine: string, release: VersionString) {
    super(`machine type '${machine}' is not offered by QEMU ${release}`);
    this.name = 'UnknownMachineError';
  }
}

/**
 * Ordered compat property list for `machine` in `release`, as QEMU applies it.
 * Unversioned boards (isapc, microvm, none) carry none.
 */
export function compatPropertiesFor(machine: string, release: VersionString): AppliedProperty[] {
  if (!isMachineOffered(machine, release)) throw new UnknownMachineError(machine, release);
  const parsed = parseMachineName(machine);
  if (parsed?.version === undefined) return [];
  const machineVersion = releaseMachineVersion(parsed.version);
  const isPc = parsed.family === 'pc-i440fx' || parsed.family === 'pc-q35' || parsed.family === 'pc-legacy';
  const out: AppliedProperty[] = [];
  for (const v of COMPAT_VERSIONS_NEWEST_FIRST) {
    if (!versionGe(v, machineVersion)) break;
    for (const kind of isPc ? (['hw', 'pc'] as const) : (['hw'] as const)) {
      const array = BY_VERSION[kind].get(v);
      if (array === undefined) continue;
      const entries = arrayInRelease(array, release);
      if (entries === undefined) continue;
      for (const e of entries) out.push({ ...e, array: array.name });
    }
  }
  return out;
}

/** Every compat array version, newest first (constant data). */
const COMPAT_VERSIONS_NEWEST_FIRST: readonly VersionString[] = Object.freeze(
  [...new Set([...HW_COMPAT, ...PC_COMPAT].map((a) => a.version))].sort((a, b) => compareVersions(b, a)),
);

export interface ResolveOptions {
  /**
   * QOM parents of `driver`, most derived first (for e1000:
   * ['pci-device', 'device']). An entry for any of them applies, as
   * object_dynamic_cast() lets it in QEMU.
   */
  typeChain?: readonly string[];
}

/**
 * The value `driver.property` takes on `machine` in `release`: the last
 * matching compat entry, or `defaultValue` when none matches. Values are
 * QEMU's strings ("on", "off", "0x11"); parse them where they are used.
 */
export function resolveProperty(
  machine: string,
  release: VersionString,
  driver: string,
  property: string,
  defaultValue: string,
  options: ResolveOptions = {},
): string {
  const drivers = new Set([driver, ...(options.typeChain ?? [])]);
  let value = defaultValue;
  for (const e of compatPropertiesFor(machine, release)) {
    if (e.property === property && drivers.has(e.driver)) value = e.value;
  }
  return value;
}

/**
 * A resolver for one machine type in one release: the compat list is built
 * once and indexed by property, so a device model that reads many
 * properties at realize time pays for the list only once.
 */
export function compatResolver(
  machine: string,
  release: VersionString,
): (driver: string, property: string, defaultValue: string, options?: ResolveOptions) => string {
  const byProperty = new Map<string, AppliedProperty[]>();
  for (const e of compatPropertiesFor(machine, release)) {
    const list = byProperty.get(e.property) ?? [];
    list.push(e);
    byProperty.set(e.property, list);
  }
  return (driver, property, defaultValue, options = {}) => {
    const drivers = new Set([driver, ...(options.typeChain ?? [])]);
    let value = defaultValue;
    for (const e of byProperty.get(property) ?? []) if (drivers.has(e.driver)) value = e.value;
    return value;
  };
}

/** QEMU's boolean property spellings. */
export function parseBoolProperty(value: string): boolean {
  switch (value.toLowerCase()) {
    case 'on': case 'true': case 'yes': return true;
    case 'off': case 'false': case 'no': return false;
    default: throw new Error(`not a boolean property value: ${JSON.stringify(value)}`);
  }
}
