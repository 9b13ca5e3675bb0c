/**
 * The query API over the catalog. Every call folds from the deltas and
 * returns fresh plain objects: no caches, no shared mutable state (callers
 * that need speed keep the view they got).
 */
import {
  compareVersions,
  machineStreamOptions,
  parseMachineName,
  resolveProperty,
  versionGe,
  versionLe,
  type MachineTypeInfo,
  type VersionString,
} from '../machines/index.js';
import type { BuildView } from './build-view.js';
import { CATALOG } from './catalog/index.js';
import type { BuildDelta } from './change.js';
import { EXPECTED_BREAKS, type BreakManifest, type BuildSet, type ExpectedBreak, type MachineSelector } from './expected-breaks.js';
import { applyDelta, deepFreeze, emptyView } from './fold.js';

export class UnknownBuildError extends Error {
  constructor(version: string) {
    super(`no simulated build '${version}' (have ${CATALOG.map((b) => b.version).join(', ')})`);
    this.name = 'UnknownBuildError';
  }
}

/** Catalog versions, oldest first. */
export function listBuilds(): VersionString[] {
  return CATALOG.map((b) => b.version);
}

export function getDelta(version: VersionString): BuildDelta {
  const delta = CATALOG.find((b) => b.version === version);
  if (delta === undefined) throw new UnknownBuildError(version);
  return delta;
}

/** The base chain, oldest first, ending with `version`. */
export function baseChain(version: VersionString): BuildDelta[] {
  const chain: BuildDelta[] = [];
  const seen = new Set<string>();
  for (let v: VersionString | undefined = version; v !== undefined; v = getDelta(v).base) {
    if (seen.has(v)) throw new Error(`build base chain loops at ${v}`);
    seen.add(v);
    chain.unshift(getDelta(v));
  }
  return chain;
}

/**
 * Every build folded once, when the module loads, and deeply frozen: derived
 * constant data, not state. Bases precede their builds in CATALOG (the
 * catalog test checks it), so each view is its base's view plus one delta.
 */
const VIEWS: ReadonlyMap<VersionString, BuildView> = (() => {
  const views = new Map<VersionString, BuildView>();
  for (const delta of CATALOG) {
    const base = delta.base === undefined ? emptyView() : views.get(delta.base);
    if (base === undefined) throw new Error(`build ${delta.version}: base ${delta.base ?? ''} must come earlier in the catalog`);
    views.set(delta.version, deepFreeze(applyDelta(base, delta)));
  }
  return views;
})();

/**
 * A build fully resolved: its base chain folded into one flat description.
 * The view is deeply frozen and shared; structuredClone it to modify.
 */
export function getBuild(version: VersionString): BuildView {
  const view = VIEWS.get(version);
  if (view === undefined) throw new UnknownBuildError(version);
  return view;
}

/** The same view folded from scratch along the base chain (slow; for checking the precomputed one). */
export function foldBuild(version: VersionString): BuildView {
  let view = emptyView();
  for (const delta of baseChain(version)) view = applyDelta(view, delta);
  return view;
}

/** The machine types a build offers (a fresh array: sort or filter it freely). */
export function machinesOf(version: VersionString): MachineTypeInfo[] {
  return [...getBuild(version).machines];
}

/** Machine types both builds offer (the cells a matrix can run), in `a`'s order. */
export function sharedMachines(a: VersionString, b: VersionString): string[] {
  const inB = new Set(machinesOf(b).map((m) => m.name));
  return machinesOf(a).map((m) => m.name).filter((n) => inB.has(n));
}

/** What a stream written by `machine` on `version` contains: build capability AND machine compat. */
export interface StreamLayout {
  configurationSection: boolean;
  sectionFooters: boolean;
  /**
   * The globalstate section: mandatory with store-global-state on; with it
   * off (hw_compat_2_3) migration/global_state.c still sends it unless the
   * run state is "running" or "paused" (a guest started with -S is in
   * "prelaunch", so real 7.2 captures of pc-i440fx-2.3 carry it).
   */
  globalState: 'always' | 'unless-running-or-paused' | 'never';
  vmdesc: boolean;
}

