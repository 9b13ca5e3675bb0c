import { corpusEntries, corpusProfile, corpusStream } from '../corpus/qemu-corpus.js';
import { createPciBus, pciBusState, pciBusVmsd } from '../../src/devices/pci/index.js';
import { descriptionFromVmdesc, parseVmdesc, type StateObject, type VMStateDescription } from '../../src/vmstate/index.js';
import {
  destinationFromProfile,
  sectionKey,
  parseStream,
  RAM_SECTION_IDSTR,
  type Destination,
  type QemuProfile,
  type SectionItem,
  type StreamModel,
} from '../../src/migration/index.js';

/**
 * A fuzz seed: what one real QEMU 7.2 capture says about its machine, in the
 * form the arbitraries need. The capture's device sections are kept byte for
 * byte (they are what real QEMU wrote); its RAM passes are dropped, because
 * the arbitraries choose which pages to send. The destination is the
 * capture's profile (sections and versions, RAM blocks from info ramblock).
 */
export interface FuzzSeed {
  /** Corpus entry name, e.g. `pc-q35-7.2`. */
  name: string;
  machine: string;
  profile: QemuProfile;
  /** Configuration, footers and vmdesc layout of the capture; items: device sections only. */
  base: StreamModel;
  /** Section id the capture used for "ram". */
  ramSectionId: number;
  /** Migratable blocks, in the order a source sends them. */
  blocks: SeedBlock[];
  devices: SectionItem[];
  /**
   * Local descriptions by "idstr#instance", made once from the capture's
   * vmdesc with the profile's version_id / minimum_version_id, so the
   * destination decodes device sections field by field (and checks bools,
   * versions and lengths) without parsing a vmdesc on every load.
   */
  descriptions: Map<string, VMStateDescription>;
  /**
   * Local state by "idstr#instance": what the capture's source held, decoded
   * with the same descriptions. A destination of the same machine starts
   * from these values, so *_EQUAL fields (vmmouse queue_size, PCIBUS nirq...)
   * are checked against real ones. Deep-frozen: shared by every load, and a
   * loader that mutated local state in place would throw (a finding).
   */
  states: Map<string, StateObject>;
  /** Device sections are loaded by device models (simulated builds), not only by their vmdesc layout. */
  modelled?: boolean;
  /** The machine as QEMU words it (what a qemu: target starts); default: the corpus entry's. */
  spec?: { machine: string; devices: string[]; ram: string };
}

export interface SeedBlock {
  idstr: string;
  usedLength: number;
  maxLength: number;
  resizeable: boolean;
  /** Number of pages the used length covers. */
  pages: number;
}

const cache = new Map<string, FuzzSeed>();

export function seedNames(): string[] {
  return corpusEntries().map((e) => e.name);
}

/**
 * Captures the fuzzer can start from: the codec must delimit their device
 * sections, which needs a vmdesc or section footers. Old machine types
 * (pc-i440fx-1.4, 2.0) write neither.
 */
export function fuzzableSeedNames(): string[] {
  return seedNames().filter((n) => {
    try {
      loadSeed(n);
      return true;
    } catch {
      return false;
    }
  });
}

/** Loads (once per process) the seed made from a corpus capture. */
export function loadSeed(name: string): FuzzSeed {
  const hit = cache.get(name);
  if (hit) return hit;
  const entry = corpusEntries().find((e) => e.name === name);
  if (!entry) throw new RangeError(`no corpus capture named '${name}' (have: ${seedNames().join(', ')})`);
  let capture: StreamModel;
  try {
    capture = parseStream(corpusStream(entry));
  } catch (e) {
    throw new RangeError(`capture '${name}' cannot seed the fuzzer: ${(e as Error).message}`);
  }
  const profile = corpusProfile(entry);
  const ramItem = capture.items.find((i): i is SectionItem => i.kind === 'section' && i.idstr === RAM_SECTION_IDSTR);
  const devices = capture.items.filter((i): i is SectionItem => i.kind === 'section' && i.idstr !== RAM_SECTION_IDSTR);
  const base: StreamModel = { ...capture, items: devices };
  const blocks = profile.ramBlocks
    .filter((b) => b.migratable)
    .map((b) => ({ idstr: b.idstr, usedLength: b.usedLength, maxLength: b.maxLength, resizeable: b.resizeable, pages: Math.ceil(b.usedLength / 4096) }));
  const descriptions = localDescriptions(capture, profile);
  const states = localStates(devices, descriptions);
  const seed: FuzzSeed = { name, machine: entry.machine, profile, base, ramSectionId: ramItem?.sectionId ?? 0, blocks, devices, descriptions, states };
  cache.set(name, seed);
  return seed;
}

