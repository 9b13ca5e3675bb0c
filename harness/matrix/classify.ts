/**
 * Classification of one cell: pass, expected break (a catalog entry
 * documents exactly this failure, with its reason), regression (anything
 * else), or harness error (the harness could not run the case).
 */
import { createTwoFilesPatch } from 'diff';
import { expectedBreaks, type BreakManifest, type MatchedBreak } from '../../src/builds/index.js';
import type { BuildRef, CellOutcome, CellResult, ExpectedBreakRef, Leg, PlannedCell } from './types.js';

/** Diffs longer than this are cut: a report stays readable and result.json small. */
export const MAX_DIFF_CHARS = 20_000;

export function stateDiff(source: string, destination: string): string {
  const patch = createTwoFilesPatch('source', 'destination', ensureNewline(source), ensureNewline(destination), '', '', { context: 2 });
  return patch.length > MAX_DIFF_CHARS ? `${patch.slice(0, MAX_DIFF_CHARS)}\n... (diff cut at ${MAX_DIFF_CHARS} characters)\n` : patch;
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

export function describeManifest(m: BreakManifest): string {
  switch (m.kind) {
    case 'refused':
      return `refused ${m.code}${m.message ? `: ${m.message}` : ''}`;
    case 'blocked':
      return `blocked: ${m.message}`;
    case 'state-difference':
      return `state difference: ${m.what}`;
  }
}

/** Catalog breaks for one leg, through the builds' catalog versions (a real binary without one has none). */
export function breaksForLeg(leg: Leg, machine: string, builds: ReadonlyMap<string, BuildRef>): MatchedBreak[] {
  const from = builds.get(leg.from)?.catalogVersion;
  const to = builds.get(leg.to)?.catalogVersion;
  if (from === undefined || to === undefined) return [];
  try {
    return expectedBreaks(from, to, machine);
  } catch {
    return [];
  }
}

/** The legs a cell's outcome may come from: the reported one, or every leg of the route. */
function candidateLegs(cell: PlannedCell, outcome: CellOutcome): Leg[] {
  if (outcome.leg !== undefined) return [outcome.leg];
  const there = { from: cell.from, to: cell.to };
  return cell.direction === 'round-trip' ? [there, { from: cell.to, to: cell.from }] : [there];
}

/** A break that needs a device shows only when the cell has one of the listed drivers. */
function configurationHasWhatBreakNeeds(m: MatchedBreak, devices: readonly string[]): boolean {
  const needs = m.break.requires?.devices;
  if (needs === undefined || needs.length === 0) return true;
  // The driver is the -device word up to its first comma (QEMU's syntax).
  const drivers = new Set(devices.map((d) => d.split(',')[0] ?? d));
  return needs.some((n) => drivers.has(n));
}

type Observed = { kind: 'refused'; code: string; message: string; blocked: boolean } | { kind: 'state-difference' };

function manifestMatches(m: BreakManifest, seen: Observed): boolean {
  if (seen.kind === 'state-difference') return m.kind === 'state-difference';
  if (m.kind === 'refused') return !seen.blocked && m.code === seen.code;
  if (m.kind === 'blocked') return seen.blocked || seen.message.includes(m.message);
  return false;
}

function findExpected(cell: PlannedCell, outcome: CellOutcome, builds: ReadonlyMap<string, BuildRef>, seen: Observed): ExpectedBreakRef | undefined {
  for (const leg of candidateLegs(cell, outcome)) {
    for (const mb of breaksForLeg(leg, cell.machine, builds)) {
      if (!configurationHasWhatBreakNeeds(mb, cell.devices)) continue;
      if (manifestMatches(mb.manifest, seen)) return { id: mb.break.id, reason: mb.break.reason, manifest: describeManifest(mb.manifest) };
    }
  }
  return undefined;
}

export function classifyCell(cell: PlannedCell, outcome: CellOutcome, builds: ReadonlyMap<string, BuildRef>): CellResult {
  const base = {
    ...cell,
    verdict: outcome.verdict,
    streamBytes: outcome.streamBytes,
    timings: { saveMs: outcome.saveMs, loadMs: outcome.loadMs, totalMs: outcome.saveMs + outcome.loadMs },
    ...(outcome.leg !== undefined ? { leg: outcome.leg } : {}),
  };
  const v = outcome.verdict;
  if (v.kind === 'harness-error') return { ...base, class: 'harness-error', note: v.message };
  if (v.kind === 'hang' || v.kind === 'crash') return { ...base, class: 'regression', note: `${v.kind}: ${v.message}` };
  if (v.kind === 'refused') {
    const expected = findExpected(cell, outcome, builds, { kind: 'refused', code: v.code, message: v.message, blocked: outcome.blocked === true });
    if (expected !== undefined) return { ...base, class: 'expected-break', expected, note: `expected break ${expected.id}` };
    return { ...base, class: 'regression', note: `${outcome.blocked ? 'blocked' : 'refused'} (${v.code}) and no catalog entry documents it` };
  }
  const differs = outcome.stateEqual !== true && outcome.sourceState !== undefined && outcome.destState !== undefined && outcome.sourceState !== outcome.destState;
  if (!differs) {
    const compared = outcome.stateEqual === true || (outcome.sourceState !== undefined && outcome.destState !== undefined);
    return { ...base, class: 'pass', note: compared ? 'accepted, guest-visible state equal' : 'accepted (the target gives no guest-visible state to compare)' };
  }
  const diff = stateDiff(outcome.sourceState ?? '', outcome.destState ?? '');
  const expected = findExpected(cell, outcome, builds, { kind: 'state-difference' });
  if (expected !== undefined) return { ...base, class: 'expected-break', expected, diff, note: `expected break ${expected.id}` };
  return { ...base, class: 'regression', diff, note: 'accepted but guest-visible state differs' };
}
