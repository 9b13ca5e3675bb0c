import { cString } from '../wire/index.js';
import type { SectionItem, StreamModel } from './model.js';

/**
 * What `migcompat analyze` prints, in the spirit of QEMU's
 * scripts/analyze-migration.py: the layout, the configuration, every
 * section (name, id, instance, version, offset, size), RAM blocks with
 * page counts, and the vmdesc. Plain JSON-safe data (lengths beyond 2^53,
 * possible only in hostile streams, become decimal strings).
 */
export interface StreamSummary {
  size: number;
  version: number;
  layout: { configuration: boolean; footers: boolean; vmdesc: boolean };
  configuration?: { machine: string; subsections: string[] };
  sections: SectionSummary[];
  ram: RamSummary;
  vmdesc?: { offset: number; size: number; devices?: number };
  trailingBytes: number;
  warnings: string[];
}

export interface SectionSummary {
  type: SectionItem['type'];
  name: string;
  sectionId: number;
  instanceId: number;
  version: number;
  offset: number;
  /** Whole section, header and footer included. */
  size: number;
  bodySize: number;
  body: 'ram' | 'vmstate' | 'opaque';
  vmsdName?: string;
}

export interface RamSummary {
  total?: number | string;
  blocks: { idstr: string; length: number | string; zeroPages: number; normalPages: number; pages: number }[];
  /** Pages by pass (one entry per RAM START/PART/END section). */
  passes: { type: SectionItem['type']; zeroPages: number; normalPages: number }[];
}

function safe(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

export function summarizeStream(model: StreamModel & { warnings?: string[] }, size?: number): StreamSummary {
  const sections: SectionSummary[] = [];
  const blocks = new Map<string, RamSummary['blocks'][number]>();
  const ram: RamSummary = { blocks: [], passes: [] };
  for (const item of model.items) {
    if (item.kind !== 'section') continue;
    const s: SectionSummary = {
      type: item.type,
      name: item.idstr,
      sectionId: item.sectionId,
      instanceId: item.instanceId,
      version: item.versionId,
      offset: item.offset,
      size: item.end - item.offset,
      bodySize: bodySize(item),
      body: item.body.kind,
    };
    if (item.body.kind === 'vmstate') s.vmsdName = item.body.vmsd.name;
    sections.push(s);
    if (item.body.kind !== 'ram') continue;
    const pass = { type: item.type, zeroPages: 0, normalPages: 0 };
    for (const rec of item.body.records) {
      if (rec.type === 'mem-size') {
        ram.total = safe(rec.addr);
        for (const b of rec.blocks) {
          // Keyed by the name QEMU uses (up to a NUL), which is what pages resolve to.
          const entry = { idstr: cString(b.idstr), length: safe(b.length), zeroPages: 0, normalPages: 0, pages: 0 };
          blocks.set(entry.idstr, entry);
          ram.blocks.push(entry);
        }
      } else if (rec.type === 'zero' || rec.type === 'page') {
        const b = blocks.get(rec.blockResolved);
        const n = rec.type === 'zero' ? (rec.run ?? 1) : 1;
        if (rec.type === 'zero') pass.zeroPages += n;
        else pass.normalPages += n;
        if (!b) continue;
        if (rec.type === 'zero') b.zeroPages += n;
        else b.normalPages += n;
        b.pages += n;
      }
    }
    ram.passes.push(pass);
  }
  const out: StreamSummary = {
    size: size ?? estimateEnd(model),
    version: model.version,
    layout: {
      configuration: model.configuration !== undefined,
      footers: model.items.some((i) => i.kind === 'section' && i.footer),
      vmdesc: model.vmdesc !== undefined,
    },
    sections,
    ram,
    trailingBytes: model.trailing?.length ?? 0,
    warnings: model.warnings ?? [],
  };
  if (model.configuration) {
    out.configuration = { machine: model.configuration.name, subsections: model.configuration.subsections.map((s) => s.name) };
  }
  if (model.vmdesc) {
    const json = model.vmdesc.json as { devices?: unknown[] } | undefined;
    out.vmdesc = { offset: model.vmdesc.offset, size: model.vmdesc.raw.length };
    if (Array.isArray(json?.devices)) out.vmdesc.devices = json.devices.length;
  }
  return out;
}

function bodySize(item: SectionItem): number {
  const footer = item.footer ? 5 : 0;
  return item.end - footer - item.bodyOffset;
}

function estimateEnd(model: StreamModel): number {
  if (model.vmdesc) return model.vmdesc.offset + 5 + model.vmdesc.raw.length + (model.trailing?.length ?? 0);
  return (model.eofOffset ?? 0) + 1 + (model.trailing?.length ?? 0);
}

/** Human-readable form for the terminal. */
export function formatSummary(s: StreamSummary): string {
  const lines: string[] = [];
  const layout = [s.layout.configuration && 'configuration', s.layout.footers && 'footers', s.layout.vmdesc && 'vmdesc'].filter(Boolean);
  lines.push(`QEVM v${s.version}, ${s.size} bytes, layout: ${layout.length ? layout.join(' + ') : 'pre-2.4 (no configuration, no footers)'}`);
  if (s.configuration) lines.push(`machine: ${s.configuration.machine}${s.configuration.subsections.length ? ` (${s.configuration.subsections.join(', ')})` : ''}`);
  lines.push('sections:');
  for (const x of s.sections) {
    lines.push(
      `  ${x.type.padEnd(5)} id ${String(x.sectionId).padStart(3)}  ${`${x.name} (${x.instanceId})`.padEnd(36)} v${String(x.version).padEnd(3)} @${String(x.offset).padStart(9)}  ${String(x.size).padStart(8)} B  ${x.body}`,
    );
  }
  if (s.ram.blocks.length) {
    lines.push(`ram: total ${s.ram.total}`);
    for (const b of s.ram.blocks) {
      lines.push(`  ${b.idstr.padEnd(36)} length ${String(b.length).padStart(11)}  pages ${b.pages} (zero ${b.zeroPages}, normal ${b.normalPages})`);
    }
  }
  if (s.vmdesc) lines.push(`vmdesc: ${s.vmdesc.size} bytes @${s.vmdesc.offset}${s.vmdesc.devices !== undefined ? `, ${s.vmdesc.devices} devices` : ''}`);
  if (s.trailingBytes) lines.push(`trailing: ${s.trailingBytes} bytes after the stream`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
