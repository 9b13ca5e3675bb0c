import { WireWriter } from '../wire/index.js';
import { saveVMState } from '../vmstate/index.js';
import { QEMU_VM_FILE_MAGIC, SectionType } from './constants.js';
import { writeConfiguration } from './configuration.js';
import type { SectionItem, StreamModel } from './model.js';
import { ramRecordsSize, writeRamRecords } from './ram-records.js';
import { writeFooter, writeSectionHeader } from './section-header.js';
import { writeVmdescSection } from './vmdesc-section.js';

/**
 * Writes a StreamModel. Parsed bodies are written from their bytes (device
 * sections) or records (RAM), so a parsed stream re-encodes byte for byte; a
 * built device section without bytes is saved from its description and state.
 */
export function encodeStream(model: StreamModel, initialCapacity?: number): Uint8Array {
  const w = initialCapacity === undefined ? WireWriter.presized(estimateSize(model)) : new WireWriter(initialCapacity);
  w.u32(QEMU_VM_FILE_MAGIC).u32(model.version);
  if (model.configuration) writeConfiguration(w, model.configuration);
  for (const item of model.items) {
    if (item.kind === 'command') {
      w.u8(SectionType.COMMAND).u16(item.command).u16(item.data.length).bytes(item.data);
      continue;
    }
    writeSection(w, item);
  }
  if (model.eofOffset !== undefined || model.vmdesc || model.trailing) w.u8(SectionType.EOF);
  if (model.vmdesc) writeVmdescSection(w, model.vmdesc.raw);
  if (model.trailing) w.bytes(model.trailing);
  return w.finish();
}

function writeSection(w: WireWriter, s: SectionItem): void {
  writeSectionHeader(w, s.type, s.sectionId, s);
  const body = s.body;
  switch (body.kind) {
    case 'ram':
      writeRamRecords(w, body.records);
      break;
    case 'opaque':
      w.bytes(body.bytes);
      break;
    case 'vmstate':
      if (body.bytes) w.bytes(body.bytes);
      else saveVMState(w, body.vmsd, body.state, undefined, { versionId: s.versionId, path: s.idstr });
      break;
  }
  if (s.footer) writeFooter(w, s.sectionId);
}

/** Pre-sizes the writer (exactly, except for device sections saved from state) so it is not copied on every doubling. */
function estimateSize(model: StreamModel): number {
  let n = 8 + 1 + (model.vmdesc ? 5 + model.vmdesc.raw.length : 0) + (model.trailing?.length ?? 0);
  if (model.configuration) n += 5 + model.configuration.name.length + 64;
  for (const item of model.items) {
    if (item.kind === 'command') {
      n += 5 + item.data.length;
      continue;
    }
    n += 5 + 1 + item.idstr.length + 8 + (item.footer ? 5 : 0);
    const b = item.body;
    if (b.kind === 'ram') n += ramRecordsSize(b.records);
    else if (b.kind === 'opaque') n += b.bytes.length;
    else n += b.bytes ? b.bytes.length : 4096;
  }
  return n;
}
