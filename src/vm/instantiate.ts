/**
 * Instantiate a machine from its plan: RAM blocks, sections with their
 * descriptions and default state, PCI device models, vmgenid. No firmware,
 * no workload: this is also what an incoming destination is.
 */
import { createRamBlock, createRamList, type RamList } from '../memory/index.js';
import type { VMStateDescription } from '../vmstate/index.js';
import { VmGenId } from '../devices/vmgenid/index.js';
import { BootError } from './boot-error.js';
import { planMachine, type MachinePlan, type SectionPlan } from './build-adapter.js';
import { parseDeviceWord, parseRamWords, type BootOptions } from './options.js';
import { parseSmp } from './smp-option.js';
import { bindPci, forkPciBinding, pciStateFromDevice, type PciBinding } from './pci-model.js';
import { bindVirtio } from './virtio-model.js';
import { rootPortModel } from './pcie-root-port-model.js';
import { registerKnownBars } from './pci-bars.js';
import { createPrng } from './prng.js';
import { withFwCfgChecks } from './fw-cfg-checks.js';
import type { VmCore, VmSection } from './vm-core.js';
import { VNIC_DRIVER, vnicSection } from './vnic-device.js';

/**
 * Plans are derived constant data (catalog + recorded layouts), and the
 * matrix boots the same configurations over and over: keep the last few.
 * Callers never mutate a plan (sections get their own state on edit).
 */
const PLAN_CACHE_SIZE = 64;
const plans = new Map<string, MachinePlan>();

export function planFor(build: string, machine: string, opts: BootOptions): MachinePlan {
  // Keyed by the options as given (parsed only on a miss): two machines are booted per migration.
  const key = `${build}\0${machine}\0${(opts.devices ?? []).join('\0')}\0${opts.devices?.length ?? 0}\0${String(opts.ram)}\0${opts.smp ?? ''}`;
  let plan = plans.get(key);
  if (!plan) {
    const ramBytes = parseRamWords(opts.ram);
    const { maxCpus } = parseSmp(opts.smp);
    plan = planMachine(build, machine, (opts.devices ?? []).map(parseDeviceWord), ramBytes, maxCpus);
    if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value!);
    plans.set(key, plan);
  }
  return plan;
}

export function instantiate(build: string, machine: string, opts: BootOptions): VmCore {
  // The simulated seed 002 vnic is not in the catalog's device records: planned beside them (vnic-device.ts).
  const words = (opts.devices ?? []).map((raw) => ({ raw, word: parseDeviceWord(raw) }));
  const vnics = words.filter((w) => w.word.driver === VNIC_DRIVER);
  if (vnics.length > 1) throw new BootError('device-refused', 'vnic: one per machine (its section is "vnic" instance 0)');
  const plan = planFor(build, machine, vnics.length === 0 ? opts : { ...opts, devices: words.filter((w) => w.word.driver !== VNIC_DRIVER).map((w) => w.raw) });
  const seed = opts.seed ?? 1;
  const ram = createRamList(plan.ramBlocks.map((b) => createRamBlock(b)));
  const sections = plan.sections.map((s, i) => sectionOf(plan, ram, s, i));
  for (const v of vnics) sections.push(vnicSection(plan.build, plan.machine, v.word));
  const core: VmCore = {
    build: plan.build,
    machine: plan.machine,
    seed,
    plan,
    ram,
    sections,
    firmware: { ran: false, allocations: {}, bars: {}, vmgenidAddr: 0, notes: [] },
    workloadRounds: 0,
    runState: 'prelaunch',
  };
  const gen = plan.devices.find((d) => d.word.driver === 'vmgenid');
  if (gen) core.vmgenid = realizeVmgenid(gen.word.props['guid'] ?? 'auto', seed);
  return core;
}

/**
 * A machine's section: one object shape for every kind (board, PCI,
 * virtio, fw_cfg), built without spreads; two machines are made per
 * migration and their sections are read by every save, load and compare.
 */
