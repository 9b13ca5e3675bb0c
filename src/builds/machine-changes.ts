/**
 * The machine-type part of a build's changes, derived from the machine
 * ranges in src/machines (which carry their own sources): what a release
 * offers that its base did not, and what it dropped. Written out this way
 * each build still reads as "base plus changes", while the ranges stay the
 * single place a machine type's life is recorded.
 */
import { machinesOffered, type MachineTypeInfo, type Source, type VersionString } from '../machines/index.js';
import type { Change } from './change.js';

function groupBySource(machines: readonly MachineTypeInfo[]): Map<Source, string[]> {
  const groups = new Map<Source, string[]>();
  for (const m of machines) {
    const list = groups.get(m.source) ?? [];
    list.push(m.name);
    groups.set(m.source, list);
  }
  return groups;
}

export function machineChanges(version: VersionString, base: VersionString | undefined): Change[] {
  const now = machinesOffered(version);
  const before = base === undefined ? [] : machinesOffered(base);
  const beforeNames = new Set(before.map((m) => m.name));
  const nowNames = new Set(now.map((m) => m.name));
  const added = now.filter((m) => !beforeNames.has(m.name));
  const removed = before.filter((m) => !nowNames.has(m.name));
  const out: Change[] = [];
  for (const [source, machines] of groupBySource(added)) {
    out.push({
      kind: 'machines-added',
      machines,
      reason: base === undefined ? `machine types QEMU ${version} offers` : `new machine types of QEMU ${version}`,
      source,
    });
  }
  for (const [source, machines] of groupBySource(removed)) {
    out.push({ kind: 'machines-removed', machines, reason: `machine types QEMU ${version} no longer offers`, source });
  }
  return out;
}
