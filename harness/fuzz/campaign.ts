import fc from 'fast-check';
import type { VerdictKind, Verdict } from '../targets/index.js';
import { addInput, coverageLines, createCoverage, type CoverageLine } from './coverage.js';
import { expectedFrom, saveFailure, verdictMatches } from './corpus-store.js';
import { fuzzCaseArb, materialize, type CaseArbOptions, type FuzzCase, type Materialized } from './fuzz-case.js';
import { judge, type Violation } from './oracle.js';
import type { FuzzSeed } from './seed.js';
import type { FuzzLoad, FuzzTarget } from './target.js';

/**
 * A campaign: fast-check generates cases (valid plan + a mutation), the
 * target loads each, the oracle judges. The first failing case is shrunk by
 * fast-check, saved with its seed and path, and reported with the command
 * that replays it. Statistics (verdicts, refusal codes, check coverage,
 * per-mutator claims) count the campaign's runs, not the shrink runs.
 */
export interface CampaignOptions {
  target: FuzzTarget;
  seed: FuzzSeed;
  /** Number of runs (default 1000). */
  runs?: number;
  /** Stop generating after this many ms (fast-check interruptAfterTimeLimit). */
  timeMs?: number;
  /** fast-check seed (default: time-based, printed in the result). */
  rngSeed?: number;
  cases?: CaseArbOptions;
  /**
   * Judge verdicts against the mutators' claims too (a claim comes from
   * QEMU's code; see each mutator). Default true for in-process targets:
   * without it a loader that accepts a footer mismatch breaks no contract
   * property. Default false for real QEMU, which is the ground truth the
   * claims are checked against (use differential mode for that).
   */
  checkClaims?: boolean;
  /** Save the shrunk failure under this directory (omit: not saved). */
  outDir?: string;
  /** Target id replays use for a saved failure (default target.id). */
  replayTarget?: string;
  /** Second target for differential mode: each input also goes here, verdicts compared. */
  against?: FuzzTarget;
  /** Called every 256 runs. */
  onProgress?: (runs: number) => void;
}

export interface MutatorStats {
  runs: number;
  accepted: number;
  refused: number;
  /** Runs whose verdict matched the mutator's claim (runs with a claim only). */
  claimMet: number;
  claimMissed: number;
}

export interface CampaignFailure {
  violations: Violation[];
  verdict: Verdict;
  note: string;
  case: FuzzCase;
  /** fast-check counterexample path (with `seed`, reproduces the failure before shrinking). */
  path: string;
  /** Runs until the first failing input (before shrinking). */
  runsToDetection: number;
  saved?: { bin: string; json: string };
  replayCommand?: string;
}

export interface Disagreement {
  note: string;
  ours: Verdict;
  theirs: Verdict;
  case: FuzzCase;
}

export interface CampaignResult {
  target: string;
  seedName: string;
  machine: string;
  rngSeed: number;
  runs: number;
  interrupted: boolean;
  durationMs: number;
  execsPerSec: number;
  verdicts: Record<VerdictKind, number>;
  refusals: Record<string, number>;
  coverage: CoverageLine[];
  mutators: Record<string, MutatorStats>;
  failure?: CampaignFailure;
  differential?: {
    against: string;
    compared: number;
    agreed: number;
    rate: number;
    disagreements: Disagreement[];
    /** Inputs on which the other target broke the contract (a crash or hang of real QEMU is a finding in its own right). */
    againstFindings: { note: string; verdict: Verdict; case: FuzzCase }[];
  };
}

export const REPLAY_COMMAND = 'migcompat replay';

export function claimViolation(m: Materialized, v: Verdict): Violation | undefined {
  if (m.expect === undefined || (v.kind !== 'accepted' && v.kind !== 'refused')) return undefined;
  if (verdictMatches(expectedFrom(m.expect), v)) return undefined;
  // QEMU text the classifier does not know: any refusal satisfies a refusal claim.
  if (v.kind === 'refused' && v.code === 'qemu.load-failed' && m.expect !== 'accepted') return undefined;
  const got = v.kind === 'refused' ? `refused: ${v.code}: ${v.message}` : 'accepted';
  return { property: 'claim', message: `${m.note}: expected ${m.expect}, got ${got}` };
}

function emptyVerdicts(): Record<VerdictKind, number> {
  return { accepted: 0, refused: 0, hang: 0, crash: 0, 'harness-error': 0 };
}

/**
 * Verdict agreement. Two refusals agree on the same code, when QEMU's text
 * was not classified (qemu.load-failed), or when one side ran out of input
 * (wire.truncated): QEMU's reads past the end return zeros and set a sticky
 * -EIO, so a truncated stream fails either with "Input/output error" or with
 * whatever check the zeros trip ("Unknown combination of migration flags: 0x0").
 */
