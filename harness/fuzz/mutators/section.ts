import { encodeStream, type SectionItem, type StreamModel } from '../../../src/migration/index.js';
import { layoutStream, type Chunk } from '../layout.js';
import { replaceItem, sectionIndices, withItems } from './model-edit.js';
import { pick, type Expectation, type Mutated, type Mutator } from './types.js';

/**
 * Section framing hazards (migration/savevm.c qemu_loadvm_state_main,
 * qemu_loadvm_section_start_full / part_end, check_section_footer).
 */

function out(model: StreamModel, note: string, expect: Expectation): Mutated {
  return { bytes: encodeStream(model), note, expect };
}

const isStartFull = (s: SectionItem) => s.type === 'start' || s.type === 'full';

function localVersions(input: { seed: { profile: { sections: { idstr: string; instanceId: number; versionId: number; minimumVersionId: number }[] } } }, s: SectionItem) {
  return input.seed.profile.sections.find((p) => p.idstr === s.idstr && p.instanceId === s.instanceId);
}

/** "savevm: unsupported version %d for '%s' v%d". */
const versionAbove: Mutator = {
  name: 'section.version-above',
  hazard: "version_id above the destination's",
  aims: ['section.version-too-new'],
  apply(input, a, b) {
    const { model } = input;
    const idx = pick(sectionIndices(model, isStartFull), a);
    const it = idx === undefined ? undefined : model.items[idx];
    if (idx === undefined || !it || it.kind !== 'section') return undefined;
    const local = localVersions(input, it);
    if (!local) return undefined;
    const versionId = [local.versionId + 1, local.versionId + 100, 0x7fffffff, 0xffffffff][b % 4]!;
    // savevm.c reads the version into a uint32_t and compares it with se->version_id
    // converted to unsigned, so 0xffffffff is "too new" as well.
    return out(replaceItem(model, idx, { ...it, versionId }), `${it.idstr} version ${versionId} (local ${local.versionId})`, 'section.version-too-new');
  },
};

/** vmstate_load_state: "%s: incoming version_id %d is too old for local minimum version_id  %d". */
const versionBelow: Mutator = {
  name: 'section.version-below',
  hazard: 'version_id below the destination minimum',
  aims: ['section.version-too-old'],
  apply(input, a, b) {
    const { model } = input;
    const candidates = sectionIndices(model, (s) => isStartFull(s) && (localVersions(input, s)?.minimumVersionId ?? 0) > 0);
    const idx = pick(candidates, a);
    const it = idx === undefined ? undefined : model.items[idx];
    if (idx === undefined || !it || it.kind !== 'section') return undefined;
    const min = localVersions(input, it)!.minimumVersionId;
    const versionId = [min - 1, 0][b % 2]!;
    return out(replaceItem(model, idx, { ...it, versionId }), `${it.idstr} version ${versionId} (local minimum ${min})`, 'section.version-too-old');
  },
};

/** find_se misses: "Unknown savevm section or instance '%s' %d". */
const unknownSection: Mutator = {
  name: 'section.unknown',
  hazard: 'unknown sections (idstr or instance)',
  aims: ['stream.unknown-section'],
  apply({ model }, a, b) {
    const idx = pick(sectionIndices(model, isStartFull), a);
    const it = idx === undefined ? undefined : model.items[idx];
    if (idx === undefined || !it || it.kind !== 'section') return undefined;
    const edits: Partial<SectionItem>[] = [{ idstr: `${it.idstr}!` }, { instanceId: it.instanceId + 7 }, { idstr: '' }, { idstr: 'y'.repeat(255) }];
    const edit = edits[b % edits.length]!;
    return out(replaceItem(model, idx, { ...it, ...edit }), `${it.idstr} -> '${(edit.idstr ?? it.idstr).slice(0, 20)}' #${edit.instanceId ?? it.instanceId}`, 'stream.unknown-section');
  },
};

/** A PART/END naming a section id no START/FULL registered: "Unknown savevm section %d". */
const unknownSectionId: Mutator = {
  name: 'section.unknown-id',
  hazard: 'PART/END for a section never started',
  aims: ['stream.unknown-section-id'],
  apply({ model }, a, b) {
    const idx = pick(sectionIndices(model, (s) => s.type === 'part' || s.type === 'end'), a);
    const it = idx === undefined ? undefined : model.items[idx];
    if (idx === undefined || !it || it.kind !== 'section') return undefined;
    const sectionId = [it.sectionId + 1000, 0xffffffff][b % 2]!;
    return out(replaceItem(model, idx, { ...it, sectionId }), `${it.type} section id ${sectionId}`, 'stream.unknown-section-id');
  },
};

/** Sending a section twice, dropping one, swapping two: QEMU checks none of these by itself. */
const duplicate: Mutator = {
  name: 'section.duplicate',
  hazard: 'duplicated sections',
  aims: [],
  apply({ model }, a) {
    const idx = pick(sectionIndices(model, () => true), a);
    if (idx === undefined) return undefined;
    const items = model.items.slice();
    items.splice(idx, 0, model.items[idx]!);
    return out(withItems(model, items), `item ${idx} sent twice`, undefined);
  },
};