function localDescriptions(capture: StreamModel, profile: QemuProfile): Map<string, VMStateDescription> {
  const out = new Map<string, VMStateDescription>();
  if (!capture.vmdesc) return out;
  for (const dev of parseVmdesc(capture.vmdesc.raw).devices) {
    const key = sectionKey(dev.name, dev.instance_id);
    const ps = profile.sections.find((s) => sectionKey(s.idstr, s.instanceId) === key);
    if (!ps || dev.vmsd_name === undefined) continue; // old-style sections stay opaque
    const vmsd = descriptionFromVmdesc(dev);
    out.set(key, { ...vmsd, version_id: ps.versionId, minimum_version_id: ps.minimumVersionId });
  }
  attachPciBus(out, profile);
  return out;
}

/**
 * PCIBUS has a real model (nirq *_EQUAL, irq_count VARRAY bounded by nirq):
 * it replaces the vmdesc-derived description, which knows sizes only, so the
 * fuzzer reaches vmstate.equal-mismatch as QEMU's "Failed to load PCIBUS:nirq".
 */
function attachPciBus(out: Map<string, VMStateDescription>, profile: QemuProfile): void {
  for (const s of profile.sections) {
    if (s.vmsdName !== 'PCIBUS') continue;
    const key = sectionKey(s.idstr, s.instanceId);
    const fromVmdesc = out.get(key);
    const irqField = fromVmdesc?.fields.find((f) => f.name === 'irq_count');
    const nirq = irqField && irqField.kind === 'array' ? irqField.length : undefined;
    if (nirq !== undefined) out.set(key, pciBusVmsd(createPciBus(nirq)));
  }
}

function localStates(devices: SectionItem[], descriptions: Map<string, VMStateDescription>): Map<string, StateObject> {
  const out = new Map<string, StateObject>();
  for (const d of devices) {
    const key = sectionKey(d.idstr, d.instanceId);
    const vmsd = descriptions.get(key);
    if (!vmsd || d.body.kind !== 'vmstate') continue;
    if (vmsd.name === 'PCIBUS') {
      const f = vmsd.fields.find((x) => x.name === 'irq_count');
      if (f && f.kind === 'varray') out.set(key, deepFreeze(pciBusState(createPciBus(f.max))));
      continue;
    }
    out.set(key, deepFreeze(d.body.state));
  }
  return out;
}

/** Freezes objects and arrays (typed arrays cannot be frozen; pages and buffers are never written in place). */
function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || Object.isFrozen(v)) return v;
  for (const x of Object.values(v as object)) deepFreeze(x);
  return Object.freeze(v);
}

/**
 * A fresh destination of the seed's machine: empty RAM, no device state,
 * device sections described locally (see FuzzSeed.descriptions).
 */
export function seedDestination(seed: FuzzSeed): Destination {
  const dest = destinationFromProfile(seed.profile);
  for (const s of dest.sections) {
    const vmsd = seed.descriptions.get(sectionKey(s.idstr, s.instanceId));
    if (!vmsd) continue;
    s.vmsd = vmsd;
    const state = seed.states.get(sectionKey(s.idstr, s.instanceId));
    if (state) s.state = state;
  }
  return dest;
}
