import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusDir, corpusEntries, corpusStream, type CorpusEntry } from '../../harness/corpus/qemu-corpus.js';
import { locateVmdesc } from '../../src/migration/index.js';
import { runCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'migcompat-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const entries = corpusEntries();
const file = (e: CorpusEntry) => join(corpusDir(), e.file);

interface VmdescFieldLike {
  name: string;
  type: string;
  size: number;
  array_len?: number;
  struct?: unknown;
  fields?: unknown;
}
interface DeviceLike {
  name: string;
  instance_id: number;
  fields?: VmdescFieldLike[];
  subsections?: unknown[];
  layout?: DeviceLike;
  source?: string;
}

function qemuVmdesc(e: CorpusEntry): { devices: DeviceLike[] } | undefined {
  const bytes = corpusStream(e);
  const found = locateVmdesc(bytes);
  if (!found) return undefined;
  return JSON.parse(Buffer.from(found.raw).toString('utf8')) as { devices: DeviceLike[] };
}

/** Name, type, size and array length of every field, recursively: what "agrees with the vmdesc" means. */
function shape(fields: VmdescFieldLike[] | undefined): unknown {
  return (fields ?? []).map((f) => ({
    name: f.name,
    type: f.type,
    size: f.size,
    array_len: f.array_len,
    struct: f.struct ? shape((f.struct as { fields?: VmdescFieldLike[] }).fields) : undefined,
    fields: f.fields ? shape(f.fields as VmdescFieldLike[]) : undefined,
  }));
}

/**
 * Streams of pc-i440fx-2.0..2.2 carry neither a vmdesc nor section footers,
 * so nothing in them says where a device section ends. The same binary's
 * pc-i440fx-2.3 capture has a vmdesc describing the same devices; it is the
 * description a user would pass with --vmstate.
 */
function descriptionArgs(e: CorpusEntry): string[] {
  if (qemuVmdesc(e) !== undefined) return [];
  const neighbour = entries.find((x) => x.name === 'pc-i440fx-2.3')!;
  const path = join(tmp, 'pc-i440fx-2.3.vmdesc.json');
  writeFileSync(path, JSON.stringify(qemuVmdesc(neighbour)));
  return ['--vmstate', path];
}

describe('migcompat rewrite', () => {
  it.each(entries.map((e) => [e.name, e] as const))('reproduces the real capture %s byte for byte', async (_n, e) => {
    const out = join(tmp, `${e.name}.bin`);
    const r = await runCli(['rewrite', file(e), out, ...descriptionArgs(e)]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(out), Buffer.from(corpusStream(e)))).toBe(0);
  });

  it('refuses a stream without vmdesc or footers when no description is given, naming the section', async () => {
    const e = entries.find((x) => qemuVmdesc(x) === undefined)!;
    const r = await runCli(['rewrite', file(e), join(tmp, 'never.bin')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^refused: vmstate\.opaque-section: Section 'timer' /m);
  });

  it('refuses a truncated stream with exit 1 and the LoadError code', async () => {
    const e = entries.find((x) => x.name === 'pc-q35-7.2')!;
    const cut = join(tmp, 'cut.bin');
    writeFileSync(cut, corpusStream(e).subarray(0, 1000));
    const r = await runCli(['rewrite', cut, join(tmp, 'never.bin')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^refused: wire\.truncated: /m);
  });

  it('exits 2 on a missing input file', async () => {
    const r = await runCli(['rewrite', join(tmp, 'nope.bin'), join(tmp, 'x.bin')]);
    expect(r.exitCode).toBe(2);
  });
});

describe('migcompat analyze --json', () => {
  const withVmdesc = entries.filter((e) => qemuVmdesc(e) !== undefined);

  it.each(withVmdesc.map((e) => [e.name, e] as const))(
    'decodes every device of %s with exactly the field sizes QEMU wrote in its vmdesc',
    async (_n, e) => {
      const r = await runCli(['analyze', '--json', file(e)]);
      expect(r.exitCode, r.stderr).toBe(0);
      const analysis = JSON.parse(r.stdout) as { devices: DeviceLike[]; summary: { sections: unknown[] } };
      const vmdesc = qemuVmdesc(e)!;
      const decoded = analysis.devices.filter((d) => d.source !== 'opaque');
      expect(decoded.map((d) => `${d.name}#${d.instance_id}`)).toEqual(vmdesc.devices.map((d) => `${d.name}#${d.instance_id}`));
      for (const [i, qdev] of vmdesc.devices.entries()) {
        const ours = decoded[i]!.layout!;
        expect(shape(ours.fields), `${qdev.name} fields`).toEqual(shape(qdev.fields));
        expect((ours.subsections ?? []).length, `${qdev.name} subsections`).toBe((qdev.subsections ?? []).length);
      }
    },
  );

  it('decodes qdev sections of a stream stripped of its vmdesc from QEMU\'s -dump-vmstate, agreeing with the vmdesc it lost', async () => {
    // Two independent QEMU sources: the dump (static, every field) and the
    // vmdesc (what this stream actually wrote). Decoding with the first must
    // produce the layout the second records.
    const e = entries.find((x) => x.name === 'pc-q35-7.2')!;
    const bytes = corpusStream(e);
    const found = locateVmdesc(bytes)!;
    const stripped = join(tmp, 'stripped.bin');
    writeFileSync(stripped, bytes.subarray(0, found.offset));
    const dump = join(corpusDir(), 'pc-q35-7.2.vmstate.json.gz');
    const r = await runCli(['analyze', '--json', stripped, '--vmstate', dump]);
    expect(r.exitCode, r.stderr).toBe(0);
    const analysis = JSON.parse(r.stdout) as { devices: DeviceLike[] };
    const byKey = new Map(qemuVmdesc(e)!.devices.map((d) => [`${d.name}#${d.instance_id}`, d]));
    const fromDump = analysis.devices.filter((d) => d.source === 'descriptions');
    // A -dump-vmstate lacks array counts, so some sections cannot be decoded
    // from it; those stay opaque (their footers delimit them) with a warning.
    // Non-device sections (timer, cpu, apic...) are not in a -dump-vmstate: opaque, delimited by footers.
    expect(analysis.devices.some((d) => d.name === 'timer' && d.source === 'opaque')).toBe(true);
    expect(fromDump.length).toBeGreaterThan(5);
    // The dump carries no type names ("unknown" after import): compare what
    // both sources state, field names and wire sizes.
    const sizes = (fields: VmdescFieldLike[] | undefined): unknown =>
      (fields ?? []).map((f) => ({ name: f.name, size: f.size, array_len: f.array_len, struct: f.struct ? sizes((f.struct as { fields?: VmdescFieldLike[] }).fields) : undefined }));
    for (const d of fromDump) {
      const q = byKey.get(`${d.name}#${d.instance_id}`)!;
      expect(d.layout, `${d.name} layout`).toBeDefined();
      expect(sizes(d.layout!.fields), d.name).toEqual(sizes(q.fields));
      expect((d.layout!.subsections ?? []).length, `${d.name} subsections`).toBe((q.subsections ?? []).length);
    }
    // A section the dump could not decode is kept opaque, and a warning says so.
    const warnings = (JSON.parse(r.stdout) as { summary: { warnings: string[] } }).summary.warnings;
    const failed = warnings.filter((w) => w.includes('kept opaque')).map((w) => w.slice(0, w.indexOf(': decoding')));
    expect(failed.length).toBeGreaterThan(0);
    for (const name of failed) expect(analysis.devices.find((d) => d.name === name)?.source, name).toBe('opaque');
  });

  it('reports RAM blocks and page counts that add up to the MEM_SIZE list', async () => {
    const e = entries.find((x) => x.name === 'pc-q35-7.2')!;
    const r = await runCli(['analyze', '--json', '--ram', file(e)]);
    const a = JSON.parse(r.stdout) as {
      summary: { ram: { total: number; blocks: { idstr: string; length: number; pages: number }[] } };
      ram: { block: string; extents: { pages: number }[] }[];
    };
    const blocks = a.summary.ram.blocks;
    // info ramblock of the source, recorded in the manifest, is the reference.
    expect(blocks.map((b) => [b.idstr, b.length])).toEqual(e.ramBlocks.map((b) => [b.idstr, b.used]));
    expect(a.summary.ram.total).toBe(e.ramBlocks.reduce((s, b) => s + b.used, 0));
    // A paused guest is sent whole in the first pass: one record per page of used_length.
    for (const b of blocks) expect(b.pages, b.idstr).toBe(b.length / 4096);
    for (const x of a.ram) {
      expect(x.extents.reduce((s, ex) => s + ex.pages, 0)).toBe(blocks.find((b) => b.idstr === x.block)!.pages);
    }
  });

  it('prints human text on stdout without --json, and the vmdesc with --desc', async () => {
    const e = entries.find((x) => x.name === 'pc-i440fx-7.2')!;
    const r = await runCli(['analyze', '--desc', file(e)]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/machine: pc-i440fx-7\.2/);
    expect(r.stdout).toMatch(/vmdesc:\n\{/);
  });
});
