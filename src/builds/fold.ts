/**
 * Folding a build's base chain into a BuildView. Pure: the same deltas give
 * the same view; applyChange() is exported so a test can check that a
 * build's view is exactly its base's view plus its own changes.
 */
import {
  BOARDS_WITHOUT_REGISTERED_RAM,
  defaultMachine,
  machineAliases,
  machinesOffered,
  type VersionString,
} from '../machines/index.js';
import type { BuildView, DeviceView, SectionView } from './build-view.js';
import type { BuildDelta, Change } from './change.js';

/** The view before any build: nothing offered, every feature off. */
export function emptyView(): BuildView {
  const off = { enabled: false, since: '0' };
  return {
    version: '0',
    chain: [],
    machines: [],
    aliases: {},
    boards: [],
    devices: {},
    ramBlocks: {},
    ram: { 'resizeable-blocks': false, 'migratable-flag': false },
    stream: {
      vmdesc: { ...off },
      'configuration-section': { ...off },
      'section-footer': { ...off },
      'global-state': { ...off },
      'switchover-start': { ...off },
    },
    pciCapPresent: {},
    pciConfig: [],
    compatAdditions: [],
    changes: [],
  };
}

function device(view: BuildView, name: string): DeviceView {
  const existing = view.devices[name];
  if (existing !== undefined) return existing;
  const created: DeviceView = { device: name, declared: false, migratable: true, sections: {}, properties: {}, ramBlocks: [] };
  view.devices[name] = created;
  return created;
}

function section(dev: DeviceView, name: string): SectionView {
  const existing = dev.sections[name];
  if (existing !== undefined) return existing;
  const created: SectionView = { name, subsections: {}, fields: {} };
  dev.sections[name] = created;
  return created;
}

/** Applies one change of build `build` to `view` in place. */
export function applyChange(view: BuildView, build: VersionString, change: Change): void {
  view.changes.push({ build, change });
  switch (change.kind) {
    case 'machines-added': {
      const have = new Set(view.machines.map((m) => m.name));
      for (const name of change.machines) {
        if (!have.has(name)) view.machines.push({ name, family: 'none', description: '', deprecated: false, source: change.source });
      }
      return;
    }
    case 'machines-removed': {
      const gone = new Set(change.machines);
      view.machines = view.machines.filter((m) => !gone.has(m.name));
      return;
    }
    case 'device-added': {
      const dev = device(view, change.device);
      dev.since = build;
      dev.declared = true;
      dev.ramBlocks = [...(change.ramBlocks ?? [])];
      if (change.requires !== undefined) dev.requires = change.requires;
      for (const s of change.sections ?? []) {
        const sec = section(dev, s.name);
        if (s.version_id !== undefined) sec.version_id = s.version_id;
        if (s.minimum_version_id !== undefined) sec.minimum_version_id = s.minimum_version_id;
      }
      return;
    }
    case 'device-removed':
      delete view.devices[change.device];
      return;
    case 'device-migratable':
      device(view, change.device).migratable = change.migratable;
      return;
    case 'section-version': {
      const sec = section(device(view, change.device), change.section);
      sec.version_id = change.version_id;
      sec.minimum_version_id = change.minimum_version_id;
      return;
    }
    case 'subsection-added': {
      const sec = section(device(view, change.device), change.section);
      sec.subsections[change.subsection] = {
        name: change.subsection,
        since: build,
        needed: change.needed,
        ...(change.version_id === undefined ? {} : { version_id: change.version_id }),
        ...(change.compat === undefined ? {} : { compat: change.compat }),
      };
      return;
    }
    case 'field-added': {
      const sec = section(device(view, change.device), change.section);
      sec.fields[change.field] = {
        name: change.field,
        since: build,
        condition: change.condition,
        ...(change.compat === undefined ? {} : { compat: change.compat }),
      };
      return;
    }
    case 'property-added':
      device(view, change.device).properties[change.property] = {
        name: change.property,
        since: build,
        default: change.default,
        effect: change.effect,
        ...(change.compat === undefined ? {} : { compat: change.compat }),
      };
      return;
    case 'ram-block': {
      const before = view.ramBlocks[change.block];
      view.ramBlocks[change.block] = {
        block: change.block,
        resizeable: change.resizeable,
        ...(change.maxLength === undefined ? {} : { maxLength: change.maxLength }),
        ...(change.padding === undefined ? {} : { padding: change.padding }),
        ...(change.binaryAml === undefined ? {} : { binaryAml: change.binaryAml }),
        since: before?.since ?? build,
        changedIn: build,
      };
      return;
    }
    case 'ram-feature':
      view.ram[change.feature] = change.enabled;
      return;
    case 'stream-feature':
      view.stream[change.feature] = {
        enabled: change.enabled,
        since: build,
        ...(change.compat === undefined ? {} : { compat: change.compat }),
      };
      return;
    case 'pci-cap-present':
      view.pciCapPresent[change.bit] = {
        bit: change.bit,
        property: change.property,
        default: change.default,
        effect: change.effect,
        since: build,
        ...(change.bitnr === undefined ? {} : { bitnr: change.bitnr }),
        ...(change.compat === undefined ? {} : { compat: change.compat }),
      };
      return;
    case 'pci-config':
      view.pciConfig.push({
        capability: change.capability,
        register: change.register,
        effect: change.effect,
        since: build,
        ...(change.controlledBy === undefined ? {} : { controlledBy: change.controlledBy }),
      });
      return;
    case 'compat-entry-added':
      view.compatAdditions.push({ array: change.array, entry: change.entry, since: build });
      return;
  }
}

