import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { corpusEntries } from '../corpus/qemu-corpus.js';
import { packageRoot } from '../corpus/package-root.js';
import { UsageError } from '../cli/usage-error.js';
import { ProfileTarget, type ProfileTargetOptions } from './profile-target.js';
import { QemuFuzzTarget } from './qemu-fuzz-target.js';
import { loadSeed, type FuzzSeed } from './seed.js';
import { SimFuzzTarget } from './sim-fuzz-target.js';
import { newestBuild, parseSimSeedName, simSeed } from './sim-seed.js';
import type { FuzzTarget } from './target.js';

/**
 * Target ids as the CLI and corpus records spell them:
 * - `profile:<capture>`: the codec loader into a real capture's profile (in-process);
 * - `qemu:<path>`: a real binary, with the capture's machine and devices;
 * - `sim:<version>`: a simulated build, once the emulator core can boot one.
 */
export function simulatedAvailable(): boolean {
  return existsSync(join(packageRoot(), 'src', 'vm.ts')) || existsSync(join(packageRoot(), 'dist', 'src', 'vm.js'));
}

/** The corpus capture a machine name (and devices) stands for: exact capture name first, then machine type with no devices. */
export function seedFor(machineOrCapture: string, devices: readonly string[] = []): FuzzSeed {
  const entries = corpusEntries();
  const exact = entries.find((e) => e.name === machineOrCapture);
  if (exact) return loadSeed(exact.name);
  const byMachine = entries.find((e) => e.machine === machineOrCapture && sameDevices(e.devices, devices));
  if (!byMachine) {
    const have = entries.map((e) => e.name).join(', ');
    throw new UsageError(`no real capture for machine '${machineOrCapture}'${devices.length ? ` with ${devices.join(' ')}` : ''} (captures: ${have})`);
  }
  return loadSeed(byMachine.name);
}

function sameDevices(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export interface TargetFromIdOptions extends ProfileTargetOptions {
  qemuTimeoutMs?: number;
}

export function targetFromId(id: string, seed: FuzzSeed, o: TargetFromIdOptions = {}): FuzzTarget {
  const colon = id.indexOf(':');
  const kind = colon < 0 ? id : id.slice(0, colon);
  const arg = colon < 0 ? '' : id.slice(colon + 1);
  switch (kind) {
    case 'profile': {
      const name = arg.split('~')[0] || seed.name;
      return new ProfileTarget(name === seed.name ? seed : loadSeed(name), o);
    }
    case 'qemu': {
      if (!arg) throw new UsageError('--target qemu:PATH needs a path');
      const entry = corpusEntries().find((e) => e.name === seed.name);
      const spec = seed.spec ?? { machine: seed.machine, devices: entry?.devices ?? [], ram: entry?.ram ?? '32M' };
      return new QemuFuzzTarget(arg, spec, o.qemuTimeoutMs);
    }
    case 'sim': {
      if (!simulatedAvailable()) throw new UsageError(`--target ${id}: simulated builds are not available (no src/vm.ts)`);
      const build = arg || newestBuild();
      const spec = seed.spec ?? { machine: seed.machine, devices: [], ram: '32M' };
      return new SimFuzzTarget(build, spec.machine, spec.devices, spec.ram, {
        ...(o.measureEvery !== undefined ? { measureEvery: o.measureEvery } : {}),
        ...(o.disabledChecks ? { disabledChecks: o.disabledChecks } : {}),
      });
    }
    default:
      throw new UsageError(`unknown fuzz target '${id}' (profile:<capture>, qemu:PATH, sim:VERSION)`);
  }
}

/** A seed by its recorded name: a corpus capture, or `sim:<build>/<machine>[+device...]`. */
export function seedByName(name: string): FuzzSeed {
  const sim = parseSimSeedName(name);
  if (sim) return simSeedChecked(sim.build, sim.machine, sim.devices);
  return loadSeed(name);
}

function simSeedChecked(build: string, machine: string, devices: readonly string[]): FuzzSeed {
  try {
    return simSeed(build, machine, devices);
  } catch (e) {
    throw new UsageError(`cannot boot ${machine}${devices.length ? ` with ${devices.join(' ')}` : ''} on simulated build ${build}: ${(e as Error).message}`);
  }
}

/**
 * The seed a target id fuzzes from: a simulated build fuzzes streams its own
 * machine saved; profile and qemu targets start from the real capture of
 * the machine (and devices).
 */
export function seedForTarget(targetId: string, machine: string, devices: readonly string[] = []): FuzzSeed {
  if (targetId === 'sim' || targetId.startsWith('sim:')) {
    if (!simulatedAvailable()) throw new UsageError(`--target ${targetId}: simulated builds are not available (no src/vm.ts)`);
    const build = targetId.slice(4) || newestBuild();
    return simSeedChecked(build, machine, devices);
  }
  if (targetId.startsWith('profile:') && targetId.length > 'profile:'.length) return seedFor(targetId.slice('profile:'.length).split('~')[0]!, devices);
  return seedFor(machine, devices);
}
