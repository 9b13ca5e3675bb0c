import { LoadError, StepBudget, WireReader, cString, spendSteps, type CheckCode, type CheckLog } from '../wire/index.js';
import {
  commitRamList as commitRam,
  TARGET_PAGE_SIZE,
  fillPage,
  hostPageAlign,
  findRamBlock,
  resizeRamBlock,
  stageRamListLazily,
  writePage,
  type LazyStagedRamList,
  type RamBlock,
} from '../memory/index.js';
import { descriptionFromVmdesc, type StateObject, type VMStateDescription, type VmdescDevice } from '../vmstate/index.js';
import { RAM_SECTION_VERSION, SectionType } from './constants.js';
import { machineNameMatches, readConfiguration } from './configuration.js';
import { findSection, sectionKey, type Destination, type DestinationSection } from './destination.js';
import { decodeWithDescription, findOpaqueEnd } from './device-body.js';
import type { ConfigurationSection } from './model.js';
import { readRamRecords, type RamReadOptions, type RamReadState, type RamTarget } from './ram-records.js';
import { KIND_BY_TYPE, readFooter, readStartHeader } from './section-header.js';
import { readStreamHeader } from './stream-header.js';
import { loadCommand, type CommandCtx, type CommandState } from './load-command.js';
import { vmdescDeviceMap } from './vmdesc-section.js';

/** The outcome of loadStream: accepted (and committed), or the first refusal. */
export type LoadVerdict =
  | {
      accepted: true;
      warnings: string[];
      /** New state per loaded section, by "idstr#instance". */
      states: Map<string, StateObject>;
      sectionsLoaded: number;
      pagesLoaded: number;
    }
  | { accepted: false; error: LoadError; warnings: string[] };

export interface LoadStreamOptions {
  /** Descriptions for sections the destination has no vmsd for and the stream's vmdesc lacks. */
  descriptions?: Map<string, VMStateDescription>;
  /** x-ignore-shared on both sides. */
  ignoreShared?: boolean;
  log?: CheckLog;
  /**
   * Checks skipped as if they passed, for weakened loader variants ("QEMU
   * before the fix") in the fuzzer's mutation score. Honoured here for the
   * stream and RAM checks: stream.machine-mismatch, section.version-too-new,
   * section.version-too-old (profile sections), section.footer-missing,
   * section.footer-mismatch, ram.unknown-block, ram.block-not-migratable,
   * ram.size-mismatch, ram.length-too-large, ram.offset-out-of-range.
   * Checks inside the VMState walker are not affected.
   */
  disabledChecks?: ReadonlySet<CheckCode>;
  /**
   * Work budget in steps (src/wire/step-budget.ts): one per section, RAM
   * record or page, array element. A load that runs out throws
   * StepBudgetExceeded (not a LoadError: the caller reports a hang) and
   * commits nothing. Undefined: unbounded, like QEMU.
   */
  stepBudget?: number;
}

interface LoadCtx {
  r: WireReader;
  dest: Destination;
  opts: LoadStreamOptions;
  /** The destination's RAM, each block copied when the load first writes to it. */
  ram: LazyStagedRamList;
  ramState: RamReadState;
  started: Map<number, { se: DestinationSection; versionId: number }>;
  states: Map<string, StateObject>;
  /** The stream's vmdesc devices, parsed on first use (null: looked, none). */
  vmdesc: Map<string, VmdescDevice> | null | undefined;
  bytes: Uint8Array;
  warnings: string[];
  sectionsLoaded: number;
  pagesLoaded: number;
  /** Return path and postcopy state the stream's commands set (load-command.ts). */
  commands: CommandState;
  /** What the RAM sections are read against and with, made at the first one. */
  ramTarget?: RamTarget;
  ramOptions?: RamReadOptions;
}

/**
 * Loads a stream into a destination the way QEMU 7.2's qemu_loadvm_state
 * does, check for check and in the same order, with QEMU's wording.
 *
 * Transactional: RAM goes into a staged copy of the destination's blocks
 * and device state into new objects; only when the whole stream has been
 * accepted are they committed into `dest` (blocks updated in place, resize
 * notifiers run, section states replaced). A refusal leaves `dest` as it was.
 */
