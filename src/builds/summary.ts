/**
 * A short, JSON-friendly description of a build for `migcompat builds`:
 * what it offers and what it changed, without the full device catalog.
 */
import type { VersionString } from '../machines/index.js';
import type { ChangeKind, RamFeature, StreamFeature } from './change.js';
import { EXPECTED_BREAKS, type BuildSet } from './expected-breaks.js';
import { getBuild, getDelta, listBuilds } from './query.js';

export interface BuildSummary {
  version: VersionString;
  base?: VersionString;
  released?: string;
  defaultMachine?: string;
  aliases: Record<string, string>;
  machines: string[];
  deprecatedMachines: string[];
  /** Devices the catalog declares (device-added), sorted. */
  devices: string[];
  ram: Record<RamFeature, boolean>;
  stream: Record<StreamFeature, boolean>;
  /** This build's own changes, machine lists left out. */
  changes: { kind: ChangeKind; reason: string }[];
  /** Ids of expected breaks whose build sets name this build explicitly. */
  expectedBreaks: string[];
}

export function buildSummary(version: VersionString): BuildSummary {
  const view = getBuild(version);
  const delta = getDelta(version);
  const stream = Object.fromEntries(Object.entries(view.stream).map(([k, v]) => [k, v.enabled])) as Record<StreamFeature, boolean>;
  return {
    version,
    ...(view.base === undefined ? {} : { base: view.base }),
    ...(view.released === undefined ? {} : { released: view.released }),
    ...(view.defaultMachine === undefined ? {} : { defaultMachine: view.defaultMachine }),
    aliases: { ...view.aliases },
    machines: view.machines.map((m) => m.name),
    deprecatedMachines: view.machines.filter((m) => m.deprecated).map((m) => m.name),
    devices: Object.values(view.devices).filter((d) => d.declared).map((d) => d.device).sort(),
    ram: { ...view.ram },
    stream,
    changes: delta.changes
      .filter((c) => c.kind !== 'machines-added' && c.kind !== 'machines-removed')
      .map((c) => ({ kind: c.kind, reason: c.reason })),
    expectedBreaks: EXPECTED_BREAKS.filter((b) => namesBuild(b.a, version) || namesBuild(b.b, version)).map((b) => b.id),
  };
}

function namesBuild(set: BuildSet, version: VersionString): boolean {
  if ('only' in set) return set.only.includes(version);
  if ('except' in set) return false;
  return set.from === version || set.upTo === version;
}

/** Every build, oldest first. */
export function catalogSummary(): BuildSummary[] {
  return listBuilds().map(buildSummary);
}
