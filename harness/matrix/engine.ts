/**
 * Engines by description. A worker thread cannot receive an engine object,
 * so every engine is named by a structured-clonable spec and built where it
 * runs: `sim` (the simulated builds), `targets` (simulated and real builds
 * through the Target interface) or `module` (any ES module exporting
 * `createEngine(options)`: how tests and users plug in their own).
 */
import type { MigrationEngine } from './types.js';

export type EngineSpec =
  | { kind: 'sim' }
  /** Real binaries (by build name) join the simulated builds. */
  | { kind: 'targets'; qemu: Record<string, string> }
  | { kind: 'module'; url: string; options?: unknown };

export interface EngineModule {
  createEngine(options?: unknown): MigrationEngine | Promise<MigrationEngine>;
}

export async function createEngine(spec: EngineSpec): Promise<MigrationEngine> {
  switch (spec.kind) {
    case 'sim':
    case 'targets': {
      const { targetEngine } = await import('./target-engine.js');
      return targetEngine(spec.kind === 'targets' ? spec.qemu : {});
    }
    case 'module': {
      const mod = (await import(spec.url)) as Partial<EngineModule>;
      if (typeof mod.createEngine !== 'function') throw new Error(`engine module ${spec.url} does not export createEngine(options)`);
      return mod.createEngine(spec.options);
    }
  }
}

/** Whether every cell of this engine may run in worker threads (real QEMU runs in the main thread). */
export function engineRunsInWorkers(spec: EngineSpec): boolean {
  return spec.kind !== 'targets' || Object.keys(spec.qemu).length === 0;
}