export function loadStream(bytes: Uint8Array, dest: Destination, opts: LoadStreamOptions = {}): LoadVerdict {
  const ctx: LoadCtx = {
    r: new WireReader(bytes),
    dest,
    opts,
    ram: stageRamListLazily(dest.ram),
    ramState: {},
    started: new Map(),
    states: new Map(),
    vmdesc: undefined,
    bytes,
    warnings: [],
    sectionsLoaded: 0,
    pagesLoaded: 0,
    commands: { returnPath: false, postcopy: 0 },
  };
  if (opts.stepBudget !== undefined) ctx.r.budget = new StepBudget(opts.stepBudget);
  try {
    readStreamHeader(ctx.r, opts.log);
    if (dest.sendConfiguration) loadConfiguration(ctx);
    loadSections(ctx);
    readTrailingVmdesc(ctx);
  } catch (e) {
    if (e instanceof LoadError) return { accepted: false, error: e, warnings: ctx.warnings };
    throw e;
  }
  commit(ctx);
  return {
    accepted: true,
    warnings: ctx.warnings,
    states: ctx.states,
    sectionsLoaded: ctx.sectionsLoaded,
    pagesLoaded: ctx.pagesLoaded,
  };
}

/** qemu_loadvm_state_header's configuration part and configuration_post_load. */
function loadConfiguration(ctx: LoadCtx): void {
  const { r, dest, opts } = ctx;
  const offset = r.pos;
  opts.log?.reached('stream.config-missing');
  if (r.atEnd() || r.u8() !== SectionType.CONFIGURATION) {
    throw new LoadError('stream.config-missing', 'Configuration section missing', offset, 'configuration');
  }
  const cfg = readConfiguration(r, offset);
  opts.log?.reached('stream.machine-mismatch');
  if (!machineNameMatches(cfg.name, dest.machine) && !opts.disabledChecks?.has('stream.machine-mismatch')) {
    throw new LoadError(
      'stream.machine-mismatch',
      `Machine type received is '${cfg.name}' and local is '${dest.machine}'`,
      offset,
      'configuration',
    );
  }
  checkConfigSubsections(ctx, cfg);
}

function checkConfigSubsections(ctx: LoadCtx, cfg: ConfigurationSection): void {
  const local = ctx.dest.targetPageBits ?? 12;
  // configuration_pre_load defaults the received bits to the target minimum (12 on x86).
  const bits = cfg.subsections.find((s) => s.name === 'configuration/target-page-bits');
  const received = bits && 'targetPageBits' in bits ? bits.targetPageBits : 12;
  ctx.opts.log?.reached('stream.config-invalid');
  if (received !== local) {
    throw new LoadError('stream.config-invalid', `Received TARGET_PAGE_BITS is ${received} but local is ${local}`, cfg.offset, 'configuration');
  }
  const caps = cfg.subsections.find((s) => s.name === 'configuration/capabilities');
  const sourceCaps = new Set(caps && 'capabilities' in caps ? caps.capabilities : []);
  for (const cap of sourceCaps) {
    if (!MIGRATION_CAPABILITIES_7_2.includes(cap)) {
      throw new LoadError('stream.config-invalid', `Received unknown capability ${cap}`, cfg.offset, 'configuration');
    }
  }
  const localCaps = new Set(ctx.dest.capabilities ?? []);
  for (const cap of ['x-ignore-shared']) {
    if (sourceCaps.has(cap) !== localCaps.has(cap)) {
      throw new LoadError(
        'stream.config-invalid',
        `Capability ${cap} is ${localCaps.has(cap) ? 'on' : 'off'}, but received capability is ${sourceCaps.has(cap) ? 'on' : 'off'}`,
        cfg.offset,
        'configuration',
      );
    }
  }
}

/** MigrationCapability names in QEMU 7.2 (qapi/migration.json), for get_capability. */
const MIGRATION_CAPABILITIES_7_2 = [
  'xbzrle', 'rdma-pin-all', 'auto-converge', 'zero-blocks', 'compress', 'events', 'postcopy-ram', 'x-colo',
  'release-ram', 'block', 'return-path', 'pause-before-switchover', 'multifd', 'dirty-bitmaps',
  'postcopy-blocktime', 'late-block-activate', 'x-ignore-shared', 'validate-uuid', 'background-snapshot',
  'zero-copy-send', 'postcopy-preempt',
];

