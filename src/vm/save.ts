/**
 * Saving a machine: precopy as QEMU does it. The first RAM pass sends every
 * page of every migratable block; while it is "in flight" the guest keeps
 * running (a workload round), so each later pass sends the pages dirtied
 * since the previous one; then the machine stops and the device state is
 * written (SECTION_FULL per section, in registration order), with the
 * stream layout of the build and machine type (configuration, footers,
 * vmdesc). The source machine ends in the state the stream describes.
 */
import { buildStream, encodeStream, passFromDirtyLog, RAM_SECTION_IDSTR, RamFlag, type DeviceSource, type RamPass, type SourceSpec } from '../migration/index.js';
import { fullPassRecords } from './ram-pass.js';
import { runWorkload } from './workload.js';
import type { VmCore } from './vm-core.js';

export interface SaveVmOptions {
  /** RAM passes (default 3): 1 = a single full pass with no guest activity during it. */
  passes?: number;
}

/** Migration cannot start: a device is not migratable (QEMU's migrate_add_blocker text). */
export class MigrationBlockedError extends Error {
  override readonly name = 'MigrationBlockedError';
}

/** Section ids as QEMU hands them out: registration order, with the ram iterable at 2 (7.2 captures). */
const RAM_SECTION_ID = 2;
function deviceSectionId(index: number): number {
  return index === 0 ? 0 : index + 3;
}

export function saveVm(core: VmCore, opts: SaveVmOptions = {}): Uint8Array {
  if (core.plan.blocker) throw new MigrationBlockedError(core.plan.blocker);
  // The first pass is built in run-length form below (ram-pass.ts); an empty placeholder holds its place.
  const first = fullPassRecords(core.ram, {});
  const passes: RamPass[] = [new Map()];
  // A machine that never ran stays stopped: no guest activity between passes.
  const extra = core.runState === 'running' ? (opts.passes ?? 3) - 1 : 0;
  for (let i = 0; i < extra; i++) {
    runWorkload(core, 1);
    passes.push(passFromDirtyLog(core.ram));
  }
  // global_state_needed: optional (store-global-state off) and "running" or "paused": not sent.
  const skipGlobal = core.plan.stream.globalState === 'unless-running-or-paused' && core.runState === 'running';
  const devices: DeviceSource[] = [];
  core.sections.forEach((s, i) => {
    if (s.idstr === RAM_SECTION_IDSTR || (skipGlobal && s.vmsd.name === 'globalstate')) return;
    devices.push({ sectionId: deviceSectionId(i), idstr: s.idstr, instanceId: s.instanceId, vmsd: s.vmsd, state: s.state, versionId: s.versionId });
  });
  const spec: SourceSpec = {
    footers: core.plan.stream.sectionFooters,
    vmdesc: core.plan.stream.vmdesc,
    ram: { sectionId: RAM_SECTION_ID, list: core.ram, passes },
    devices,
  };
  if (core.plan.stream.configurationSection) spec.configuration = core.machine;
  const model = buildStream(spec);
  // items[0] is the RAM START section (MEM_SIZE); items[1] the first pass.
  const pass1 = model.items[1];
  if (pass1?.kind === 'section' && pass1.body.kind === 'ram') pass1.body.records = [...first, { type: 'eos', offset: 0, flags: RamFlag.EOS, addr: 0n }];
  return encodeStream(model);
}
