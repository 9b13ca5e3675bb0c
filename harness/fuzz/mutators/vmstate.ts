import { encodeStream, type SectionItem } from '../../../src/migration/index.js';
import { sectionIndices } from './model-edit.js';
import { pick, type Mutator } from './types.js';

/**
 * Device-field hazards at codec level. Only PCIBUS has a modelled
 * description with a length check (nirq *_EQUAL bounding irq_count); the
 * other capture sections are described by their vmdesc, which knows sizes,
 * not count fields, so vbuffer/varray bounds there wait for device models.
 */
const pcibusNirq: Mutator = {
  name: 'vmstate.pcibus-nirq',
  hazard: 'array counts above their bound (PCIBUS nirq, the count of irq_count)',
  aims: ['vmstate.equal-mismatch'],
  apply({ seed, model }, _a, b) {
    const dev = seed.devices.find((d) => d.idstr === 'PCIBUS');
    if (!dev || dev.body.kind !== 'vmstate' || !dev.body.bytes) return undefined;
    const body = dev.body.bytes.slice();
    const nirq = new DataView(body.buffer).getInt32(0);
    const v = [nirq + 1, 0x7fffffff, -1, 0][b % 4]!;
    new DataView(body.buffer).setInt32(0, v);
    const item: SectionItem = { ...dev, body: { ...dev.body, bytes: body } };
    const at = sectionIndices(model, (s) => s.idstr === 'PCIBUS');
    const items = model.items.slice();
    if (at[0] !== undefined) items[at[0]] = item;
    else items.push(item);
    return { bytes: encodeStream({ ...model, items }), note: `PCIBUS nirq ${v} (local ${nirq})`, expect: 'vmstate.equal-mismatch' };
  },
};

/** A device section's body bytes overwritten with 0xff at one offset (bool bytes, counts, sizes). */
const bodyByte: Mutator = {
  name: 'vmstate.body-byte',
  hazard: 'device field values outside their type (bools other than 0/1, counts, sizes)',
  aims: ['vmstate.bool-invalid', 'vmstate.subsection-unknown', 'section.footer-missing'],
  apply({ model }, a, b) {
    const idx = pick(sectionIndices(model, (s) => s.body.kind === 'vmstate' && (s.body.bytes?.length ?? 0) > 0), a);
    const it = idx === undefined ? undefined : (model.items[idx] as SectionItem);
    if (idx === undefined || !it || it.body.kind !== 'vmstate' || !it.body.bytes) return undefined;
    const body = it.body.bytes.slice();
    const at = b % body.length;
    body[at] = [0xff, 0x02, 0x05][Math.floor(b / body.length) % 3]!;
    const items = model.items.slice();
    items[idx] = { ...it, body: { ...it.body, bytes: body } };
    return { bytes: encodeStream({ ...model, items }), note: `${it.idstr} body byte ${at} = 0x${body[at]!.toString(16)}`, expect: undefined };
  },
};

export const VMSTATE_MUTATORS: Mutator[] = [pcibusNirq, bodyByte];
