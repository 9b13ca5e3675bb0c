import type { CheckCode } from '../../src/wire/index.js';
import { runCampaign, type CampaignResult } from './campaign.js';
import { materialize } from './fuzz-case.js';
import { mutatorByName } from './mutators/index.js';
import { disabledChecksSupported, ProfileTarget, type Loader } from './profile-target.js';
import type { FuzzSeed } from './seed.js';
import type { FuzzTarget } from './target.js';

/**
 * Mutation score: loader variants with one check disabled (like QEMU before
 * the fix that added it), each fuzzed with the default campaign; a variant
 * is detected when the campaign finds a property violation. Needs
 * `loadStream(bytes, dest, { disabledChecks })` (see WeakenedLoadOptions);
 * without it every variant is the full loader and the score says so.
 */
export interface WeakenedCheck {
  code: CheckCode;
  /** The QEMU history this variant stands for. */
  like: string;
}

export const WEAKENED_CHECKS: readonly WeakenedCheck[] = [
  { code: 'ram.length-too-large', like: 'no max_length check on a resizeable block (qemu_ram_resize before 2014, seed 000)' },
  { code: 'ram.size-mismatch', like: 'a fixed block accepted at another length' },
  { code: 'ram.offset-out-of-range', like: 'no used_length bound on page offsets (host_from_ram_block_offset)' },
  { code: 'ram.unknown-block', like: 'MEM_SIZE entries for blocks the destination lacks ignored' },
  { code: 'ram.bad-block-name', like: 'page records for unknown blocks not refused' },
  { code: 'ram.continue-without-block', like: 'CONTINUE before any block' },
  { code: 'ram.unknown-flags', like: 'unknown RAM flag combinations ignored' },
  { code: 'section.footer-mismatch', like: 'no footer check (before 2.4 section footers)' },
  { code: 'section.footer-missing', like: 'footer presence not checked' },
  { code: 'section.version-too-new', like: 'no version_id upper bound' },
  { code: 'section.version-too-old', like: 'no minimum_version_id check' },
  { code: 'stream.unknown-section', like: 'unknown sections skipped' },
  { code: 'stream.unknown-section-id', like: 'PART/END for unknown ids' },
  { code: 'stream.machine-mismatch', like: 'no machine type check (before the configuration section)' },
  { code: 'stream.bad-magic', like: 'no magic check' },
  { code: 'vmstate.equal-mismatch', like: 'no *_EQUAL check (PCIBUS nirq, array bound)' },
];

/** Checks a weakened variant cannot be judged on at codec level yet (need device models wired into destinations). */
export const NOT_YET_APPLICABLE: readonly WeakenedCheck[] = [
  { code: 'pci.cap-present-unsupported', like: 'no cap_supported check (historic pci v3 format; no simulated build writes it)' },
  { code: 'linker.pointer-out-of-bounds', like: 'no linker/loader pointer bound (runs in firmware, not in the stream load)' },
  { code: 'vmstate.array-too-large', like: 'no varray bound (PCIBUS irq_count is bounded by an *_EQUAL that fails first)' },
];

/** Checks only a simulated destination reaches (device models); scored when the seed is modelled. */
export const DEVICE_WEAKENED_CHECKS: readonly WeakenedCheck[] = [
  { code: 'pci.bad-config-data', like: 'no config-space check on load (get_pci_config_device)' },
  { code: 'fwcfg.acpi-mr-too-large', like: 'no max_length bound on fw_cfg/acpi_mr sizes (QEMU 7.2 aborts instead)' },
];

export interface MutantResult extends WeakenedCheck {
  detected: boolean;
  runs: number;
  runsToDetection?: number;
  violation?: string;
  note?: string;
}

export interface MutationScore {
  /** Whether loadStream honours disabledChecks (otherwise the variants are not weakened at all). */
  supported: boolean;
  mutants: MutantResult[];
  detected: number;
  total: number;
  rate: number;
  notApplicable: readonly WeakenedCheck[];
}

export interface MutationScoreOptions {
  seed: FuzzSeed;
  runs?: number;
  rngSeed?: number;
  checks?: readonly WeakenedCheck[];
  /** Build the weakened loader yourself (tests); default: loadStream with disabledChecks. */
  loaderFor?: (code: CheckCode) => Loader;
  /** The weakened target for a code (e.g. a simulated build with disabledChecks); default a ProfileTarget. */
  targetFor?: (code: CheckCode) => FuzzTarget;
}

/** A stream with a resizeable block one page beyond max_length: refused only while ram.length-too-large is checked. */
export function probeStream(seed: FuzzSeed): Uint8Array | undefined {
  const i = seed.blocks.findIndex((b) => b.resizeable);
  if (i < 0) return undefined;
  const c = { plan: { sections: [], passes: [[]], vmdesc: false }, mutation: { op: 'ram.used-above-max', a: 0, b: 2 } };
  const m = materialize(seed, c);
  return m.mutator === mutatorByName('ram.used-above-max')?.name ? m.bytes : undefined;
}

export async function mutationScore(o: MutationScoreOptions): Promise<MutationScore> {
  const probe = probeStream(o.seed);
  const supported = o.loaderFor !== undefined || (probe !== undefined && disabledChecksSupported(o.seed, probe));
  const mutants: MutantResult[] = [];
  for (const w of o.checks ?? (o.seed.modelled ? [...WEAKENED_CHECKS, ...DEVICE_WEAKENED_CHECKS] : WEAKENED_CHECKS)) {
    const target =
      o.targetFor?.(w.code) ??
      new ProfileTarget(o.seed, {
        disabledChecks: new Set([w.code]),
        variant: `no:${w.code}`,
        ...(o.loaderFor ? { loader: o.loaderFor(w.code) } : {}),
      });
    const r: CampaignResult = await runCampaign({ target, seed: o.seed, runs: o.runs ?? 20_000, ...(o.rngSeed !== undefined ? { rngSeed: o.rngSeed } : {}) });
    const f = r.failure;
    const res: MutantResult = { ...w, detected: f !== undefined, runs: r.runs };
    if (f) {
      res.runsToDetection = f.runsToDetection;
      res.violation = f.violations.map((v) => `${v.property}: ${v.message}`).join('; ');
      res.note = f.note;
    }
    mutants.push(res);
  }
  const detected = mutants.filter((m) => m.detected).length;
  return { supported, mutants, detected, total: mutants.length, rate: mutants.length ? detected / mutants.length : 0, notApplicable: NOT_YET_APPLICABLE };
}
