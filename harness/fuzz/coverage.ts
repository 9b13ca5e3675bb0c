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
  if (reached) for (const c of reached) cov.set(c, (cov.get(c) ?? 0) + 1);
  // The fired check once, whether or not its path logged it.
  if (firedCode && cov.has(firedCode as CheckCode) && !reached?.has(firedCode as CheckCode)) cov.set(firedCode as CheckCode, cov.get(firedCode as CheckCode)! + 1);
}

/**
 * Why a check cannot be reached by stream content against a codec-level
 * destination (a real capture's profile) today. Anything not listed and
 * never reached is a gap of the campaign, not of the destination.
 */
export function unreachableReason(code: CheckCode): string | undefined {
  if (code === 'pci.legacy-version-unsupported' || code === 'pci.cap-present-unsupported') {
    return 'historic pci_device_load (v3 format with cap_present): no simulated build or capture writes it';
  }
  if (code.startsWith('pci.cap-')) return 'capability-list checks run when a device model adds its capabilities (realize), not on load; stream content reaches get_pci_config_device (pci.bad-config-data)';
  if (code.startsWith('pci.')) return 'needs a simulated destination (device models); a capture profile decodes PCI sections by layout only';
  if (code.startsWith('linker.')) return 'the linker/loader runs in guest firmware at boot; an incoming destination never executes it (the tables arrive as RAM pages)';
  if (code === 'fwcfg.acpi-mr-too-large') return 'needs a simulated destination whose machine sends fw_cfg/acpi_mr (pc/q35 >= 4.0)';
  if (code.startsWith('fwcfg.') || code.startsWith('vmgenid.')) return 'a configuration-time check (device properties, fw_cfg files), not stream content';
  const reasons: Partial<Record<CheckCode, string>> = {
    'wire.limit': 'no loader path applies a hard length limit today',
    'stream.trailing-data': 'QEMU 7.2 never reads past the vmdesc; the loader drains it (warning only)',
    'stream.vmdesc-invalid': 'the vmdesc is only drained by the loader (an invalid one decodes nothing)',
    'vmstate.description-invalid': 'raised when importing descriptions, not by stream content',
    'vmstate.opaque-section': 'every destination section has a description (local, or the capture vmdesc)',
    'vmstate.array-too-large': 'the only modelled VARRAY (PCIBUS irq_count) is counted by an *_EQUAL field that fails first, as in QEMU',
    'vmstate.buffer-too-large': 'no capture section has a modelled VBUFFER (vmdesc knows sizes, not size fields)',
    'vmstate.validate-failed': 'no capture section has a modelled VMSTATE_VALIDATE',
    'vmstate.post-load-failed': 'no capture section has a modelled post_load',
    'vmstate.subsection-version': 'vmdesc-derived subsections accept only their own version; reachable only by a version byte flip',
    'stream.config-invalid': 'reached by every load with configuration; fires only on target-page-bits/capabilities subsections the generator does not mutate yet',
    'ram.block-not-migratable': 'no captured board has a RAM block that is not registered for migration (every info ramblock block is sent)',
    'ram.zero-page-nonzero': 'QEMU 7.2 accepts any fill byte: nothing refuses with this code',
    'vmstate.bool-invalid': "QEMU's get_bool stores any byte into a C bool (migration/vmstate-types.c): nothing refuses with this code",
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