/** qemu_loadvm_state_main. */
function loadSections(ctx: LoadCtx): void {
  const r = ctx.r;
  for (;;) {
    const offset = r.pos;
    spendSteps(r, 1, 'section');
    const type = r.u8();
    const kind = KIND_BY_TYPE[type];
    if (type === SectionType.EOF) return;
    if (kind === 'start' || kind === 'full') loadStartFull(ctx, offset);
    else if (kind === 'part' || kind === 'end') loadPartEnd(ctx, offset);
    else if (type === SectionType.COMMAND) loadCommand(commandCtx(ctx), offset);
    else {
      ctx.opts.log?.reached('stream.unknown-section-type');
      throw new LoadError('stream.unknown-section-type', `Unknown savevm section type ${type}`, offset, '');
    }
  }
}

/** The command handler's view of the load; a package is loaded by this same section loop. */
function commandCtx(ctx: LoadCtx): CommandCtx {
  return {
    r: ctx.r,
    dest: ctx.dest,
    warnings: ctx.warnings,
    commands: ctx.commands,
    ...(ctx.opts.log ? { log: ctx.opts.log } : {}),
    loadPackage(pkg) {
      const outer = ctx.r;
      ctx.r = pkg;
      try {
        loadSections(ctx);
      } finally {
        ctx.r = outer;
      }
    },
  };
}

/** qemu_loadvm_section_start_full. */
function loadStartFull(ctx: LoadCtx, offset: number): void {
  const h = readStartHeader(ctx.r);
  // qemu_get_counted_string fills a C string: find_se and the messages see the idstr up to a NUL.
  h.idstr = cString(h.idstr);
  const se = findSection(ctx.dest, h.idstr, h.instanceId);
  ctx.opts.log?.reached('stream.unknown-section');
  if (!se) {
    throw new LoadError(
      'stream.unknown-section',
      `Unknown savevm section or instance '${h.idstr}' ${h.instanceId}. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices`,
      offset,
      h.idstr,
    );
  }
  ctx.opts.log?.reached('section.version-too-new');
  if (h.versionId > se.versionId && !ctx.opts.disabledChecks?.has('section.version-too-new')) {
    throw new LoadError('section.version-too-new', `savevm: unsupported version ${h.versionId} for '${h.idstr}' v${se.versionId}`, offset, h.idstr);
  }
  ctx.started.set(h.sectionId, { se, versionId: h.versionId });
  loadBody(ctx, se, h.sectionId, h.instanceId, h.versionId);
  checkFooter(ctx, h.sectionId, se.idstr);
}

/** qemu_loadvm_section_part_end: the id must be one a START/FULL registered. */
function loadPartEnd(ctx: LoadCtx, offset: number): void {
  const sectionId = ctx.r.u32();
  const started = ctx.started.get(sectionId);
  ctx.opts.log?.reached('stream.unknown-section-id');
  if (!started) throw new LoadError('stream.unknown-section-id', `Unknown savevm section ${sectionId}`, offset, `section ${sectionId}`);
  loadBody(ctx, started.se, sectionId, started.se.instanceId, started.versionId);
  checkFooter(ctx, sectionId, started.se.idstr);
}

function checkFooter(ctx: LoadCtx, sectionId: number, idstr: string): void {
  if (!ctx.dest.sendSectionFooter) return;
  ctx.opts.log?.reached('section.footer-missing');
  ctx.opts.log?.reached('section.footer-mismatch');
  readFooter(ctx.r, sectionId, idstr, ctx.opts.disabledChecks);
}

