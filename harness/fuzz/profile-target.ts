import { loadStream, type Destination, type LoadStreamOptions, type LoadVerdict } from '../../src/migration/index.js';
import type { RamList } from '../../src/memory/index.js';
import type { CheckCode } from '../../src/wire/index.js';
import { CodeSet, MeasureClock, runLoad, stepBudgetFor, type InProcessOptions } from './in-process-load.js';
import { loadSeed, seedDestination, type FuzzSeed } from './seed.js';
import { diffSnapshots, snapshotDestination } from './snapshot.js';
import type { FuzzLoad, FuzzTarget } from './target.js';

/**
 * The in-process target: the codec loader (src/migration loadStream) into a
 * fresh destination built from a real capture's profile. Each load gets a
 * new destination holding canary pages (so "nothing changed on refusal" is
 * checked against content, not emptiness) and its own CheckLog.
 */

/**
 * The option the mutation score needs from the loader: a check whose code is
 * in this set is skipped (the load goes on as if it had passed), like QEMU
 * before the fix that added it. Passed through to loadStream; until
 * loadStream honours it, weakened variants behave like the full loader and
 * `disabledChecksSupported()` says so.
 */
export interface WeakenedLoadOptions extends LoadStreamOptions {
  disabledChecks?: ReadonlySet<CheckCode>;
}

export type Loader = (bytes: Uint8Array, dest: Destination, opts: WeakenedLoadOptions) => LoadVerdict;

export interface ProfileTargetOptions extends InProcessOptions {
  /** Replace the loader (tests use deliberately broken ones). */
  loader?: Loader;
  /** Id suffix for weakened variants. */
  variant?: string;
}

/** Fixed slack on top of the contract's bound: what a load's own bookkeeping may allocate. */
export const ALLOCATION_SLACK = 32 * 1024 * 1024;

/** Canary content: page 0 of the first block and of the first resizeable block hold this before each load. */
const CANARY = new Uint8Array(4096).fill(0xc3);

function plantCanaries(ram: RamList): void {
  const first = ram.blocks[0];
  const resizeable = ram.blocks.find((b) => b.resizeable);
  // A copy per load: a loader that scribbles on a committed page in place must not poison the next load.
  for (const b of [first, resizeable]) if (b && b.usedLength > 0) b.pages.set(0, CANARY.slice());
}

/** The contract's allocation bound: the stream, plus the sizes the destination declares (max lengths), plus slack. */
export function allocationBound(bytes: Uint8Array, dest: Destination): number {
  const declared = dest.ram.blocks.reduce((n, b) => n + b.maxLength, 0);
  return bytes.length * 2 + declared + ALLOCATION_SLACK;
}

export class ProfileTarget implements FuzzTarget {
  readonly id: string;
  readonly machine: string;
  readonly inProcess = true;
  readonly concurrency = 1;
  private readonly clock: MeasureClock;

  constructor(
    readonly seed: FuzzSeed,
    private readonly opts: ProfileTargetOptions = {},
  ) {
    this.id = `profile:${seed.name}${opts.variant ? `~${opts.variant}` : ''}`;
    this.machine = seed.machine;
    this.clock = new MeasureClock(opts.measureEvery ?? 0);
  }

  load(bytes: Uint8Array): Promise<FuzzLoad> {
    return Promise.resolve(this.loadSync(bytes));
  }

  loadSync(bytes: Uint8Array): FuzzLoad {
    const dest = seedDestination(this.seed);
    plantCanaries(dest.ram);
    const before = snapshotDestination(dest);
    const log = new CodeSet();
    const loader = this.opts.loader ?? (loadStream as Loader);
    const lopts: WeakenedLoadOptions = { log, stepBudget: (this.opts.stepBudget ?? stepBudgetFor)(bytes) };
    if (this.opts.disabledChecks) lopts.disabledChecks = this.opts.disabledChecks;
    const run = runLoad(() => loader(bytes, dest, lopts), this.opts.hangMs, this.clock.tick());
    const verdict = run.verdict;
    const durationMs = run.durationMs;
    const out: FuzzLoad = { verdict, durationMs, before, checks: log.set };
    if (run.allocated !== undefined) {
      out.allocated = run.allocated;
      out.allocationBound = allocationBound(bytes, dest);
    }
    if (run.thrown !== undefined) out.thrown = run.thrown;
    if (verdict.kind === 'accepted') out.destination = dest;
    else out.after = snapshotDestination(dest);
    return out;
  }
}

export function profileTarget(seedName: string, opts: ProfileTargetOptions = {}): ProfileTarget {
  return new ProfileTarget(loadSeed(seedName), opts);
}

/**
 * Whether loadStream honours `disabledChecks`: a stream that claims a
 * resizeable block one page beyond its max_length must be refused with
 * ram.length-too-large by the full loader and not with that code when the
 * check is disabled.
 */
export function disabledChecksSupported(seed: FuzzSeed, probe: Uint8Array): boolean {
  const full = new ProfileTarget(seed).loadSync(probe).verdict;
  const weak = new ProfileTarget(seed, { disabledChecks: new Set<CheckCode>(['ram.length-too-large']) }).loadSync(probe).verdict;
  return full.kind === 'refused' && full.code === 'ram.length-too-large' && !(weak.kind === 'refused' && weak.code === 'ram.length-too-large');
}

export { diffSnapshots };
