/**
 * A reset point for an incoming machine: what an accepted load changes
 * (section states, RAM block lengths and pages, the PCI device models
 * post_load updated, the run state) captured once, so the machine can be put
 * back as it was instead of being instantiated again. The fuzzer loads
 * thousands of streams into the same machine this way.
 *
 * Only the parts a load commits are restored (load.ts): a machine with
 * vmgenid (its commit writes guest memory through the device) has no reset
 * point, and neither has one that already ran firmware or a workload.
 */
import { clonePciDevice, restorePciDevice } from '../devices/pci/index.js';
import type { VmCore } from './vm-core.js';

export type ResetIncoming = () => void;

export function incomingResetPoint(core: VmCore): ResetIncoming | undefined {
  if (core.vmgenid || core.runState !== 'prelaunch' || core.firmware.vmgenidAddr !== 0) return undefined;
  const sections = core.sections.map((s) => ({ s, state: s.state, pci: s.pci ? clonePciDevice(s.pci.dev) : undefined }));
  // Loads commit new page maps and dirty sets into the blocks (commitRamList); the old ones are never written.
  const blocks = core.ram.blocks.map((b) => ({ b, usedLength: b.usedLength, regionSize: b.regionSize, pages: b.pages, dirty: b.dirty }));
  return () => {
    for (const x of sections) {
      x.s.state = x.state;
      if (x.pci && x.s.pci) restorePciDevice(x.s.pci.dev, x.pci);
    }
    for (const x of blocks) {
      x.b.usedLength = x.usedLength;
      if (x.regionSize === undefined) delete x.b.regionSize;
      else x.b.regionSize = x.regionSize;
      x.b.pages = x.pages;
      x.b.dirty = x.dirty;
    }
    core.runState = 'prelaunch';
  };
}
