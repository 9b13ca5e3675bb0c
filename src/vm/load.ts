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
import { loadStream, type LoadStreamOptions, RAM_SECTION_IDSTR, RAM_SECTION_VERSION, type Destination, type DestinationSection } from '../migration/index.js';
import { guestMemoryOverBlock } from '../devices/fw-cfg/index.js';
import { vmgenidCommit } from '../devices/vmgenid/index.js';
import type { CheckLog, LoadError } from '../wire/index.js';
import { commitPci } from './pci-model.js';
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
  // Device refusals (PCI core, virtio, a parameter table) come located: the walker reports their stream offsets.
  if (!verdict.accepted) return { accepted: false, error: verdict.error, warnings: verdict.warnings };
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
