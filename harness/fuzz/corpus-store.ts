import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from '../targets/index.js';
import type { FuzzCase } from './fuzz-case.js';
import type { Expectation } from './mutators/index.js';
import type { Violation } from './oracle.js';

/**
 * Shrunk failures on disk, as issue 5 lays them out:
 * `corpus/<target>/<check-or-crash>/<id>.bin` (the exact bytes) and
 * `<id>.json` (how to get them again and what a correct destination does
 * with them). A target directory is the target id with `@` for its colon
 * (`sim@10.0`, `profile@pc-q35-7.2-no-ram.length-too-large`,
 * `qemu@usr-bin-qemu-system-x86_64`); the real-QEMU capture directories
 * beside them (`corpus/qemu-7.2`) never contain `@`, so the two cannot
 * clash and a listing tells them apart by name. The replay suite loads
 * every entry under the target directories and checks the verdict it
 * expects.
 */
export interface CorpusRecord {
  /** Format version of this JSON. */
  format: 1;
  id: string;
  /** Target the failure was found on: `profile:pc-q35-7.2~no:ram.length-too-large`, `qemu:/usr/bin/...`. */
  target: string;
  /** Target replays run on (the full loader for a weakened variant's finding). */
  replayTarget: string;
  /** Corpus capture the case was built from. */
  seedName: string;
  /** fast-check seed and counterexample path: `fc.check(prop, { seed, path })` reproduces it. */
  seed: number;
  path: string;
  case: FuzzCase;
  note: string;
  /** What a correct destination does with these bytes. */
  expected: ExpectedVerdict;
  /** What the failing target did, and which properties it broke. */
  found: { verdict: Verdict; violations: Violation[] };
  /** Verdicts of real binaries on the same bytes, when someone checked (e.g. QEMU 7.2.22). */
  confirmedBy?: { target: string; version?: string; verdict: Verdict }[];
}

/** 'accepted', 'refused' (any registered code), or 'refused:<code>'; 'contract' when only the contract is known. */
export type ExpectedVerdict = 'accepted' | 'refused' | `refused:${string}` | 'contract';

export function expectedFrom(e: Expectation): ExpectedVerdict {
  if (e === undefined) return 'contract';
  if (e === 'accepted' || e === 'refused') return e;
  return `refused:${e}`;
}

/** Whether a verdict is what the record expects. */
export function verdictMatches(expected: ExpectedVerdict, v: Verdict): boolean {
  if (expected === 'contract') return v.kind === 'accepted' || v.kind === 'refused';
  if (expected === 'accepted') return v.kind === 'accepted';
  if (expected === 'refused') return v.kind === 'refused';
  return v.kind === 'refused' && `refused:${v.code}` === expected;
}

export function dirName(s: string): string {
  return s.replace(/[^A-Za-z0-9._+-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/** What marks a target directory under corpus/ (capture directories never contain it). */
export const TARGET_DIR_MARK = '@';

/** The directory of a target id: `<kind>@<rest>` with the rest made file-name safe. */
export function targetDirName(target: string): string {
  const colon = target.indexOf(':');
  const kind = dirName(colon < 0 ? target : target.slice(0, colon));
  return `${kind}${TARGET_DIR_MARK}${colon < 0 ? '' : dirName(target.slice(colon + 1))}`;
}

/**
 * Directory for a failure: crash/hang/exception by class; otherwise the
 * check involved (the one a correct destination refuses with, else the one
 * the target refused with), else the broken property.
 */
export function failureClass(violations: Violation[], v: Verdict, expected: ExpectedVerdict = 'contract'): string {
  const first = violations[0];
  if (!first) return 'unknown';
  if (first.property === 'crash' || first.property === 'hang' || first.property === 'exception') return first.property;
  if (expected.startsWith('refused:')) return expected.slice('refused:'.length);
  if (expected === 'refused') return 'refused-any';
  if (v.kind === 'refused') return v.code;
  return first.property;
}

export function saveFailure(outDir: string, rec: Omit<CorpusRecord, 'id' | 'format'>, bytes: Uint8Array): { bin: string; json: string; record: CorpusRecord } {
  const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const dir = join(outDir, targetDirName(rec.target), dirName(failureClass(rec.found.violations, rec.found.verdict, rec.expected)));
  mkdirSync(dir, { recursive: true });
  const record: CorpusRecord = { format: 1, id, ...rec };
  const bin = join(dir, `${id}.bin`);
  const json = join(dir, `${id}.json`);
  writeFileSync(bin, bytes);
  writeFileSync(json, JSON.stringify(record, null, 2) + '\n');
  return { bin, json, record };
}

export function readRecord(file: string): { record: CorpusRecord; bytes: Uint8Array; json: string; bin: string } {
  const json = file.endsWith('.bin') ? file.slice(0, -4) + '.json' : file;
  const bin = json.slice(0, -5) + '.bin';
  const record = JSON.parse(readFileSync(json, 'utf8')) as CorpusRecord;
  if (record.format !== 1) throw new Error(`${json}: unknown corpus record format ${String(record.format)}`);
  return { record, bytes: new Uint8Array(readFileSync(bin)), json, bin };
}

/** Every fuzz record under a corpus root: the target directories only (not the captures beside them). */
export function listCorpusRecords(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .sort()
    .filter((n) => n.includes(TARGET_DIR_MARK) && statSync(join(root, n)).isDirectory())
    .flatMap((n) => listRecords(join(root, n)));
}

/** Every corpus record JSON under a directory (recursively). */
export function listRecords(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names.sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...listRecords(p));
    else if (n.endsWith('.json')) out.push(p);
  }
  return out;
}
