import { destinationOf, incoming, type Vm } from '../../src/vm.js';
import { LoadError, type CheckCode, type CheckLog } from '../../src/wire/index.js';
import type { Verdict } from '../targets/index.js';
import { allocationBound } from './profile-target.js';
import { snapshotDestination } from './snapshot.js';
import type { FuzzLoad, FuzzTarget } from './target.js';

/**
 * A simulated build as a fuzz target: every input goes into a fresh
 * incoming machine of the build (src/vm.ts: its device models, PCI config
 * checks, fw_cfg, vmgenid), with a CheckLog, snapshots of its RAM and
 * section states before and after, and its destination for invariants.
 */
export interface SimFuzzOptions {
  measureEvery?: number;
  hangMs?: number;
  /** Passed to the loader when it supports it (see WeakenedLoadOptions). */
  disabledChecks?: ReadonlySet<CheckCode>;
}

class CodeSet implements CheckLog {
  readonly set = new Set<CheckCode>();
  reached(code: CheckCode): void {
    this.set.add(code);
  }
}

const CANARY = new Uint8Array(4096).fill(0xc3);

export class SimFuzzTarget implements FuzzTarget {
  readonly id: string;
  readonly inProcess = true;
  readonly concurrency = 1;
  private count = 0;

  constructor(
    readonly build: string,
    readonly machine: string,
    readonly devices: readonly string[] = [],
    readonly ram = '32M',
    private readonly opts: SimFuzzOptions = {},
  ) {
    this.id = `sim:${build}`;
  }

  load(bytes: Uint8Array): Promise<FuzzLoad> {
    return Promise.resolve(this.loadSync(bytes));
  }

  private fresh(): Vm {
    const vm = incoming(this.build, this.machine, { devices: this.devices, ram: this.ram });
    const first = vm.ram.blocks[0];
    if (first && first.usedLength > 0) first.pages.set(0, CANARY.slice());
    return vm;
  }

  loadSync(bytes: Uint8Array): FuzzLoad {
    const vm = this.fresh();
    const dest = destinationOf(vm);
    const before = snapshotDestination(dest);
    const log = new CodeSet();
    const measure = (this.opts.measureEvery ?? 0) > 0 && this.count++ % this.opts.measureEvery! === 0;
    const mem0 = measure ? memNow() : 0;
    const t0 = performance.now();
    let verdict: Verdict;
    let thrown: unknown;
    try {
      const r = vm.load(bytes, log);
      verdict = r.accepted ? { kind: 'accepted' } : { kind: 'refused', code: r.error!.code, message: r.error!.message };
    } catch (e) {
      if (e instanceof LoadError) verdict = { kind: 'refused', code: e.code, message: e.message };
      else {
        thrown = e;
        verdict = { kind: 'crash', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      }
    }
    const durationMs = performance.now() - t0;
    if (durationMs > (this.opts.hangMs ?? 2000) && verdict.kind !== 'crash') verdict = { kind: 'hang', message: `in-process load took ${durationMs.toFixed(0)} ms` };
    const out: FuzzLoad = { verdict, durationMs, before, checks: log.set };
    if (measure) {
      out.allocated = Math.max(0, memNow() - mem0);
      out.allocationBound = allocationBound(bytes, dest);
    }
    if (thrown !== undefined) out.thrown = thrown;
    if (verdict.kind === 'accepted') out.destination = destinationOf(vm);
    else out.after = snapshotDestination(destinationOf(vm));
    return out;
  }
}

function memNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
