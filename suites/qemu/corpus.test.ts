import { afterAll, describe, expect, it } from 'vitest';
import { COMMITTED, sha256 } from '../../harness/targets/capture-corpus.js';
import { captureStream } from '../../harness/targets/qemu-target.js';
import { readCorpusBytes, readCorpusJson, readCorpusStream, readManifest } from './corpus-files.js';
import { assertNoQemuLeft, describeQemu } from './qemu-env.js';
import { mapStream } from './stream-map.js';
import { diffShapes, shapeOf } from './stream-shape.js';

/**
 * The committed corpus is what its manifest says it is (no QEMU needed), and,
 * when QEMU is installed, still what the installed QEMU writes: the same
 * sections and the same RAM block list as a live capture of the same command.
 */

const manifest = readManifest();

describe('committed corpus corpus/qemu-7.2', () => {
  it('holds the representative set, made by QEMU 7.2', () => {
    expect(manifest.streams.map((s) => s.name).sort()).toEqual([...COMMITTED].sort());
    expect(manifest.qemuVersion).toMatch(/^7\.2\./);
    expect(manifest.vmstateDumps.map((d) => d.machine).sort()).toEqual(['pc-i440fx-7.2', 'pc-q35-7.2']);
  });

  it.each(manifest.streams.map((s) => [s.name, s] as const))('%s matches its manifest entry', (_name, entry) => {
    const bytes = readCorpusStream(entry);
    expect(bytes.length).toBe(entry.size);
    expect(sha256(bytes)).toBe(entry.sha256);
    const map = mapStream(bytes);
    // The stream's own MEM_SIZE list agrees with `info ramblock` taken on the source.
    expect(map.ramBlocks.map((b) => [b.idstr, Number(b.length)])).toEqual(entry.ramBlocks.map((b) => [b.idstr, b.used]));
    if (map.machine !== undefined) expect(map.machine).toBe(entry.machine);
    expect(entry.qemuArgs).toEqual(expect.arrayContaining(['-machine', entry.machine, '-nodefaults', '-m', entry.ram]));
  });

  it('tells configurations apart by shape: e1000 adds its section and ROM block, nothing else', () => {
    const bare = shapeOf(readCorpusStream(manifest.streams.find((s) => s.name === 'pc-q35-7.2')!));
    const nic = shapeOf(readCorpusStream(manifest.streams.find((s) => s.name === 'pc-q35-7.2+e1000')!));
    expect(diffShapes(bare, bare)).toEqual([]);
    const d = diffShapes(bare, nic);
    expect(d).toContain('unexpected section 0000:00:01.0/e1000#0');
    expect(d.some((l) => l.startsWith('RAM blocks:') && l.includes('0000:00:01.0/e1000.rom=0x40000'))).toBe(true);
    // A field layout change (pcspk's first uint8 becoming 2 bytes) is reported even at an equal section count.
    const widened = { ...bare, sections: bare.sections.map((x) => (x.idstr === 'pcspk' ? { ...x, layout: x.layout!.replace('"size":1', '"size":2') } : x)) };
    expect(diffShapes(bare, widened).some((l) => l.startsWith('pcspk#0: vmdesc layout differs'))).toBe(true);
    // Every other section keeps its size, and the ACPI tables block stays at 0x20000 used: only these two differ.
    expect(d).toHaveLength(2);
  });

  it.each(manifest.vmstateDumps.map((d) => [d.machine, d] as const))('%s -dump-vmstate is intact', (_m, dump) => {
    expect(sha256(readCorpusBytes(dump.file))).toBe(dump.sha256);
    const json = readCorpusJson(dump.file) as Record<string, { version_id: number; minimum_version_id: number }>;
    // Facts the mutation suite relies on, as QEMU 7.2 declares them.
    expect(json['isa-pcspk']).toMatchObject({ version_id: 1, minimum_version_id: 1 });
    expect(json['mc146818rtc']).toMatchObject({ version_id: 3, minimum_version_id: 1 });
  });
});

describeQemu('committed corpus vs the installed QEMU', (qemu) => {
  afterAll(() => {
    assertNoQemuLeft();
  });

  describe.concurrent('live capture has the same shape', () => {
    it.each(manifest.streams.map((s) => [s.name, s] as const))('%s', async (_name, entry) => {
      const live = await captureStream(qemu, { machine: entry.machine, devices: entry.devices, ram: entry.ram });
      expect(diffShapes(shapeOf(readCorpusStream(entry)), shapeOf(live.stream))).toEqual([]);
      expect(live.ramBlocks.map((b) => ({ idstr: b.idstr, pageSize: b.pageSize, used: b.used, max: b.max }))).toEqual(entry.ramBlocks);
    });
  });
}, { series: '7.2' });
