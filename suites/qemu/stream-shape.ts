import { latin1 } from '../../src/wire/index.js';
import { mapStream } from './stream-map.js';

/**
 * The shape of a stream: what must be equal for two streams to come from
 * "the same machine" — section names, instances, versions, body sizes and
 * subsections, and the RAM block list — but not the guest's state (timer
 * values, page contents). This is the fidelity yardstick for a simulated
 * build against real QEMU (issue 3): same shape, machine type by machine type.
 */

export interface SectionShape {
  idstr: string;
  instance: number;
  version: number;
  /** Bytes between the version word and the footer (or the next section). */
  bodySize: number;
  /** Subsection vmsd names, from the stream's vmdesc when it has one. */
  subsections?: string[];
  /** The vmdesc entry (fields with names, types, sizes, array lengths, structs, subsections) as canonical JSON. */
  layout?: string;
}

export interface StreamShape {
  machine?: string;
  footers: boolean;
  vmdesc: boolean;
  ramBlocks: Array<{ idstr: string; used: number }>;
  /** FULL (device) sections in stream order. */
  sections: SectionShape[];
}

interface VmdescDevice {
  name: string;
  instance_id: number;
  subsections?: Array<{ vmsd_name: string }>;
  [k: string]: unknown;
}

export function shapeOf(bytes: Uint8Array): StreamShape {
  const map = mapStream(bytes);
  const subs = new Map<string, string[]>();
  const layouts = new Map<string, string>();
  if (map.vmdescOffset !== undefined) {
    const json = JSON.parse(latin1(bytes.subarray(map.vmdescOffset + 5, map.vmdescOffset + 5 + map.vmdescLength!))) as { devices?: VmdescDevice[] };
    for (const d of json.devices ?? []) {
      subs.set(`${d.name}#${d.instance_id}`, (d.subsections ?? []).map((s) => s.vmsd_name));
      const { name: _n, instance_id: _i, ...layout } = d;
      layouts.set(`${d.name}#${d.instance_id}`, JSON.stringify(layout));
    }
  }
  return {
    ...(map.machine !== undefined ? { machine: map.machine } : {}),
    footers: map.footers,
    vmdesc: map.vmdescOffset !== undefined,
    ramBlocks: map.ramBlocks.map((b) => ({ idstr: b.idstr, used: Number(b.length) })),
    sections: map.sections
      .filter((s) => s.type === 0x04)
      .map((s) => {
        const key = `${s.name}#${s.instance}`;
        const shape: SectionShape = { idstr: s.name!, instance: s.instance!, version: s.version!, bodySize: s.footerOffset - (s.versionOffset! + 4) };
        const sub = subs.get(key);
        const layout = layouts.get(key);
        return { ...shape, ...(sub ? { subsections: sub } : {}), ...(layout ? { layout } : {}) };
      }),
  };
}

/** Human-readable differences, empty when the shapes agree. */
export function diffShapes(expected: StreamShape, actual: StreamShape): string[] {
  const out: string[] = [];
  for (const k of ['machine', 'footers', 'vmdesc'] as const) {
    if (expected[k] !== actual[k]) out.push(`${k}: expected ${String(expected[k])}, got ${String(actual[k])}`);
  }
  const blocks = (s: StreamShape): string[] => s.ramBlocks.map((b) => `${b.idstr}=0x${b.used.toString(16)}`);
  if (blocks(expected).join() !== blocks(actual).join()) out.push(`RAM blocks: expected [${blocks(expected).join(', ')}], got [${blocks(actual).join(', ')}]`);
  const key = (s: SectionShape): string => `${s.idstr}#${s.instance}`;
  const got = new Map(actual.sections.map((s) => [key(s), s]));
  const want = new Map(expected.sections.map((s) => [key(s), s]));
  for (const e of expected.sections) {
    const a = got.get(key(e));
    if (!a) {
      out.push(`missing section ${key(e)}`);
      continue;
    }
    if (a.version !== e.version) out.push(`${key(e)}: version ${a.version}, expected ${e.version}`);
    if (a.bodySize !== e.bodySize) out.push(`${key(e)}: body ${a.bodySize} bytes, expected ${e.bodySize}`);
    if (e.subsections && a.subsections && e.subsections.join() !== a.subsections.join()) {
      out.push(`${key(e)}: subsections [${a.subsections.join(', ')}], expected [${e.subsections.join(', ')}]`);
    }
    if (e.layout && a.layout && e.layout !== a.layout) out.push(`${key(e)}: vmdesc layout differs: ${firstDifference(e.layout, a.layout)}`);
  }
  for (const a of actual.sections) if (!want.has(key(a))) out.push(`unexpected section ${key(a)}`);
  const order = (s: StreamShape): string => s.sections.map(key).join();
  if (out.length === 0 && order(expected) !== order(actual)) out.push('same sections in another order');
  return out;
}

/** Where two canonical JSON strings first differ, with a little context. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 60);
  return `expected ...${a.slice(from, i + 60)}... got ...${b.slice(from, i + 60)}...`;
}
