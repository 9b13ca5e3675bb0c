import { boot, destinationOf, incoming } from '../../src/vm.js';
import { parseStream, RAM_SECTION_IDSTR, type Destination, type QemuProfile, type SectionItem } from '../../src/migration/index.js';
import type { VMStateDescription } from '../../src/vmstate/index.js';
import { listBuilds } from '../../src/builds/index.js';
import type { FuzzSeed } from './seed.js';

/**
 * Seeds from simulated builds: the stream a booted machine of the build
 * saves (firmware and a seeded workload ran, so device state is real state
 * of that build), and the incoming destination of the same build as the
 * profile the mutators aim at. Named `sim:<build>/<machine>[+device...]`.
 */
const cache = new Map<string, FuzzSeed>();

export function newestBuild(): string {
  const all = listBuilds();
  return all[all.length - 1]!;
}

export function simSeedName(build: string, machine: string, devices: readonly string[] = []): string {
  return `sim:${build}/${machine}${devices.map((d) => `+${d}`).join('')}`;
}

export function parseSimSeedName(name: string): { build: string; machine: string; devices: string[] } | undefined {
  const m = /^sim:([^/]+)\/([^+]+)((?:\+[^+]+)*)$/.exec(name);
  if (!m) return undefined;
  return { build: m[1]!, machine: m[2]!, devices: m[3] ? m[3].slice(1).split('+') : [] };
}

export function simSeed(build: string, machine: string, devices: readonly string[] = [], ram = '32M'): FuzzSeed {
  const name = simSeedName(build, machine, devices);
  const hit = cache.get(name);
  if (hit) return hit;
  const src = boot(build, machine, { devices, ram, seed: 1 });
  const bytes = src.save();
  const descriptions = new Map<string, VMStateDescription>(src.sections.map((s) => [s.idstr, s.vmsd]));
  const capture = parseStream(bytes, { descriptions });
  const dest = destinationOf(incoming(build, machine, { devices, ram }));
  const profile = profileOf(dest);
  const ramItem = capture.items.find((i): i is SectionItem => i.kind === 'section' && i.idstr === RAM_SECTION_IDSTR);
  const devicesItems = capture.items.filter((i): i is SectionItem => i.kind === 'section' && i.idstr !== RAM_SECTION_IDSTR);
  const seed: FuzzSeed = {
    name,
    machine,
    profile,
    base: { ...capture, items: devicesItems },
    ramSectionId: ramItem?.sectionId ?? 0,
    blocks: profile.ramBlocks
      .filter((b) => b.migratable)
      .map((b) => ({ idstr: b.idstr, usedLength: b.usedLength, maxLength: b.maxLength, resizeable: b.resizeable, pages: Math.ceil(b.usedLength / 4096) })),
    devices: devicesItems,
    // The simulated destination brings its own descriptions and state.
    descriptions: new Map(),
    states: new Map(),
    spec: { machine, devices: [...devices], ram },
    modelled: true,
  };
  cache.set(name, seed);
  return seed;
}

/** What the mutators need to know of a destination, in the profile's shape. */
export function profileOf(dest: Destination): QemuProfile {
  return {
    machine: dest.machine,
    sendConfiguration: dest.sendConfiguration,
    sendSectionFooter: dest.sendSectionFooter,
    expectVmdesc: dest.expectVmdesc ?? true,
    sections: dest.sections.map((s) => ({
      idstr: s.idstr,
      instanceId: s.instanceId,
      vmsdName: s.vmsdName ?? s.vmsd?.name ?? s.idstr,
      versionId: s.versionId,
      minimumVersionId: s.minimumVersionId,
      versionSource: 'capture' as const,
    })),
    ramBlocks: dest.ram.blocks.map((b) => ({ idstr: b.idstr, usedLength: b.usedLength, maxLength: b.maxLength, resizeable: b.resizeable, migratable: b.migratable, pageSize: b.pageSize })),
  };
}
