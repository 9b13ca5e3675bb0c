import type { Verdict } from '../targets/index.js';
import { materialize } from './fuzz-case.js';
import { readRecord, verdictMatches, type CorpusRecord } from './corpus-store.js';
import { claimViolation } from './campaign.js';
import { judge, type Violation } from './oracle.js';
import { seedByName, targetFromId, type TargetFromIdOptions } from './targets.js';

/**
 * Replays a saved failure: the stored bytes (checked against the case they
 * came from, so a changed generator is noticed) into the record's replay
 * target, judged by the contract and against the expected verdict.
 */
export interface ReplayResult {
  file: string;
  record: CorpusRecord;
  target: string;
  verdict: Verdict;
  violations: Violation[];
  /** The verdict is the expected one and no property is broken. */
  ok: boolean;
  /** The generator still produces the stored bytes from the stored case. */
  bytesReproduced: boolean;
}

export async function replayFile(file: string, o: TargetFromIdOptions & { target?: string } = {}): Promise<ReplayResult> {
  const { record, bytes, json } = readRecord(file);
  const seed = seedByName(record.seedName);
  const targetId = o.target ?? record.replayTarget;
  const target = targetFromId(targetId, seed, o);
  const load = await target.load(bytes);
  const external = !target.inProcess;
  const violations = judge(load, { externalCodes: external });
  const m = materialize(seed, record.case);
  const bytesReproduced = m.bytes.length === bytes.length && m.bytes.every((b, i) => b === bytes[i]);
  if (!external && record.expected !== 'contract' && !verdictMatches(record.expected, load.verdict)) {
    const claim = claimViolation({ ...m, expect: record.expected === 'accepted' || record.expected === 'refused' ? record.expected : (record.expected.slice('refused:'.length) as never) }, load.verdict);
    if (claim) violations.push(claim);
  }
  return { file: json, record, target: target.id, verdict: load.verdict, violations, ok: violations.length === 0, bytesReproduced };
}
