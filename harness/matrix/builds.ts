/**
 * The builds a matrix runs: the simulated catalog, filtered by the user's
 * `--builds` words, plus real binaries named by their query-version.
 */
import { deviceAvailability, getBuild, listBuilds } from '../../src/builds/index.js';
import { compareVersions } from '../../src/machines/index.js';
import { referenceMachine } from '../../src/vm/build-adapter.js';
import { parseBoardMachine } from '../../src/vm/board.js';
import { listMachines, queryVersion } from '../targets/qemu-info.js';
import type { BuildRef } from './types.js';

/**
 * Whether the simulator can instantiate a machine type: it needs a recorded
 * QEMU 7.2 layout (or, for types newer than 7.2, the newest of the family).
 * pc-q35 before 2.4, none and x-remote are not modelled: their cells would
 * only be harness errors. The seed 001 boards are (RAM blocks only).
 */
export function simulatorModels(machine: string): boolean {
  // Seed 001 boards boot through src/vm's board model (RAM only).
  if (parseBoardMachine(machine) !== undefined) return true;
  try {
    referenceMachine(machine);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every simulated catalog build, oldest first, with the machine types it
 * offers and the simulator models (`all: true`: every machine type and board
 * of the catalog, modelled or not).
 */
export function simulatedBuilds(opts: { all?: boolean } = {}): BuildRef[] {
  const modelled = new Map<string, boolean>();
  const keep = (m: string): boolean => {
    if (opts.all) return true;
    let ok = modelled.get(m);
    if (ok === undefined) modelled.set(m, (ok = simulatorModels(m)));
    return ok;
  };
  return listBuilds().map((v) => {
    const view = getBuild(v);
    // A board may be listed once per variant (boston twice): one machine name each.
    const machines = [...new Set([...view.machines.map((m) => m.name), ...view.boards.map((b) => b.board)])].filter(keep);
    return { name: v, kind: 'sim', version: v, catalogVersion: v, machines };
  });
}

/** Sort key that never throws on odd version text. */
export function compareBuildVersions(a: BuildRef, b: BuildRef): number {
  const c = safeCompare(a.version, b.version);
  if (c !== 0) return c;
  if (a.kind !== b.kind) return a.kind === 'sim' ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function safeCompare(a: string, b: string): number {
  try {
    return compareVersions(a, b);
  } catch {
    return a < b ? -1 : a > b ? 1 : 0;
  }
}

/**
 * `--builds` words: a list (`6.2,7.2,8.2`), ranges (`2.4..7.2`, `..3.0`,
 * `8.0..`) or both. Real builds are matched by name (`qemu-7.2.22`) or by
 * version. Unknown exact names are a usage error, reported by the caller.
 */
export function selectBuilds(all: readonly BuildRef[], spec: string | undefined): { builds: BuildRef[]; unknown: string[] } {
  if (spec === undefined || spec.trim() === '') return { builds: [...all], unknown: [] };
  const keep = new Set<BuildRef>();
  const unknown: string[] = [];
  for (const word of spec.split(',').map((w) => w.trim()).filter((w) => w !== '')) {
    const dots = word.indexOf('..');
    if (dots >= 0) {
      const lo = word.slice(0, dots);
      const hi = word.slice(dots + 2);
      for (const b of all) {
        if (lo !== '' && safeCompare(b.version, lo) < 0) continue;
        if (hi !== '' && safeCompare(b.version, hi) > 0) continue;
        keep.add(b);
      }
      continue;
    }
    const hit = all.filter((b) => b.name === word || b.version === word);
    if (hit.length === 0) unknown.push(word);
    hit.forEach((b) => keep.add(b));
  }
  return { builds: all.filter((b) => keep.has(b)), unknown };
}

/** A real binary as a build: named by query-version, offering what `-machine help` lists (aliases excluded). */
export async function qemuBuild(path: string, catalog: readonly string[] = listBuilds()): Promise<BuildRef> {
  const version = await queryVersion(path);
  const machines = (await listMachines(path)).filter((m) => m.aliasOf === undefined).map((m) => m.name);
  return qemuBuildFrom(path, version.text, machines, catalog);
}

/** Pure part of qemuBuild: 7.2.22 maps to catalog 7.2 (its expected breaks apply), 8.0.1 to 8.0.1 if listed. */
export function qemuBuildFrom(path: string, versionText: string, machines: string[], catalog: readonly string[]): BuildRef {
  const parts = versionText.split('.');
  const majorMinor = parts.slice(0, 2).join('.');
  const catalogVersion = catalog.includes(versionText) ? versionText : catalog.includes(majorMinor) ? majorMinor : undefined;
  const ref: BuildRef = { name: `qemu-${versionText}`, kind: 'qemu', version: versionText, path, machines };
  if (catalogVersion !== undefined) ref.catalogVersion = catalogVersion;
  return ref;
}

/**
 * A simulated build runs a device set when the catalog has every device for
 * that machine type (vmgenid is absent before 2.9, and refused where fw_cfg
 * has no DMA); devices the catalog does not declare are left to the run.
 * Real binaries are not second-guessed.
 */
export function canRunDevices(build: BuildRef, machine: string, devices: readonly string[]): boolean {
  if (build.kind !== 'sim' || build.catalogVersion === undefined) return true;
  for (const word of devices) {
    const driver = word.split(',')[0] ?? word;
    try {
      const a = deviceAvailability(build.catalogVersion, machine, driver);
      if (a.status === 'absent' || a.status === 'refused') return false;
    } catch {
      return false;
    }
  }
  return true;
}
