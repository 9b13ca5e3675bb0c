import { describe, expect, it } from 'vitest';
import { TARGET_PAGE_SIZE, createRamBlock, createRamList, fillPage, readPage, writePage } from '../../../src/memory/index.js';
import {
  buildStream,
  encodeStream,
  loadStream,
  parseStream,
  passAllPages,
  passFromDirtyLog,
  type DeviceSource,
  type RamPass,
} from '../../../src/migration/index.js';
import { devVmsd, smallDest } from './hand-stream.js';
import { corpusStream, haveCorpus } from './corpus-helpers.js';

describe('buildStream', () => {
  it('writes QEMU save order and page records; a destination accepts the result', () => {
    const list = createRamList([
      createRamBlock({ idstr: 'pc.ram', usedLength: 0x2000 }),
      createRamBlock({ idstr: '/rom@acpi', usedLength: 0x1000, maxLength: 0x4000, resizeable: true }),
    ]);
    writePage(list.blocks[0]!, 1, new Uint8Array(TARGET_PAGE_SIZE).fill(3));
    const first = passAllPages(list);
    writePage(list.blocks[1]!, 0, new Uint8Array(TARGET_PAGE_SIZE).fill(4));
    const model = buildStream({
      configuration: 'mini',
      footers: true,
      vmdesc: true,
      ram: { sectionId: 1, list, passes: [first, passFromDirtyLog(list)] },
      devices: [{ sectionId: 2, idstr: 'dev', instanceId: 0, vmsd: devVmsd, state: { reg: 42 } }],
    });
    const bytes = encodeStream(model);
    const parsed = parseStream(bytes);
    const ram = parsed.items.filter((i) => i.kind === 'section' && i.body.kind === 'ram');
    expect(ram.map((i) => i.kind === 'section' && i.type)).toEqual(['start', 'part', 'end']);
    const part = ram[1]!;
    if (part.kind !== 'section' || part.body.kind !== 'ram') throw new Error('not ram');
    // pc.ram page 0 zero (names the block), page 1 data (CONTINUE), then /rom@acpi page 0 zero (names it), EOS.
    // (No zero runs here: no two zero pages in a row within a block.)
    expect(part.body.records.map((r) => [r.type, r.flags])).toEqual([
      ['zero', 0x02],
      ['page', 0x28],
      ['zero', 0x02],
      ['eos', 0x10],
    ]);
    // The END pass continues with /rom@acpi, the last block sent: CONTINUE.
    const end = ram[2]!;
    if (end.kind !== 'section' || end.body.kind !== 'ram') throw new Error('not ram');
    expect(end.body.records.map((r) => [r.type, r.flags])).toEqual([
      ['page', 0x28],
      ['eos', 0x10],
    ]);
    expect(parsed.vmdesc?.json).toEqual({
      page_size: 4096,
      devices: [{ name: 'dev', instance_id: 0, vmsd_name: 'dev', version: 2, fields: [{ name: 'reg', type: 'uint32', size: 4 }] }],
    });

    const dest = smallDest();
    const v = loadStream(bytes, { ...dest, expectVmdesc: true });
    expect(v).toMatchObject({ accepted: true, warnings: [] });
    expect(readPage(dest.ram.blocks[0]!, 1)[0]).toBe(3);
    expect(readPage(dest.ram.blocks[1]!, 0)[0]).toBe(4);
    expect(dest.sections[1]!.state).toEqual({ reg: 42 });
  });

  it.runIf(haveCorpus)('rebuilding the all-devices capture from its parts gives the same bytes', () => {
    const bytes = corpusStream('pc-q35-7.2+all-devices.bin.gz');
    const m = parseStream(bytes);
    const list = createRamList();
    const passes: RamPass[] = [];
    let ramId = -1;
    for (const it of m.items) {
      if (it.kind !== 'section' || it.body.kind !== 'ram') continue;
      ramId = it.sectionId;
      const pass: RamPass = new Map();
      for (const r of it.body.records) {
        if (r.type === 'mem-size') for (const b of r.blocks) list.blocks.push(createRamBlock({ idstr: b.idstr, usedLength: Number(b.length) }));
        if (r.type === 'page' || r.type === 'zero') {
          const blk = list.blocks.find((b) => b.idstr === r.blockResolved)!;
          const first = Number(r.addr) / TARGET_PAGE_SIZE;
          const sent = pass.get(r.blockResolved) ?? [];
          pass.set(r.blockResolved, sent);
          for (let index = first; index < first + (r.type === 'zero' ? (r.run ?? 1) : 1); index++) {
            if (r.type === 'page') writePage(blk, index, r.data);
            else fillPage(blk, index, r.fill);
            sent.push({ index, data: blk.pages.get(index) });
          }
        }
      }
      if (it.type !== 'start') passes.push(pass);
    }
    const devices: DeviceSource[] = [];
    for (const it of m.items) {
      if (it.kind === 'section' && it.body.kind === 'vmstate') {
        devices.push({ sectionId: it.sectionId, idstr: it.idstr, instanceId: it.instanceId, vmsd: it.body.vmsd, state: it.body.state });
      }
    }
    const built = buildStream({ configuration: m.configuration!.name, footers: true, vmdesc: true, ram: { sectionId: ramId, list, passes }, devices });
    const out = encodeStream(built);
    expect(out.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(out), Buffer.from(bytes))).toBe(0);
  });
});