export function streamLayoutFor(version: VersionString, machine: string): StreamLayout {
  const view = getBuild(version);
  const m = machineStreamOptions(machine, version);
  return {
    configurationSection: view.stream['configuration-section'].enabled && m.sendConfiguration,
    sectionFooters: view.stream['section-footer'].enabled && m.sendSectionFooter,
    globalState: !view.stream['global-state'].enabled ? 'never' : m.storeGlobalState ? 'always' : 'unless-running-or-paused',
    vmdesc: view.stream.vmdesc.enabled && !m.suppressVmdesc,
  };
}

function inSet(set: BuildSet, version: VersionString): boolean {
  if ('only' in set) return set.only.includes(version);
  if ('except' in set) return !set.except.includes(version);
  return (set.from === undefined || versionGe(version, set.from)) && (set.upTo === undefined || versionLe(version, set.upTo));
}

function machineMatches(sel: MachineSelector, machine: string): boolean {
  if (sel.boards !== undefined && sel.boards.includes(machine)) return true;
  if (sel.families === undefined) return false;
  const parsed = parseMachineName(machine);
  if (parsed === undefined || !sel.families.includes(parsed.family)) return false;
  if (parsed.version === undefined) return sel.minVersion === undefined && sel.maxVersion === undefined;
  if (sel.minVersion !== undefined && compareVersions(parsed.version, sel.minVersion) < 0) return false;
  return sel.maxVersion === undefined || compareVersions(parsed.version, sel.maxVersion) <= 0;
}

function offers(view: BuildView, machine: string): boolean {
  return view.machines.some((m) => m.name === machine) || view.boards.some((b) => b.board === machine);
}

export interface MatchedBreak {
  break: ExpectedBreak;
  manifest: BreakManifest;
}

/**
 * The expected breaks covering a migration of `machine` from build `from`
 * to build `to`. Empty when the machine is not offered by both builds.
 */
export function expectedBreaks(from: VersionString, to: VersionString, machine: string): MatchedBreak[] {
  if (!offers(getBuild(from), machine) || !offers(getBuild(to), machine)) return [];
  const out: MatchedBreak[] = [];
  for (const br of EXPECTED_BREAKS) {
    if (!machineMatches(br.machines, machine)) continue;
    if (from === to && br.sameBuild !== true) continue;
    const ab = br.manifests['a-to-b'];
    const ba = br.manifests['b-to-a'];
    if (ab !== undefined && inSet(br.a, from) && inSet(br.b, to)) out.push({ break: br, manifest: ab });
    else if (ba !== undefined && inSet(br.b, from) && inSet(br.a, to)) out.push({ break: br, manifest: ba });
  }
  return out;
}

export type DeviceAvailability =
  | { status: 'available' }
  /** The build does not have the device at all (it arrived later, or was removed). */
  | { status: 'absent'; reason: string }
  /** The device exists but refuses this machine type (a compat property it depends on is off). */
  | { status: 'refused'; reason: string }
  /** The catalog does not declare the device: nothing known either way. */
  | { status: 'unknown' };

/**
 * Whether `-device <device>` can be used with `machine` on `version`, as far
 * as the catalog knows: e.g. vmgenid is absent before 2.9 and refused on
 * machine types whose fw_cfg lacks DMA (hw_compat_2_4).
 */
export function deviceAvailability(version: VersionString, machine: string, device: string): DeviceAvailability {
  const view = getBuild(version);
  const dev = view.devices[device];
  if (dev === undefined || !dev.declared) {
    const later = listBuilds().find((v) => getBuild(v).devices[device]?.declared === true);
    return later === undefined ? { status: 'unknown' } : { status: 'absent', reason: `QEMU ${version} has no ${device} (it arrives in ${later})` };
  }
  const req = dev.requires;
  if (req !== undefined && resolveProperty(machine, version, req.driver, req.property, '\0default') === req.value) {
    return { status: 'refused', reason: `${device} on ${machine}: ${req.note}` };
  }
  return { status: 'available' };
}
