import type { Verdict } from '../../harness/targets/target.js';
import { destinationFromProfile, loadStream, parseStream, profileFromCapture } from '../../src/migration/index.js';
import type { ManifestEntry } from '../../harness/targets/capture-corpus.js';
import { instantiate } from '../../src/vm/instantiate.js';
import { loadVm } from '../../src/vm/load.js';

/**
 * Our loader as a destination that mirrors a real QEMU build and machine:
 * the profile comes from a stream that build wrote, its `info ramblock` and
 * its -dump-vmstate, exactly what the corpus holds.
 */

export function ourVerdict(source: Uint8Array, entry: Pick<ManifestEntry, 'machine' | 'ramBlocks'>, dump: unknown, bytes: Uint8Array): Verdict {
  const profile = profileFromCapture({ capture: parseStream(source), ramBlocks: entry.ramBlocks, dumpVmstate: dump, machine: entry.machine });
  const v = loadStream(bytes, destinationFromProfile(profile));
  return v.accepted ? { kind: 'accepted' } : { kind: 'refused', code: v.error.code, message: v.error.message };
}

/**
 * QEMU's root-cause line: the first error line that is not the generic
 * trailer or savevm's context line; undefined when QEMU printed no cause of
 * its own (an unknown subsection is only an -ENOENT).
 */
export function rootCause(message: string): string | undefined {
  return message.split('\n').find((l) => !l.startsWith('load of migration failed:') && !l.startsWith('error while loading state'));
}

/**
 * Mutations where our loader is known to say something else than QEMU, with
 * why. The suites run these as `it.fails`, so a fix shows up as a failure
 * asking for the entry to be removed.
 */
export const KNOWN_DIVERGENCES: Record<string, string> = {
  'pci-config-readonly-byte':
    'a destination profiled from a capture has no PCI device model (config, cmask, wmask, w1cmask), so nothing ' +
    'checks the config bytes; the PCI core of issue 3 should refuse with QEMU\'s "get_pci_config_device: Bad config data: ..."',
  'pci-device-version-too-new':
    'the vmdesc says "int32 le" for PCIDevice.version_id but a profiled destination has no local value to compare; ' +
    'the PCI core should refuse with "Invalid value 3 expecting positive value <= 2"',
};

/**
 * The agreement we require. Same verdict kind always. For a refusal, the same
 * check code and our message equal to QEMU's root-cause line, except for
 * truncations: QEMU's reads past the end return zeros and set a sticky -EIO,
 * so it says either only "Input/output error" or something about the zeros
 * it read (e.g. "Size mismatch: pc.ram: 0x0 != ..."); for those our loader
 * must say what QEMU says or `wire.truncated`.
 */
export function agreement(name: string, qemu: Verdict, ours: Verdict): { ok: boolean; why: string } {
  const show = `qemu=${JSON.stringify(qemu)} ours=${JSON.stringify(ours)}`;
  if (qemu.kind !== ours.kind) return { ok: false, why: `verdict kind differs: ${show}` };
  if (qemu.kind !== 'refused' || ours.kind !== 'refused') return { ok: true, why: '' };
  const cause = rootCause(qemu.message);
  const same = qemu.code === ours.code && (cause === undefined || cause === ours.message);
  if (name.startsWith('truncate-') && !same && ours.code !== 'wire.truncated') {
    return { ok: false, why: `truncation neither reported as QEMU does nor as wire.truncated: ${show}` };
  }
  if (name.startsWith('truncate-')) return { ok: true, why: '' };
  if (qemu.code !== ours.code) return { ok: false, why: `check code differs: ${show}` };
  if (cause !== undefined && cause !== ours.message) return { ok: false, why: `message differs: ${show}` };
  return { ok: true, why: '' };
}

/**
 * The simulated 7.2 machine as the destination (device models with their
 * own descriptions and checks: PCI config, *_EQUAL, subsections), not a
 * profile of a capture.
 */
export function simulatedVerdict(spec: { machine: string; devices?: readonly string[]; ram?: string }, bytes: Uint8Array): Verdict {
  const core = instantiate('7.2', spec.machine, { devices: spec.devices ?? [], ram: spec.ram ?? '32M' });
  const v = loadVm(core, bytes);
  if (v.accepted) return { kind: 'accepted' };
  return v.error ? { kind: 'refused', code: v.error.code, message: v.error.message } : { kind: 'refused', code: 'unknown', message: '' };
}