const drop: Mutator = {
  name: 'section.drop',
  hazard: 'missing sections (the RAM START among them: PART/END then name an unknown id)',
  aims: ['stream.unknown-section-id'],
  apply({ model }, a) {
    if (model.items.length === 0) return undefined;
    const idx = a % model.items.length;
    const it = model.items[idx]!;
    const items = model.items.filter((_, i) => i !== idx);
    const startOfRam = it.kind === 'section' && it.idstr === 'ram' && it.type === 'start';
    const laterRam = items.some((x) => x.kind === 'section' && x.idstr === 'ram');
    return out(withItems(model, items), `item ${idx} dropped`, startOfRam && laterRam ? 'stream.unknown-section-id' : undefined);
  },
};

const reorder: Mutator = {
  name: 'section.reorder',
  hazard: 'reordered sections',
  aims: ['stream.unknown-section-id'],
  apply({ model }, a, b) {
    const n = model.items.length;
    if (n < 2) return undefined;
    const i = a % n;
    const j = (i + 1 + (b % (n - 1))) % n;
    const items = model.items.slice();
    [items[i], items[j]] = [items[j]!, items[i]!];
    return out(withItems(model, items), `items ${i} and ${j} swapped`, undefined);
  },
};

/** Patches bytes of one item chunk of the laid-out stream. */
function patchChunk(model: StreamModel, a: number, pred: (it: SectionItem) => boolean, patch: (bytes: Uint8Array, c: Chunk, it: SectionItem) => Uint8Array | undefined) {
  const lay = layoutStream(model);
  const chunks = lay.chunks.filter((c) => {
    const it = c.item === undefined ? undefined : model.items[c.item];
    return c.kind === 'item' && it?.kind === 'section' && pred(it);
  });
  const c = pick(chunks, a);
  if (!c) return undefined;
  const bytes = patch(lay.bytes, c, model.items[c.item!] as SectionItem);
  return bytes && { bytes, item: model.items[c.item!] as SectionItem };
}

/** check_section_footer: "Mismatched section id in footer for %s - read 0x%x expected 0x%x". */
const footerMismatch: Mutator = {
  name: 'section.footer-mismatch',
  hazard: 'footer mismatch',
  aims: ['section.footer-mismatch'],
  apply({ model }, a, b) {
    const r = patchChunk(model, a, (s) => s.footer, (bytes, c) => {
      const outb = bytes; // laid out for this mutation alone: edited in place
      const at = c.start + c.length - 4;
      const view = new DataView(outb.buffer);
      view.setUint32(at, (view.getUint32(at) ^ (1 << (b % 32))) >>> 0);
      return outb;
    });
    return r && { bytes: r.bytes, note: `${r.item.idstr} footer id bit ${b % 32} flipped`, expect: 'section.footer-mismatch' };
  },
};

/** The footer's 0x7e is not there: "Missing section footer for %s". */
const footerMissing: Mutator = {
  name: 'section.footer-missing',
  hazard: 'footer missing',
  aims: ['section.footer-missing'],
  apply({ model }, a) {
    const r = patchChunk(model, a, (s) => s.footer, (bytes, c) => {
      const end = c.start + c.length;
      const outb = new Uint8Array(bytes.length - 5);
      outb.set(bytes.subarray(0, end - 5));
      outb.set(bytes.subarray(end), end - 5);
      return outb;
    });
    // The byte now read as the footer marker is the next item's type byte (0x00..0x08), never 0x7e.
    return r && { bytes: r.bytes, note: `${r.item.idstr} footer removed`, expect: 'section.footer-missing' };
  },
};

/** The idstr length byte of a START/FULL header: 0, 255, one off. */
const idstrLength: Mutator = {
  name: 'section.idstr-length',
  hazard: 'idstr length bytes that disagree with the idstr',
  aims: ['stream.unknown-section', 'section.version-too-new', 'wire.truncated'],
  apply({ model }, a, b) {
    const r = patchChunk(model, a, isStartFull, (bytes, c, it) => {
      const outb = bytes; // laid out for this mutation alone: edited in place
      const lens = [0, 255, it.idstr.length + 1, Math.max(0, it.idstr.length - 1)];
      outb[c.start + 5] = lens[b % lens.length]!;
      return outb;
    });
    return r && { bytes: r.bytes, note: `${r.item.idstr} idstr length byte changed`, expect: 'refused' };
  },
};

/** qemu_loadvm_state_main: "Unknown savevm section type %d". */
const sectionType: Mutator = {
  name: 'section.type-byte',
  hazard: 'unknown section type byte',
  aims: ['stream.unknown-section-type'],
  apply({ model }, a, b) {
    const r = patchChunk(model, a, () => true, (bytes, c) => {
      const outb = bytes; // laid out for this mutation alone: edited in place
      const types = [0x09, 0x05, 0x06, 0x7e, 0xff, 0x07];
      outb[c.start] = types[b % types.length]!;
      return outb;
    });
    // 0x05 right after a section with a description is read as its subsection (vmstate_subsection_load peeks for it).
    const t = [0x09, 0x05, 0x06, 0x7e, 0xff, 0x07][b % 6]!;
    return r && { bytes: r.bytes, note: `${r.item.idstr} section type byte 0x${t.toString(16)}`, expect: t === 0x05 ? 'refused' : 'stream.unknown-section-type' };
  },
};

export const SECTION_MUTATORS: Mutator[] = [
  versionAbove,
  versionBelow,
  unknownSection,
  unknownSectionId,
  duplicate,
  drop,
  reorder,
  footerMismatch,
  footerMissing,
  idstrLength,
  sectionType,
];