export function sameVerdict(a: Verdict, b: Verdict): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind !== 'refused' || b.kind !== 'refused') return true;
  const loose = (c: string) => c === 'qemu.load-failed' || c === 'wire.truncated';
  return a.code === b.code || loose(a.code) || loose(b.code);
}

class Stats {
  readonly verdicts = emptyVerdicts();
  readonly refusals: Record<string, number> = {};
  readonly coverage = createCoverage();
  readonly mutators: Record<string, MutatorStats> = {};
  runs = 0;
  compared = 0;
  agreed = 0;
  readonly disagreements: Disagreement[] = [];
  readonly againstFindings: { note: string; verdict: Verdict; case: FuzzCase }[] = [];

  add(m: Materialized, load: FuzzLoad): void {
    this.runs++;
    const v = load.verdict;
    this.verdicts[v.kind]++;
    if (v.kind === 'refused') this.refusals[v.code] = (this.refusals[v.code] ?? 0) + 1;
    addInput(this.coverage, load.checks, v.kind === 'refused' ? v.code : undefined);
    const key = m.mutator ?? 'valid';
    const s = (this.mutators[key] ??= { runs: 0, accepted: 0, refused: 0, claimMet: 0, claimMissed: 0 });
    s.runs++;
    if (v.kind === 'accepted') s.accepted++;
    if (v.kind === 'refused') s.refused++;
    if (m.expect !== undefined) {
      if (verdictMatches(expectedFrom(m.expect), v)) s.claimMet++;
      else s.claimMissed++;
    }
  }

  compare(m: Materialized, c: FuzzCase, ours: Verdict, theirs: Verdict): void {
    if (theirs.kind === 'harness-error') return;
    if ((theirs.kind === 'crash' || theirs.kind === 'hang') && this.againstFindings.length < 50) this.againstFindings.push({ note: m.note, verdict: theirs, case: c });
    this.compared++;
    if (sameVerdict(ours, theirs)) this.agreed++;
    else if (this.disagreements.length < 50) this.disagreements.push({ note: m.note, ours, theirs, case: c });
  }
}

/** Everything the oracle says about one load (contract + claim). */
export function violationsOf(m: Materialized, load: FuzzLoad, checkClaims: boolean, externalCodes: boolean): Violation[] {
  const out = judge(load, { externalCodes });
  const claim = checkClaims ? claimViolation(m, load.verdict) : undefined;
  if (claim) out.push(claim);
  return out;
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const rngSeed = o.rngSeed ?? (Date.now() ^ (process.pid << 8)) >>> 0;
  const arb = fuzzCaseArb(o.seed, o.cases);
  const checkClaims = o.checkClaims ?? o.target.inProcess;
  const external = !o.target.inProcess;
  const stats = new Stats();
  let failing = false;
  let firstFailRun = 0;
  const started = performance.now();

  const evaluate = (c: FuzzCase, load: FuzzLoad, m: Materialized): boolean => {
    const bad = violationsOf(m, load, checkClaims, external);
    if (!failing) {
      stats.add(m, load);
      if (bad.length) {
        failing = true;
        firstFailRun = stats.runs;
      } else if (stats.runs % 256 === 0) o.onProgress?.(stats.runs);
    }
    return bad.length === 0;
  };

  const params = {
    seed: rngSeed,
    numRuns: o.runs ?? 1000,
    ...(o.timeMs !== undefined ? { interruptAfterTimeLimit: o.timeMs } : {}),
  };
  let details: fc.RunDetails<[FuzzCase]>;
  const sync = o.target.loadSync?.bind(o.target);
  if ((!sync && o.target.concurrency > 1) || (o.against && o.against.concurrency > 1)) {
    details = await runPooled(o, arb, rngSeed, stats, checkClaims, external, started);
    if (details.failed) firstFailRun = stats.runs;
  } else if (sync && !o.against) {
    details = fc.check(
      fc.property(arb, (c) => {
        const m = materialize(o.seed, c);
        return evaluate(c, sync(m.bytes), m);
      }),
      params,
    );
  } else {
    details = await fc.check(
      fc.asyncProperty(arb, async (c) => {
        const m = materialize(o.seed, c);
        const [load, other] = await Promise.all([o.target.load(m.bytes), !failing && o.against ? o.against.load(m.bytes) : undefined]);
        if (other && !failing) stats.compare(m, c, load.verdict, other.verdict);
        return evaluate(c, load, m);
      }),
      params,
    );
  }
  const durationMs = performance.now() - started;
  const result: CampaignResult = {
    target: o.target.id,
    seedName: o.seed.name,
    machine: o.seed.machine,
    rngSeed,
    runs: stats.runs,
    interrupted: details.interrupted,
    durationMs,
    execsPerSec: stats.runs / (durationMs / 1000),
    verdicts: stats.verdicts,
    refusals: stats.refusals,
    coverage: coverageLines(stats.coverage),
    mutators: stats.mutators,
  };
  if (o.against) {
    result.differential = {
      against: o.against.id,
      compared: stats.compared,
      agreed: stats.agreed,
      rate: stats.compared ? stats.agreed / stats.compared : 1,
      disagreements: stats.disagreements,
      againstFindings: stats.againstFindings,
    };
  }
  if (details.failed && details.counterexample) {
    result.failure = await describeFailure(o, details.counterexample[0], details.counterexamplePath ?? '', firstFailRun, checkClaims, external, rngSeed);
  }
  return result;
}

