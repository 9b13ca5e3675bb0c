import { CHECKS, type CheckCode } from '../../src/wire/index.js';

/**
 * Check coverage of a campaign: for every registered check, how many inputs
 * reached it (evaluated it, whether or not it fired). A check that fired is
 * counted as reached even where the code path does not log it (the wire
 * reader's truncation check has no CheckLog).
 */
export type Coverage = Map<CheckCode, number>;

export function createCoverage(): Coverage {
  return new Map((Object.keys(CHECKS) as CheckCode[]).map((c) => [c, 0]));
}

export function addInput(cov: Coverage, reached: ReadonlySet<CheckCode> | undefined, firedCode?: string): void {
  const seen = new Set(reached ?? []);
  if (firedCode && cov.has(firedCode as CheckCode)) seen.add(firedCode as CheckCode);
  for (const c of seen) cov.set(c, (cov.get(c) ?? 0) + 1);
}

/**
 * Why a check cannot be reached by stream content against a codec-level
 * destination (a real capture's profile) today. Anything not listed and
 * never reached is a gap of the campaign, not of the destination.
 */
export function unreachableReason(code: CheckCode): string | undefined {
  if (code.startsWith('pci.')) return 'PCI device models are not wired into the profile destination (issue 3: device models behind sections)';
  if (code.startsWith('linker.')) return 'the BIOS linker/loader runs in firmware on the guest side, not in the stream loader (needs vm.ts boot)';
  if (code.startsWith('fwcfg.') || code.startsWith('vmgenid.')) return 'fw_cfg/vmgenid are configuration-time checks, not stream content';
  const reasons: Partial<Record<CheckCode, string>> = {
    'wire.limit': 'no loader path applies a hard length limit today',
    'stream.trailing-data': 'QEMU 7.2 never reads past the vmdesc; the loader drains it (warning only)',
    'stream.vmdesc-invalid': 'the vmdesc is only drained by the loader (an invalid one decodes nothing)',
    'vmstate.description-invalid': 'raised when importing descriptions, not by stream content',
    'vmstate.opaque-section': 'every section of the profile destination has a description',
    'vmstate.array-too-large': 'the only modelled VARRAY (PCIBUS irq_count) is counted by an *_EQUAL field that fails first, as in QEMU',
    'vmstate.buffer-too-large': 'no capture section has a modelled VBUFFER (vmdesc knows sizes, not size fields)',
    'vmstate.validate-failed': 'no capture section has a modelled VMSTATE_VALIDATE',
    'vmstate.post-load-failed': 'no capture section has a modelled post_load',
    'vmstate.subsection-version': 'vmdesc-derived subsections accept only their own version; reachable only by a version byte flip',
    'stream.config-invalid': 'reached by every load with configuration; fires only on target-page-bits/capabilities subsections the generator does not mutate yet',
    'stream.unsupported-command': 'the generator never emits QEMU_VM_COMMAND',
    'ram.block-not-migratable': 'no captured board has a RAM block that is not registered for migration (every info ramblock block is sent)',
    'ram.zero-page-nonzero': 'QEMU 7.2 accepts any fill byte: nothing refuses with this code',
    'ram.total-mismatch': "only the parser's strict mode refuses with it; the loader follows QEMU and reads on",
  };
  return reasons[code];
}

export interface CoverageLine {
  code: CheckCode;
  inputs: number;
  why?: string;
}

export function coverageLines(cov: Coverage): CoverageLine[] {
  return [...cov].map(([code, inputs]) => {
    const why = inputs === 0 ? unreachableReason(code) : undefined;
    return why ? { code, inputs, why } : { code, inputs };
  });
}
