/**
 * The plan: every cell a matrix runs. For each machine type, every pair of
 * builds that both offer it gives a forward cell (older to newer), a
 * backward cell and a round trip; every build gives a same-build control;
 * each extra device set repeats all of that with the devices added.
 */
import { parseMachineName } from '../../src/machines/index.js';
import { matchesAnyGlob } from './glob.js';
import { canRunDevices, compareBuildVersions } from './builds.js';
import type { BuildRef, Direction, PlannedCell } from './types.js';

export interface PlanOptions {
  builds: readonly BuildRef[];
  /** Machine globs (`pc-q35-*`); empty: every machine type. */
  machines?: readonly string[];
  /** Which cross-build directions; `both` also plans round trips. Default both. */
  direction?: 'forward' | 'backward' | 'both';
  roundTrip?: boolean;
  control?: boolean;
  /** Extra device sets; the device-less set is always planned. */
  deviceSets?: ReadonlyArray<readonly string[]>;
  ram?: string;
  /** `-smp` words for every cell (`1,maxcpus=12`); default one CPU. Part of the cell id when given. */
  smp?: string;
  seed?: number;
  /**
   * Whether a build can run a machine type with a device set (default:
   * canRunDevices, the catalog's device availability for simulated builds).
   * A build that cannot is left out of that set's cells, not failed.
   */
  canRun?: (build: BuildRef, machine: string, devices: readonly string[]) => boolean;
}

export interface Plan {
  cells: PlannedCell[];
  builds: BuildRef[];
  options: { machines: string[]; direction: string; roundTrip: boolean; control: boolean; deviceSets: string[][]; ram: string; seed: number; smp?: string };
}

export function familyOf(machine: string): string {
  return parseMachineName(machine)?.family ?? machine;
}

/** FNV-1a over the text: a seed that depends on nothing but the run seed and the text (a source guest's id). */
export function cellSeed(runSeed: number, id: string): number {
  let h = (0x811c9dc5 ^ runSeed) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The source guest of a cell: its machine type, source build and devices.
 * Every cell leaving the same guest shares its workload seed, so a worker
 * may boot and save that guest once and load the one stream into each
 * destination (see pool.ts): the cells are then exactly what booting it
 * again for each would give.
 */
export function sourceGuestId(machine: string, from: string, devices: readonly string[]): string {
  return `${machine}:${from}${devices.length ? `+${devices.join('+')}` : ''}`;
}

/** Cells with the same key leave the same source guest (same build, machine, devices, RAM, -smp and seed). */
export function sourceGuestKey(cell: PlannedCell): string {
  return JSON.stringify([cell.from, cell.machine, cell.devices, cell.ram, cell.smp ?? '', cell.seed]);
}

export function cellId(machine: string, direction: Direction, from: string, to: string, devices: readonly string[]): string {
  const route = direction === 'round-trip' ? `${from}>${to}>${from}` : `${from}>${to}`;
  return `${machine}:${route}${devices.length ? `+${devices.join('+')}` : ''}`;
}

/** Machine types in a stable order: every machine any selected build offers, filtered by the globs. */
function machineList(builds: readonly BuildRef[], globs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const b of builds) for (const m of b.machines) if (matchesAnyGlob(m, globs)) names.add(m);
  return [...names].sort();
}

export function planMatrix(opts: PlanOptions): Plan {
  const builds = [...opts.builds].sort(compareBuildVersions);
  const globs = [...(opts.machines ?? [])];
  const direction = opts.direction ?? 'both';
  const roundTrip = opts.roundTrip ?? direction === 'both';
  const control = opts.control ?? true;
  const deviceSets: string[][] = [[], ...(opts.deviceSets ?? []).filter((s) => s.length > 0).map((s) => [...s])];
  const ram = opts.ram ?? '32M';
  const seed = opts.seed ?? 1;
  const canRun = opts.canRun ?? canRunDevices;
  const cells: PlannedCell[] = [];
  const add = (machine: string, dir: Direction, from: string, to: string, devices: string[]): void => {
    const id = `${cellId(machine, dir, from, to, devices)}${opts.smp ? ` smp=${opts.smp}` : ''}`;
    cells.push({ id, index: cells.length, machine, family: familyOf(machine), from, to, direction: dir, devices, ram, ...(opts.smp ? { smp: opts.smp } : {}), seed: cellSeed(seed, sourceGuestId(machine, from, devices)) });
  };
  for (const devices of deviceSets) {
    for (const machine of machineList(builds, globs)) {
      const offering = builds.filter((b) => b.machines.includes(machine) && (devices.length === 0 || canRun(b, machine, devices)));
      for (let i = 0; i < offering.length; i++) {
        const a = offering[i]!;
        if (control) add(machine, 'control', a.name, a.name, devices);
        for (let j = i + 1; j < offering.length; j++) {
          const b = offering[j]!;
          if (direction !== 'backward') add(machine, 'forward', a.name, b.name, devices);
          if (direction !== 'forward') add(machine, 'backward', b.name, a.name, devices);
          if (roundTrip) add(machine, 'round-trip', a.name, b.name, devices);
        }
      }
    }
  }
  return { cells, builds, options: { machines: globs, direction, roundTrip, control, deviceSets, ram, seed, ...(opts.smp ? { smp: opts.smp } : {}) } };
}

/** `--devices` value to one device set: `e1000,vmgenid,guid=X` is [e1000, vmgenid,guid=X] (a `key=` part belongs to the word before it). */
export function parseDeviceSet(text: string): string[] {
  const words: string[] = [];
  for (const part of text.split(/[,+]/).map((p) => p.trim()).filter((p) => p !== '')) {
    if (part.includes('=') && words.length > 0) words[words.length - 1] += `,${part}`;
    else words.push(part);
  }
  return words;
}