/** vmstate_load: RAM records, a local description, or the stream's description. */
function loadBody(ctx: LoadCtx, se: DestinationSection, sectionId: number, instanceId: number, versionId: number): void {
  const r = ctx.r;
  ctx.sectionsLoaded++;
  if (se.ram) {
    if (versionId !== RAM_SECTION_VERSION) {
      // ram_load: -EINVAL with no message of its own; savevm then says this.
      throw new LoadError('section.version-too-old', `error while loading state for instance 0x${instanceId.toString(16)} of device '${se.idstr}'`, r.pos, se.idstr);
    }
    // The same target and options for every RAM section of the load (a stream has one per pass).
    let ro = ctx.ramOptions;
    if (ro?.path !== se.idstr) {
      ro = { totalMode: 'qemu' as const, path: se.idstr, keep: false, ...(ctx.opts.disabledChecks ? { disabled: ctx.opts.disabledChecks } : {}), refuseNonZeroFill: ctx.dest.refuseNonZeroFill === true, ...(ctx.opts.ignoreShared ? { ignoreShared: true } : {}), ...(ctx.opts.log ? { log: ctx.opts.log } : {}) };
      ctx.ramOptions = ro;
    }
    readRamRecords(r, (ctx.ramTarget ??= ramTarget(ctx)), ctx.ramState, ro);
    return;
  }
  const key = sectionKey(se.idstr, se.instanceId);
  if (se.vmsd) {
    const local = ctx.states.get(key) ?? se.state ?? {};
    ctx.states.set(key, decodeWithDescription(r, se.vmsd, versionId, local, se.idstr, ctx.opts.log, se.opaque));
    return;
  }
  ctx.opts.log?.reached('section.version-too-old');
  if (versionId < se.minimumVersionId && !ctx.opts.disabledChecks?.has('section.version-too-old')) {
    throw new LoadError(
      'section.version-too-old',
      `${se.vmsdName ?? se.idstr}: incoming version_id ${versionId} is too old for local minimum version_id  ${se.minimumVersionId}`,
      r.pos,
      se.idstr,
    );
  }
  // Parsed only when a section without a local vmsd needs it.
  if (ctx.vmdesc === undefined) ctx.vmdesc = vmdescDeviceMap(ctx.bytes) ?? null;
  const dev = ctx.vmdesc?.get(sectionKey(se.idstr, instanceId));
  if (dev) {
    // The source's own description of these bytes: authoritative.
    ctx.states.set(key, decodeWithDescription(r, descriptionFromVmdesc(dev), versionId, se.state ?? {}, se.idstr, ctx.opts.log));
    return;
  }
  const given = ctx.opts.descriptions?.get(se.idstr) ?? (se.vmsdName ? ctx.opts.descriptions?.get(se.vmsdName) : undefined);
  if (given && decodeSupplied(ctx, given, se, key, sectionId, versionId)) return;
  ctx.opts.log?.reached('vmstate.opaque-section');
  r.skip(findOpaqueEnd(r, sectionId, se.idstr, ctx.dest.sendSectionFooter), 'section body');
}

/**
 * Decodes with a caller-supplied description (lossy, e.g. from
 * -dump-vmstate). With footers, a decode that fails or does not end at the
 * footer is not the stream's fault: it falls back to the footer (false
 * returned, reader rewound) with a warning. Without footers it is final.
 */
function decodeSupplied(
  ctx: LoadCtx,
  vmsd: VMStateDescription,
  se: DestinationSection,
  key: string,
  sectionId: number,
  versionId: number,
): boolean {
  const r = ctx.r;
  const start = r.pos;
  if (!ctx.dest.sendSectionFooter) {
    ctx.states.set(key, decodeWithDescription(r, vmsd, versionId, se.state ?? {}, se.idstr, ctx.opts.log));
    return true;
  }
  try {
    const state = decodeWithDescription(r, vmsd, versionId, se.state ?? {}, se.idstr, ctx.opts.log);
    if (r.peekU8() === SectionType.FOOTER && r.remaining >= 5 && new DataView(r.buf.buffer, r.buf.byteOffset + r.pos + 1, 4).getUint32(0) === sectionId) {
      ctx.states.set(key, state);
      return true;
    }
    ctx.warnings.push(`${se.idstr}: the supplied description ended at offset ${r.pos}, not at the section footer; body skipped`);
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    ctx.warnings.push(`${se.idstr}: the supplied description did not fit (${e.message}); body skipped`);
  }
  r.pos = start;
  return false;
}

