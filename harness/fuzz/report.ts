import { describeVerdict } from '../targets/index.js';
import type { CampaignResult } from './campaign.js';
import type { MutationScore } from './mutation-score.js';

/** Human text of a campaign: verdicts, coverage (reached / never reached and why), claims, the failure. */
export function formatCampaign(r: CampaignResult): string[] {
  const out: string[] = [];
  out.push(`fuzz ${r.target} (${r.machine}, seed ${r.rngSeed}): ${r.runs} runs in ${(r.durationMs / 1000).toFixed(1)} s, ${Math.round(r.execsPerSec)} exec/s${r.interrupted ? ' (time limit)' : ''}`);
  out.push(`  verdicts: ${Object.entries(r.verdicts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const reached = r.coverage.filter((c) => c.inputs > 0);
  out.push(`  checks reached: ${reached.length}/${r.coverage.length}`);
  for (const c of reached) out.push(`    ${c.code.padEnd(34)} ${String(c.inputs).padStart(7)} inputs${r.refusals[c.code] ? `, refused ${r.refusals[c.code]}` : ''}`);
  out.push('  never reached:');
  for (const c of r.coverage.filter((x) => x.inputs === 0)) out.push(`    ${c.code.padEnd(34)} ${c.why ?? 'not reached by this campaign'}`);
  const missed = Object.entries(r.mutators).filter(([, s]) => s.claimMissed > 0);
  if (missed.length) out.push(`  mutator claims missed: ${missed.map(([k, s]) => `${k} ${s.claimMissed}/${s.runs}`).join(', ')}`);
  if (r.differential) {
    const d = r.differential;
    out.push(`  differential vs ${d.against}: ${d.agreed}/${d.compared} agree (${(d.rate * 100).toFixed(1)}%)`);
    for (const x of d.disagreements.slice(0, 20)) out.push(`    ${x.note}\n      ours:   ${describeVerdict(x.ours)}\n      theirs: ${describeVerdict(x.theirs)}`);
    if (d.againstFindings.length) out.push(`  ${d.against} crashed or hung on ${d.againstFindings.length} inputs:`);
    for (const x of d.againstFindings.slice(0, 20)) out.push(`    ${x.note}: ${describeVerdict(x.verdict).split('\n')[0]}`);
  }
  if (r.failure) {
    const f = r.failure;
    out.push(`  FAILURE after ${f.runsToDetection} runs (shrunk): ${f.note}`);
    out.push(`    verdict: ${describeVerdict(f.verdict)}`);
    for (const v of f.violations) out.push(`    ${v.property}: ${v.message}`);
    if (f.replayCommand) out.push(`    replay: ${f.replayCommand}`);
  } else out.push('  no property violated');
  return out;
}

export function formatMutationScore(s: MutationScore): string[] {
  const out = [`mutation score: ${s.detected}/${s.total} weakened loaders detected (${(s.rate * 100).toFixed(0)}%)`];
  if (!s.supported) out.push('  NOTE: loadStream ignores `disabledChecks`: the variants are the full loader, so this score measures nothing yet');
  for (const m of s.mutants) {
    out.push(`  ${m.detected ? 'detected' : 'MISSED  '} no ${m.code.padEnd(30)} ${m.detected ? `after ${m.runsToDetection} runs` : `in ${m.runs} runs`}  (${m.like})`);
  }
  for (const n of s.notApplicable) out.push(`  n/a      no ${n.code.padEnd(30)} needs device models in the destination (${n.like})`);
  return out;
}
