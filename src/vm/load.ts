/**
 * Loading a stream into a machine: the machine becomes the Destination
 * (its sections with descriptions and state, its RAM list, its machine
 * type's stream layout) and src/migration's loadStream runs every check of
 * QEMU's loader; the device checks run inside it (PCI config data via the
 * PCI core's description, *_EQUAL fields, subsections the build does not
 * know). Transactional: loadStream stages RAM and builds new section states,
 * and only an accepted stream is committed; then the side effects QEMU runs
 * in post_load happen here, once: PCI device models take the loaded config,
 * vmgenid writes this machine's GUID at the loaded address.
 */
import { findRamBlock } from '../memory/index.js';
import { loadStream, parseStream, type LoadStreamOptions, RAM_SECTION_IDSTR, RAM_SECTION_VERSION, type Destination, type DestinationSection } from '../migration/index.js';
import { guestMemoryOverBlock } from '../devices/fw-cfg/index.js';
import { vmgenidCommit } from '../devices/vmgenid/index.js';
import { LoadError, type CheckCode, type CheckLog } from '../wire/index.js';
import { commitPci, pciPartOffset } from './pci-model.js';
import type { VmCore } from './vm-core.js';

export interface LoadVmResult {
  accepted: boolean;
  error?: LoadError;
  warnings: string[];
  pagesLoaded?: number;
  sectionsLoaded?: number;
}

export function destinationOf(core: VmCore): Destination {
  const ramSection: DestinationSection = { idstr: RAM_SECTION_IDSTR, instanceId: 0, versionId: RAM_SECTION_VERSION, minimumVersionId: RAM_SECTION_VERSION, ram: true };
  return {
    machine: core.machine,
    sendConfiguration: core.plan.stream.configurationSection,
    sendSectionFooter: core.plan.stream.sectionFooters,
    expectVmdesc: core.plan.stream.vmdesc,
    sections: [ramSection, ...core.sections],
    ram: core.ram,
  };
}

/** loadStream's options for the fuzzer: weakened variants (disabled checks) and the work budget. */
export type VmLoadOptions = Pick<LoadStreamOptions, 'disabledChecks' | 'stepBudget'>;

export function loadVm(core: VmCore, bytes: Uint8Array, log?: CheckLog, opts: VmLoadOptions = {}): LoadVmResult {
  // The sections are the destination's own objects: loadStream replaces their
  // state only on commit, and a refused load leaves them (and RAM) untouched.
  const verdict = loadStream(bytes, destinationOf(core), { ...opts, ...(log ? { log } : {}) });
  if (!verdict.accepted) return { accepted: false, error: rebasePciOffset(core, bytes, verdict.error), warnings: verdict.warnings };
  for (const s of core.sections) if (s.pci) commitPci(s.state, s.pci);
  // After an incoming migration the machine runs (or is paused with -S): either way an
  // optional globalstate is no longer sent (global_state_needed).
  core.runState = 'running';
  if (core.vmgenid) {
    const s = core.sections.find((x) => x.vmsd.name === 'vmgenid');
    const main = findRamBlock(core.ram, core.plan.mainRam);
    if (s && main && vmgenidCommit(core.vmgenid, s.state, guestMemoryOverBlock(main))) core.firmware.vmgenidAddr = core.vmgenid.address();
  }
  return { accepted: true, warnings: verdict.warnings, pagesLoaded: verdict.pagesLoaded, sectionsLoaded: verdict.sectionsLoaded };
}

/**
 * A PCI core refusal carries an offset relative to its field (its post_load
 * cannot see the stream). When the PCIDevice struct starts its section, the
 * stream offset is the section body's plus the part's: found by parsing
 * the stream's framing again, only on this (rare) path. Best effort: the
 * error is returned unchanged when the framing cannot be read.
 */
function rebasePciOffset(core: VmCore, bytes: Uint8Array, e: LoadError): LoadError {
  if (e.code.startsWith('device.parameter-') && e.offset === 0) return rebaseVnicOffset(core, bytes, e);
  if (e.code.startsWith('virtio.') || (e.code.startsWith('pci.') && isVirtioFieldPath(core, e.path))) return rebaseVirtioOffset(core, bytes, e);
  if (!e.code.startsWith('pci.')) return e;
  const s = core.sections.find((x) => x.pci && e.path.startsWith(`${x.idstr}/`));
  const part = e.path.slice(e.path.lastIndexOf('/') + 1);
  const at = s?.pci ? pciPartOffset(s.pci.dev, part) : undefined;
  if (!s?.pci?.first || at === undefined) return e;
  const body = sectionBodyOffset(core, bytes, s);
  return body === undefined ? e : new LoadError(e.code, e.message, body + at + e.offset, e.path);
}

/**
 * The simulated vnic (seed 002) refuses from its parameter table's post_load,
 * which has no stream offset: the table is the first field of the section,
 * so the refusal points at the section body. Best effort, as above.
 */
function rebaseVnicOffset(core: VmCore, bytes: Uint8Array, e: LoadError): LoadError {
  const s = core.sections.find((x) => x.vmsd.name === 'vnic');
  const body = s && sectionBodyOffset(core, bytes, s);
  if (!s || body === undefined) return e;
  return new LoadError(e.code, e.message, body, e.path.startsWith(`${s.idstr}/`) ? e.path : `${s.idstr}/${e.path}`);
}

/** Where the full section of `s` starts its body in `bytes`; undefined when the stream does not parse that far. */
function sectionBodyOffset(core: VmCore, bytes: Uint8Array, s: VmCore['sections'][number]): number | undefined {
  try {
    const descriptions = new Map(core.sections.map((x) => [x.idstr, x.vmsd]));
    const item = parseStream(bytes, { descriptions, decodeDevices: false }).items.find(
      (i) => i.kind === 'section' && i.idstr === s.idstr && i.instanceId === s.instanceId && i.type === 'full',
    );
    return item && item.kind === 'section' ? item.bodyOffset : undefined;
  } catch {
    return undefined;
  }
}

/** A path inside the "virtio" field of a virtio-pci section (virtio-model.ts). */
function isVirtioFieldPath(core: VmCore, path: string): boolean {
  return core.sections.some((x) => x.vmsd.fields[0]?.kind === 'opaque' && x.vmsd.fields[0].info === 'virtio' && path.startsWith(`${x.idstr}/virtio/`));
}

/**
 * virtio-pci refusals (src/devices/virtio) carry offsets within the
 * "virtio" field, the section's only field: the stream offset adds the
 * section body's. Best effort, as above.
 */
function rebaseVirtioOffset(core: VmCore, bytes: Uint8Array, e: LoadError): LoadError {
  const s = core.sections.find((x) => e.path.startsWith(`${x.idstr}/virtio`));
  const body = s && sectionBodyOffset(core, bytes, s);
  return body === undefined ? e : new LoadError(e.code, e.message, body + e.offset, e.path);
}
