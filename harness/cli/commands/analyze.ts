import type { RegisterCommand } from './index.js';
import { parseStream, summarizeStream, formatSummary, type StreamModel, type SectionItem } from '../../../src/migration/index.js';
import { vmdescFromDescription, type StateObject, type Value, type VmdescDevice } from '../../../src/vmstate/index.js';
import { descriptionsFromFiles, addVmstateOption } from '../descriptions.js';
import { readStreamFile } from '../../io/stream-file.js';
import { createOutput, jsonReplacer } from '../output.js';

/**
 * `migcompat analyze`: what QEMU's scripts/analyze-migration.py prints —
 * sections, device state decoded field by field (with the layout the decode
 * used, in vmdesc form), RAM blocks and page counts; `--ram` adds page
 * extents per block, `--desc` the stream's own vmdesc. Without a vmdesc,
 * `--vmstate FILE` decodes with a -dump-vmstate description; with neither,
 * device sections are reported opaque (delimited by their footers).
 */
export const registerAnalyze: RegisterCommand = (program, setExit) => {
  addVmstateOption(program.command('analyze'))
    .description('dump a migration stream: sections, device state, RAM blocks')
    .argument('<in>', 'stream file (raw or gzipped)')
    .option('--json', 'machine-readable output on stdout')
    .option('--ram', 'list RAM page extents per block')
    .option('--desc', "include the stream's vmdesc JSON")
    .action((input: string, opts: { json?: boolean; ram?: boolean; desc?: boolean; vmstate: string[] }) => {
      const out = createOutput(opts.json === true);
      const bytes = readStreamFile(input);
      const descriptions = opts.vmstate.length ? descriptionsFromFiles(opts.vmstate) : undefined;
      const model = parseStream(bytes, descriptions ? { descriptions } : {});
      const analysis = analyzeModel(model, bytes.length, opts);
      out.result(analysis);
      if (!out.json) printAnalysis(out.say, analysis);
      setExit(0);
    });
};

export interface DeviceAnalysis {
  name: string;
  instance_id: number;
  section_id: number;
  version: number;
  offset: number;
  source: 'vmdesc' | 'descriptions' | 'local' | 'opaque';
  vmsd_name?: string;
  /** Field sizes and subsections as decoded, in QEMU's vmdesc shape. */
  layout?: VmdescDevice;
  state?: StateObject;
  opaqueBytes?: number;
  /** Why `layout` is missing although the section decoded. */
  layoutError?: string;
}

export interface Analysis {
  summary: ReturnType<typeof summarizeStream>;
  devices: DeviceAnalysis[];
  ram?: { block: string; extents: { start: string; pages: number; kind: 'zero' | 'page' }[] }[];
  vmdesc?: unknown;
}

export function analyzeModel(model: StreamModel & { warnings?: string[] }, size: number, opts: { ram?: boolean; desc?: boolean } = {}): Analysis {
  const analysis: Analysis = { summary: summarizeStream(model, size), devices: [] };
  for (const item of model.items) {
    if (item.kind !== 'section' || item.body.kind === 'ram') continue;
    if (item.type !== 'full' && item.type !== 'start') continue;
    analysis.devices.push(analyzeDevice(item));
  }
  if (opts.ram) analysis.ram = ramExtents(model);
  if (opts.desc && model.vmdesc) analysis.vmdesc = model.vmdesc.json;
  return analysis;
}

function analyzeDevice(item: SectionItem): DeviceAnalysis {
  const base = { name: item.idstr, instance_id: item.instanceId, section_id: item.sectionId, version: item.versionId, offset: item.offset };
  if (item.body.kind !== 'vmstate') {
    return { ...base, source: 'opaque', opaqueBytes: item.body.kind === 'opaque' ? item.body.bytes.length : 0 };
  }
  const { vmsd, state, source } = item.body;
  try {
    const layout = vmdescFromDescription(vmsd, state, { name: item.idstr, instance_id: item.instanceId });
    return { ...base, source, vmsd_name: vmsd.name, layout, state };
  } catch (e) {
    // The decode succeeded; only re-describing it failed. Keep the state, say why.
    return { ...base, source, vmsd_name: vmsd.name, state, layoutError: (e as Error).message };
  }
}

/** Coalesces page records into runs per block, in stream order. */
function ramExtents(model: StreamModel): NonNullable<Analysis['ram']> {
  const byBlock = new Map<string, { start: bigint; next: bigint; pages: number; kind: 'zero' | 'page' }[]>();
  for (const item of model.items) {
    if (item.kind !== 'section' || item.body.kind !== 'ram') continue;
    for (const rec of item.body.records) {
      if (rec.type !== 'zero' && rec.type !== 'page') continue;
      const runs = byBlock.get(rec.blockResolved) ?? [];
      byBlock.set(rec.blockResolved, runs);
      const kind = rec.type;
      // A zero record may stand for a run of `run` consecutive zero pages.
      const count = rec.type === 'zero' ? (rec.run ?? 1) : 1;
      const span = BigInt(count) * 4096n;
      const last = runs[runs.length - 1];
      if (last && last.kind === kind && last.next === rec.addr) {
        last.pages += count;
        last.next += span;
      } else runs.push({ start: rec.addr, next: rec.addr + span, pages: count, kind });
    }
  }
  return [...byBlock].map(([block, runs]) => ({
    block,
    extents: runs.map((r) => ({ start: `0x${r.start.toString(16)}`, pages: r.pages, kind: r.kind })),
  }));
}

function printAnalysis(say: (line: string) => void, a: Analysis): void {
  say(formatSummary(a.summary));
  for (const d of a.devices) {
    say(`\n${d.name} (${d.instance_id}) v${d.version}  [${d.source}${d.vmsd_name ? `: ${d.vmsd_name}` : ''}]`);
    if (d.state) for (const line of formatState(d.state, '  ')) say(line);
    else say(`  ${d.opaqueBytes} opaque bytes`);
  }
  for (const b of a.ram ?? []) {
    say(`\nram ${b.block}:`);
    for (const e of b.extents) say(`  ${e.start.padStart(12)} ${String(e.pages).padStart(7)} ${e.kind} page(s)`);
  }
  if (a.vmdesc !== undefined) say(`\nvmdesc:\n${JSON.stringify(a.vmdesc, null, 1)}`);
}

function formatState(state: StateObject, indent: string): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(state)) lines.push(...formatValue(key, value, indent));
  return lines;
}

function formatValue(key: string, v: Value, indent: string): string[] {
  if (v instanceof Uint8Array) {
    const hex = Buffer.from(v.buffer, v.byteOffset, Math.min(v.byteLength, 32)).toString('hex');
    return [`${indent}${key} = [${v.byteLength} bytes] ${hex}${v.byteLength > 32 ? '...' : ''}`];
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean')) {
      return [`${indent}${key} = [${v.map((x) => formatScalar(x as number | bigint | boolean)).join(', ')}]`];
    }
    return v.flatMap((x, i) => formatValue(`${key}[${i}]`, x, indent));
  }
  if (typeof v === 'object') return [`${indent}${key}:`, ...formatState(v, indent + '  ')];
  return [`${indent}${key} = ${formatScalar(v)}`];
}

function formatScalar(v: number | bigint | boolean): string {
  if (typeof v === 'boolean') return String(v);
  return typeof v === 'bigint' ? `0x${BigInt.asUintN(64, v).toString(16)}` : `0x${(v >>> 0).toString(16)}`;
}

// Exposed for tests that compare a decode with QEMU's own vmdesc.
export { jsonReplacer };