/**
 * A copy deep enough that folding a child never alters its base: every
 * record the fold writes into is copied; changes, sources and machine
 * records are immutable data and shared.
 */
export function cloneView(view: BuildView): BuildView {
  const devices: BuildView['devices'] = {};
  for (const [name, d] of Object.entries(view.devices)) {
    const sections: DeviceView['sections'] = {};
    for (const [sn, sec] of Object.entries(d.sections)) {
      sections[sn] = { ...sec, subsections: { ...sec.subsections }, fields: { ...sec.fields } };
    }
    devices[name] = { ...d, sections, properties: { ...d.properties }, ramBlocks: [...d.ramBlocks] };
  }
  return {
    ...view,
    chain: [...view.chain],
    machines: [...view.machines],
    aliases: { ...view.aliases },
    devices,
    ramBlocks: { ...view.ramBlocks },
    ram: { ...view.ram },
    stream: { ...view.stream },
    pciCapPresent: { ...view.pciCapPresent },
    pciConfig: [...view.pciConfig],
    compatAdditions: [...view.compatAdditions],
    changes: [...view.changes],
  };
}

/** Freezes a view and everything reachable from it, so shared views cannot be altered. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Base view + the delta's changes, with the machine list completed from src/machines. */
export function applyDelta(base: BuildView, delta: BuildDelta): BuildView {
  const view = cloneView(base);
  view.version = delta.version;
  if (delta.base === undefined) delete view.base;
  else view.base = delta.base;
  if (delta.released === undefined) delete view.released;
  else view.released = delta.released;
  view.chain = [...base.chain, delta.version];
  for (const change of delta.changes) applyChange(view, delta.version, change);
  describeMachines(view);
  view.boards = BOARDS_WITHOUT_REGISTERED_RAM;
  return view;
}

/**
 * Replaces the folded machine names with the full records (description,
 * deprecation) for this release, and checks that the fold and the machine
 * ranges agree: they are two records of the same history.
 */
function describeMachines(view: BuildView): void {
  const offered = machinesOffered(view.version);
  const folded = new Set(view.machines.map((m) => m.name));
  const missing = offered.filter((m) => !folded.has(m.name)).map((m) => m.name);
  const extra = [...folded].filter((n) => !offered.some((m) => m.name === n));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`build ${view.version}: folded machine list disagrees with the machine ranges (missing ${missing.join(', ')}; extra ${extra.join(', ')})`);
  }
  view.machines = offered;
  view.aliases = machineAliases(view.version);
  const dflt = defaultMachine(view.version);
  if (dflt === undefined) delete view.defaultMachine;
  else view.defaultMachine = dflt;
}