/**
 * External targets with several workers: the cases fast-check would generate
 * (fc.sample with the same seed) run `concurrency` at a time; the first
 * failure is then shrunk by fc.check replaying that run's path, one load at
 * a time. If the replayed run does not fail again (a flaky target), the
 * unshrunk case is reported.
 */
async function runPooled(
  o: CampaignOptions,
  arb: fc.Arbitrary<FuzzCase>,
  rngSeed: number,
  stats: Stats,
  checkClaims: boolean,
  external: boolean,
  started: number,
): Promise<fc.RunDetails<[FuzzCase]>> {
  const n = o.runs ?? 100;
  const cases = fc.sample(arb, { seed: rngSeed, numRuns: n });
  const deadline = o.timeMs !== undefined ? started + o.timeMs : Infinity;
  let next = 0;
  let failIndex = -1;
  const worker = async () => {
    while (next < cases.length && failIndex < 0 && performance.now() < deadline) {
      const i = next++;
      const c = cases[i]!;
      const m = materialize(o.seed, c);
      const [load, other] = await Promise.all([o.target.load(m.bytes), o.against?.load(m.bytes)]);
      if (other) stats.compare(m, c, load.verdict, other.verdict);
      if (failIndex >= 0) break;
      stats.add(m, load);
      if (violationsOf(m, load, checkClaims, external).length) failIndex = i;
      else if (stats.runs % 16 === 0) o.onProgress?.(stats.runs);
    }
  };
  await Promise.all(Array.from({ length: Math.max(o.target.concurrency, o.against?.concurrency ?? 1) }, worker));
  const interrupted = next < cases.length && failIndex < 0;
  const base = { failed: false, interrupted, numRuns: stats.runs, numSkips: 0, numShrinks: 0, seed: rngSeed, counterexample: null, counterexamplePath: null, errorInstance: null, failures: [], executionSummary: [], verbose: 0, runConfiguration: {} } as unknown as fc.RunDetails<[FuzzCase]>;
  if (failIndex < 0) return base;
  const shrunk = await fc.check(
    fc.asyncProperty(arb, async (c) => {
      const m = materialize(o.seed, c);
      return violationsOf(m, await o.target.load(m.bytes), checkClaims, external).length === 0;
    }),
    { seed: rngSeed, path: String(failIndex), numRuns: n },
  );
  if (shrunk.failed && shrunk.counterexample) return shrunk;
  return { ...base, failed: true, counterexample: [cases[failIndex]!], counterexamplePath: String(failIndex) } as fc.RunDetails<[FuzzCase]>;
}

async function describeFailure(
  o: CampaignOptions,
  c: FuzzCase,
  path: string,
  runsToDetection: number,
  checkClaims: boolean,
  external: boolean,
  rngSeed: number,
): Promise<CampaignFailure> {
  const m = materialize(o.seed, c);
  const load = await o.target.load(m.bytes);
  const violations = violationsOf(m, load, checkClaims, external);
  const failure: CampaignFailure = { violations, verdict: load.verdict, note: m.note, case: c, path, runsToDetection };
  if (o.outDir) {
    const saved = saveFailure(
      o.outDir,
      {
        target: o.target.id,
        replayTarget: o.replayTarget ?? o.target.id,
        seedName: o.seed.name,
        seed: rngSeed,
        path,
        case: c,
        note: m.note,
        expected: expectedFrom(m.expect),
        found: { verdict: load.verdict, violations },
      },
      m.bytes,
    );
    failure.saved = { bin: saved.bin, json: saved.json };
    failure.replayCommand = `${REPLAY_COMMAND} ${saved.json}`;
  }
  return failure;
}