function forceUsedLength(b: RamBlock, length: bigint): void {
  const aligned = BigInt.asUintN(64, hostPageAlign(length));
  b.usedLength = aligned > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(aligned);
  for (const index of b.pages.keys()) if (index * TARGET_PAGE_SIZE >= b.usedLength) b.pages.delete(index);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The staged blocks as ram_load_precopy sees them. */
function ramTarget(ctx: LoadCtx): RamTarget {
  const ram = ctx.ram;
  const log = ctx.opts.log;
  const disabled = ctx.opts.disabledChecks;
  let last: RamBlock | undefined;
  const block = (idstr: string): RamBlock => (last?.idstr === idstr ? last : (last = ram.writable(idstr)!));
  return {
    // The block itself: it has the two fields the reader reads (no object per record).
    lookup: (idstr) => findRamBlock(ram, idstr),
    memSizeEntry(entry, _recordOffset, entryOffset) {
      const path = `ram/${entry.idstr}`;
      spendSteps(ctx.r, 1, path);
      const b = findRamBlock(ram, entry.idstr);
      log?.reached('ram.unknown-block');
      if (!b) {
        if (disabled?.has('ram.unknown-block')) return;
        throw new LoadError('ram.unknown-block', `Unknown ramblock "${entry.idstr}", cannot accept migration`, entryOffset, path);
      }
      log?.reached('ram.block-not-migratable');
      if (!b.migratable && !disabled?.has('ram.block-not-migratable')) {
        throw new LoadError('ram.block-not-migratable', `block ${entry.idstr} should not be migrated !`, entryOffset, path);
      }
      if (entry.length <= MAX_SAFE && Number(entry.length) === b.usedLength) return;
      log?.reached('ram.size-mismatch');
      log?.reached('ram.length-too-large');
      const staged = block(entry.idstr);
      const res = resizeRamBlock(staged, entry.length);
      if (res.ok) return;
      if (!disabled?.has(res.code)) throw new LoadError(res.code, res.message, entryOffset, path);
      // Weakened: take the length as sent (sparse pages: nothing is allocated;
      // no dirty marking, which would walk 2^50 pages for a 2^62 claim).
      forceUsedLength(staged, entry.length);
    },
    zero(idstr, index, fill) {
      spendSteps(ctx.r, 1, idstr);
      fillPage(block(idstr), index, fill, false);
      ctx.pagesLoaded++;
    },
    zeroRange(idstr, first, count, fill) {
      // Bounds were checked page by page while the run was scanned.
      spendSteps(ctx.r, count, idstr);
      const b = block(idstr);
      if (fill === 0) {
        // Whichever is shorter: the run, or the pages held (a 64 MiB first pass is one 16384-page run).
        if (count <= b.pages.size) for (let i = first; i < first + count; i++) b.pages.delete(i);
        else for (const i of b.pages.keys()) if (i >= first && i < first + count) b.pages.delete(i);
      } else for (let i = first; i < first + count; i++) fillPage(b, i, fill, false);
      ctx.pagesLoaded += count;
    },
    page(idstr, index, data) {
      spendSteps(ctx.r, 1, idstr);
      writePage(block(idstr), index, data, false);
      ctx.pagesLoaded++;
    },
  };
}

/**
 * After EOF QEMU reads the vmdesc when should_send_vmdesc(), but only to
 * drain it: a missing or short one is at most a warning.
 */
function readTrailingVmdesc(ctx: LoadCtx): void {
  if (ctx.dest.expectVmdesc === false) return;
  const r = ctx.r;
  const type = r.atEnd() ? 0 : r.u8();
  if (type !== SectionType.VMDESCRIPTION) {
    ctx.warnings.push(`Expected vmdescription section, but got ${type}`);
    return;
  }
  if (r.remaining < 4) return;
  const len = r.u32();
  if (len > r.remaining) ctx.warnings.push(`vmdesc claims ${len} bytes, ${r.remaining} remain`);
}

function commit(ctx: LoadCtx): void {
  commitRam(ctx.dest.ram, ctx.ram);
  for (const [key, state] of ctx.states) {
    const se = ctx.dest.sections.find((s) => sectionKey(s.idstr, s.instanceId) === key);
    if (se) se.state = state;
  }
}
