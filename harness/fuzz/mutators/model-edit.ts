import type { MemSizeRecord, RamRecord, SectionItem, StreamItem, StreamModel } from '../../../src/migration/index.js';

/** Copy-on-write edits of a StreamModel: the valid model stays shared and untouched. */

export function withItems(model: StreamModel, items: StreamItem[]): StreamModel {
  return { ...model, items };
}

export function replaceItem(model: StreamModel, index: number, item: StreamItem): StreamModel {
  const items = model.items.slice();
  items[index] = item;
  return withItems(model, items);
}

export function withRecords(item: SectionItem, records: RamRecord[]): SectionItem {
  return { ...item, body: { kind: 'ram', records } };
}

export interface RecordSite {
  item: number;
  record: number;
  rec: RamRecord;
}

/** Every RAM record in stream order, with where it sits. */
export function ramRecords(model: StreamModel): RecordSite[] {
  const out: RecordSite[] = [];
  model.items.forEach((it, item) => {
    if (it.kind !== 'section' || it.body.kind !== 'ram') return;
    it.body.records.forEach((rec, record) => out.push({ item, record, rec }));
  });
  return out;
}

export function replaceRecord(model: StreamModel, site: RecordSite, recs: RamRecord[]): StreamModel {
  const it = model.items[site.item] as SectionItem;
  if (it.body.kind !== 'ram') return model;
  const records = it.body.records.slice();
  records.splice(site.record, 1, ...recs);
  return replaceItem(model, site.item, withRecords(it, records));
}

export function memSizeSite(model: StreamModel): (RecordSite & { rec: MemSizeRecord }) | undefined {
  return ramRecords(model).find((s): s is RecordSite & { rec: MemSizeRecord } => s.rec.type === 'mem-size');
}

export function sectionIndices(model: StreamModel, pred: (s: SectionItem) => boolean): number[] {
  const out: number[] = [];
  model.items.forEach((it, i) => {
    if (it.kind === 'section' && pred(it)) out.push(i);
  });
  return out;
}

export const U64 = (1n << 64n) - 1n;
