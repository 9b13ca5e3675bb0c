import { destinationOf, incoming, incomingResetPoint, type ResetIncoming, type Vm } from '../../src/vm.js';
import type { Destination } from '../../src/migration/index.js';
import type { RamBlock } from '../../src/memory/index.js';
import { allocationBound } from './profile-target.js';
import { CodeSet, MeasureClock, runLoad, stepBudgetFor, type InProcessOptions } from './in-process-load.js';
import { diffSnapshots, snapshotDestination, type DestSnapshot } from './snapshot.js';
import type { FuzzLoad, FuzzTarget } from './target.js';

/**
 * A simulated build as a fuzz target: every input goes into an incoming
 * machine of the build (src/vm.ts: its device models, PCI config checks,
 * fw_cfg, vmgenid), with a CheckLog, snapshots of its RAM and section
 * states before and after, and its destination for invariants.
 *
 * The machine is built once and reused while loads are refused: a refused
 * load must leave the destination exactly as it was (the oracle's
 * changed-on-refusal property compares the snapshots), so the next input
 * meets the same fresh machine. After an accepted load the machine is put
 * back to its reset point (src/vm/incoming-reset.ts); after a refusal that
 * changed anything, or a machine without a reset point, the next input gets
 * a newly built machine.
 */
export type SimFuzzOptions = InProcessOptions;

const CANARY = new Uint8Array(4096).fill(0xc3);

interface Fresh {
  vm: Vm;
  dest: Destination;
  before: DestSnapshot;
  reset: ResetIncoming | undefined;
}

export class SimFuzzTarget implements FuzzTarget {
  readonly id: string;
  readonly inProcess = true;
  readonly concurrency = 1;
  private readonly clock: MeasureClock;
  private fresh: Fresh | undefined;

  constructor(
    readonly build: string,
    readonly machine: string,
    readonly devices: readonly string[] = [],
    readonly ram = '32M',
    private readonly opts: SimFuzzOptions = {},
  ) {
    this.id = `sim:${build}`;
    this.clock = new MeasureClock(opts.measureEvery ?? 0);
  }

  load(bytes: Uint8Array): Promise<FuzzLoad> {
    return Promise.resolve(this.loadSync(bytes));
  }

  private machineForLoad(): Fresh {
    if (this.fresh) return this.fresh;
    const vm = incoming(this.build, this.machine, { devices: this.devices, ram: this.ram });
    const first = vm.ram.blocks[0];
    if (first && first.usedLength > 0) first.pages.set(0, CANARY.slice());
    const dest = destinationOf(vm);
    return (this.fresh = { vm, dest, before: snapshotDestination(dest), reset: incomingResetPoint(vm) });
  }

  loadSync(bytes: Uint8Array): FuzzLoad {
    const { vm, dest, before, reset } = this.machineForLoad();
    const log = new CodeSet();
    const measure = this.clock.tick();
    const lopts = { stepBudget: (this.opts.stepBudget ?? stepBudgetFor)(bytes), ...(this.opts.disabledChecks ? { disabledChecks: this.opts.disabledChecks } : {}) };
    const run = runLoad(() => vm.load(bytes, log, lopts), this.opts.hangMs, measure);
    const out: FuzzLoad = { verdict: run.verdict, durationMs: run.durationMs, before, checks: log.set };
    if (run.allocated !== undefined) {
      out.allocated = run.allocated;
      out.allocationBound = allocationBound(bytes, dest);
    }
    if (run.thrown !== undefined) out.thrown = run.thrown;
    if (run.verdict.kind === 'accepted') {
      // The oracle reads the accepted destination after this returns: hand it a copy of what
      // the load committed, then reset the machine for the next input.
      out.destination = reset ? committedCopy(dest) : destinationOf(vm);
      if (reset) reset();
      else this.fresh = undefined;
    } else {
      out.after = snapshotDestination(dest, before);
      if (run.thrown !== undefined || diffSnapshots(before, out.after).length) this.fresh = undefined;
    }
    return out;
  }
}

/**
 * The parts of an accepted destination the oracle's invariants read,
 * detached from the machine: the RAM blocks as committed (the reset puts
 * back each block's length and page map). The section list is the
 * destination's (built once per machine): the reset replaces section states,
 * never which sections there are, and the invariants read only that.
 */
function committedCopy(d: Destination): Destination {
  return { ...d, ram: { blocks: d.ram.blocks.map(committedBlock) } };
}

function committedBlock(b: RamBlock): RamBlock {
  return { ...b };
}