function sectionOf(plan: MachinePlan, ram: RamList, s: SectionPlan, index: number): VmSection {
  let vmsd = s.vmsd;
  let state = s.state;
  let pci: PciBinding | undefined;
  if (vmsd.name === 'fw_cfg') vmsd = fwCfgDescriptionOf(plan, ram, s);
  else {
    const bound = pciSectionOf(plan, s, index);
    if (bound) {
      vmsd = bound.vmsd;
      state = bound.state;
      pci = forkPciBinding(bound.pci);
    } else {
      vmsd = bindVirtio(s.idstr, s.vmsd, s.state, devfnOf(s.idstr, index), romSizeOf(plan.ramBlocks, s.idstr)) ?? vmsd;
    }
  }
  return {
    idstr: s.idstr,
    instanceId: s.instanceId,
    versionId: s.versionId,
    minimumVersionId: s.vmsd.minimum_version_id,
    vmsdName: s.vmsd.name,
    vmsd,
    state,
    device: s.device,
    pci,
    opaque: pci,
  };
}

/** fw_cfg with its load check, per section plan: the check reads only the plan's block limits (the same RAM blocks every boot). */
const fwCfgDescriptions = new WeakMap<SectionPlan, VMStateDescription>();

function fwCfgDescriptionOf(plan: MachinePlan, ram: RamList, s: SectionPlan): VMStateDescription {
  let vmsd = fwCfgDescriptions.get(s);
  if (!vmsd) fwCfgDescriptions.set(s, (vmsd = withFwCfgChecks(s.vmsd, plan.reference, ram)));
  return vmsd;
}

type BoundPci = NonNullable<ReturnType<typeof bindPci>>;

/**
 * A PCI section as every boot of its plan starts it: the bound description,
 * the default state and the device they were built from (with the BARs the
 * driver registers at realize). Each machine gets its own copy of the
 * device; the description reaches it through the section's opaque, so it
 * is shared, and the walkers compile it once instead of for the source and
 * the destination of every migration. null: not a PCI section.
 */
const pciSections = new WeakMap<SectionPlan, BoundPci | null>();

function pciSectionOf(plan: MachinePlan, s: SectionPlan, index: number): BoundPci | undefined {
  let bound = pciSections.get(s);
  if (bound === undefined) {
    bound = bindPci(s.idstr, s.vmsd, s.state, devfnOf(s.idstr, index), s.rootPort && rootPortModel(s.rootPort)) ?? null;
    const driver = s.device === undefined ? undefined : s.device.split(',')[0];
    if (bound && driver !== undefined && registerKnownBars(bound.pci.dev, driver, romSizeOf(plan.ramBlocks, s.idstr))) {
      bound.state = pciStateFromDevice(bound.state, bound.pci);
    }
    pciSections.set(s, bound);
  }
  return bound ?? undefined;
}

/** The size of the option ROM block of the function a section belongs to ("0000:00:02.0/" prefix), if any. */
function romSizeOf(blocks: readonly { idstr: string; maxLength: number }[], idstr: string): number | undefined {
  return blocks.find((b) => b.idstr.startsWith(idstr.slice(0, idstr.indexOf('/') + 1)) && b.idstr.endsWith('.rom'))?.maxLength;
}

/** devfn from a "0000:00:1f.2/..." idstr; other sections get a stable placeholder. */
function devfnOf(idstr: string, index: number): number {
  const m = /^[0-9a-f]{4}:[0-9a-f]{2}:([0-9a-f]{2})\.([0-7])\//.exec(idstr);
  return m ? (parseInt(m[1]!, 16) << 3) | parseInt(m[2]!, 10) : index;
}

/** guid=auto draws from the seed, so a boot is reproducible (QEMU uses a random UUID). */
function realizeVmgenid(guid: string, seed: number): VmGenId {
  const prng = createPrng(seed ^ 0x5eed0001);
  try {
    // DMA and uniqueness were checked by the plan (with the machine's compat); realize checks the GUID.
    return VmGenId.realize(guid, { fwCfgDmaEnabled: true, existing: 0, random: () => prng.bytes(16) });
  } catch (e) {
    throw new BootError('bad-option', `vmgenid: ${(e as Error).message}`);
  }
}
