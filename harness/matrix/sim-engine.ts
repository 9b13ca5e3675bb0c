/**
 * Adapter to the simulated VM (src/vm.ts: boot/save/load/snapshot). The VM
 * module is loaded by name at run time so the matrix builds and runs its
 * own tests (with fake engines) while the VM is developed in parallel.
 *
 * TODO(lead): when src/vm.ts lands, replace the dynamic lookup below with
 * static imports of boot / load / snapshot and the SimTarget class.
 */
import type { Target } from '../targets/target.js';
import type { MigrationEngine } from './types.js';

export interface SimulatedApi {
  engine: MigrationEngine;
  targetFor(build: string): Target;
}

/** Undefined until the simulated VM exists. */
export async function loadSimulatedApi(): Promise<SimulatedApi | undefined> {
  const vmUrl = new URL('../../src/vm.js', import.meta.url).href;
  try {
    const vm = (await import(vmUrl)) as Record<string, unknown>;
    if (typeof vm.boot !== 'function') return undefined;
    return undefined;
  } catch {
    return undefined;
  }
}
