import { describe, expect, it } from 'vitest';
import { LoadError } from '../../../src/wire/index.js';
import { descriptionFromVmdesc, parseVmdesc } from '../../../src/vmstate/index.js';
import { encodeStream, locateVmdesc, parseStream, summarizeStream } from '../../../src/migration/index.js';
import { StreamBytes, devVmsd, smallStream } from './hand-stream.js';
import { corpusStream, haveCorpus } from './corpus-helpers.js';

function parseError(bytes: Uint8Array, opts = {}): LoadError {
  try {
    parseStream(bytes, opts);
  } catch (e) {
    if (e instanceof LoadError) return e;
    throw e;
  }
  throw new Error('expected parseStream to refuse');
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

describe('parseStream on hand-built streams', () => {
  it('models every item with its offset and re-encodes byte for byte', () => {
    const bytes = smallStream();
    const m = parseStream(bytes);
    expect(m.configuration).toMatchObject({ offset: 8, name: 'mini', subsections: [] });
    const kinds = m.items.map((i) => (i.kind === 'section' ? `${i.type}:${i.idstr}@${i.offset}:${i.body.kind}` : i.kind));
    // No vmdesc and no descriptions: the device body is delimited by its footer.
    expect(kinds).toEqual(['start:ram@17:ram', 'part:ram@88:ram', 'full:dev@8340:opaque']);
    expect(m.eofOffset).toBe(8366);
    expect(same(encodeStream(m), bytes)).toBe(true);
  });

  it('RAM records keep flags, CONTINUE and payload views', () => {
    const bytes = smallStream();
    const part = parseStream(bytes).items[1]!;
    if (part.kind !== 'section' || part.body.kind !== 'ram') throw new Error('not ram');
    const [p0, z1, p2, eos] = part.body.records;
    expect(p0).toMatchObject({ type: 'page', flags: 0x08, block: 'pc.ram', addr: 0n, offset: 93 });
    expect(z1).toMatchObject({ type: 'zero', flags: 0x22, blockResolved: 'pc.ram', addr: 0x1000n, fill: 0 });
    expect(z1).not.toHaveProperty('block');
    expect(p2).toMatchObject({ type: 'page', block: '/rom@acpi' });
    expect(eos).toMatchObject({ type: 'eos', flags: 0x10 });
    // The payload is a view into the input: same buffer, no copy.
    if (p0?.type !== 'page') throw new Error('not a page');
    expect(p0.data.buffer).toBe(bytes.buffer);
    expect(p0.data.byteOffset).toBe(93 + 8 + 7);
  });

  it('decodes a device with a supplied description (e.g. from -dump-vmstate)', () => {
    const m = parseStream(smallStream(), { descriptions: new Map([['dev', devVmsd]]) });
    const dev = m.items[2]!;
    expect(dev.kind === 'section' && dev.body.kind === 'vmstate' && dev.body.state).toEqual({ reg: 0xdeadbeef });
  });

  it('without footers, a section with no description cannot be delimited', () => {
    const b = new StreamBytes().header().start(4, 0, 'dev', 0, 2).u32(1).u8(0).bytesOut();
    const e = parseError(b);
    expect(e.code).toBe('vmstate.opaque-section');
    expect(e.offset).toBe(8 + 17);
    // ...but can be with a description.
    expect(same(encodeStream(parseStream(b, { descriptions: new Map([['dev', devVmsd]]) })), b)).toBe(true);
  });

  it('an opaque section whose footer never comes is a truncation', () => {
    // Cut just before the dev section's footer (offset 8361, see hand-stream.ts).
    expect(parseError(smallStream().subarray(0, 8361))).toMatchObject({ code: 'wire.truncated', offset: 8357, path: 'dev' });
  });

  it('structure errors use QEMU wording', () => {
    expect(parseError(new StreamBytes().header().u8(0x09).bytesOut())).toMatchObject({ code: 'stream.unknown-section-type', message: 'Unknown savevm section type 9', offset: 8 });
    expect(parseError(new StreamBytes().header().part(3, 5).bytesOut())).toMatchObject({ code: 'stream.unknown-section-id', message: 'Unknown savevm section 5' });
    const b = smallStream();
    b[83 + 4] = 9; // the RAM START section's footer (see hand-stream.ts) now names section 9
    expect(parseError(b)).toMatchObject({
      code: 'section.footer-mismatch',
      message: 'Mismatched section id in footer for ram - read 0x9 expected 0x1',
      offset: 83,
    });
  });

  it('a supplied description that does not end at the footer falls back to an opaque body, with a warning', () => {
    // -dump-vmstate descriptions are lossy; here 'dev' is described as a uint16, 2 bytes short.
    const short = { ...devVmsd, fields: [{ name: 'reg', kind: 'int' as const, type: 'uint16' as const }] };
    const m = parseStream(smallStream(), { descriptions: new Map([['dev', short]]) });
    const dev = m.items[2]!;
    expect(dev.kind === 'section' && dev.body.kind).toBe('opaque');
    expect(m.warnings).toHaveLength(1);
    expect(m.warnings[0]).toMatch(/^dev: decoding with the descriptions description failed/);
  });

  it('a block list that overruns the MEM_SIZE total is refused when parsing (strict)', () => {
    const e = parseError(smallStream({ total: 0x1000n }));
    expect(e).toMatchObject({ code: 'ram.total-mismatch', offset: 42, path: 'ram/pc.ram' });
  });
});

describe('zero runs (ZeroRecord.run)', () => {
  it('successive CONTINUE|ZERO pages fold into one record and re-encode exactly', () => {
    // pc.ram is 0x2000 + 0x6000 here: pages 0..7; page 0 names the block, 1..5 continue with fill 0,
    // page 6 has fill 1 (a new record), page 7 fill 1 again (folds into page 6's run).
    const bytes = smallStream({
      blocks: [['pc.ram', 0x8000], ['/rom@acpi', 0x1000]],
      pages: (w) => {
        w.zero(0, 'pc.ram');
        for (let p = 1; p < 6; p++) w.zero(p * 0x1000, undefined);
        w.zero(0x6000, undefined, 1).zero(0x7000, undefined, 1);
      },
    });
    const m = parseStream(bytes);
    const part = m.items[1]!;
    if (part.kind !== 'section' || part.body.kind !== 'ram') throw new Error('not ram');
    expect(part.body.records.map((r) => [r.type, r.addr, r.type === 'zero' ? (r.run ?? 1) : 0])).toEqual([
      ['zero', 0n, 6],
      ['zero', 0x6000n, 2],
      ['eos', 0n, 0],
    ]);
    expect(same(encodeStream(m), bytes)).toBe(true);
    expect(summarizeStream(m).ram.blocks[0]).toMatchObject({ zeroPages: 8, pages: 8 });
  });

  it('a run stops before a page beyond used_length, which is then refused', () => {
    const bytes = smallStream({ pages: (w) => w.zero(0, 'pc.ram').zero(0x1000, undefined).zero(0x2000, undefined) });
    // Records: START body ends at 83+5 = 88 (PART header), first record at 93 (16 bytes: word, "pc.ram", fill),
    // then 9-byte records at 109 and 118: the one at 118 addresses 0x2000 = used_length.
    expect(parseError(bytes)).toMatchObject({ code: 'ram.offset-out-of-range', message: 'Illegal RAM offset 2000', offset: 118 });
  });
});

describe('hostile lengths are refused as truncated, before any allocation', () => {
  it('a configuration name of 2^31 bytes', () => {
    const b = new StreamBytes().header().u8(0x07).u32(0x80000000).bytesOut();
    expect(parseError(b)).toMatchObject({ code: 'wire.truncated', offset: 13 });
  });
  it('a section idstr of 255 bytes past the end', () => {
    const b = new StreamBytes().header().u8(0x04).u32(1).u8(255).bytesOut();
    expect(parseError(b)).toMatchObject({ code: 'wire.truncated', offset: 14 });
  });
  it('a RAM block idstr of 255 bytes past the end', () => {
    const b = new StreamBytes().header().start(1, 1, 'ram', 0, 4).ramWord(0x1000, 0x04).u8(255).u8(1).bytesOut();
    expect(parseError(b).code).toBe('wire.truncated');
  });
  it('a vmdesc claiming 4 GiB', () => {
    const b = new StreamBytes().header().u8(0).u8(0x06).u32(0xffffffff).u8(0x7b).bytesOut();
    expect(parseError(b)).toMatchObject({ code: 'wire.truncated', offset: 14 });
  });
  it('a capabilities subsection claiming 2^32-1 entries', () => {
    const b = new StreamBytes().header().config('m').u8(0x05).shortString('configuration/capabilities').u32(1).u32(0xffffffff).bytesOut();
    expect(parseError(b).code).toBe('wire.truncated');
  });
  it('a MEM_SIZE entry of 2^62 bytes parses (it is only a number) and is refused by a destination', () => {
    const b = smallStream({ blocks: [['pc.ram', 1n << 62n]], pages: () => {} });
    const m = parseStream(b);
    const start = m.items[0]!;
    expect(start.kind === 'section' && start.body.kind === 'ram' && start.body.records[0]).toMatchObject({ blocks: [{ idstr: 'pc.ram', length: 1n << 62n }] });
  });
});

describe('vmdesc', () => {
  it('is located like analyze-migration.py does (last NUL, first brace, 0x06 + be32 before it)', () => {
    const json = '{"page_size": 4096, "devices": []}';
    const b = new StreamBytes().header().u8(0).u8(0x06).u32(json.length);
    for (const c of json) b.u8(c.charCodeAt(0));
    const bytes = b.bytesOut();
    expect(locateVmdesc(bytes)).toMatchObject({ offset: 9 });
    const m = parseStream(bytes);
    expect(m.vmdesc).toMatchObject({ offset: 9, json: { page_size: 4096, devices: [] } });
    expect(same(encodeStream(m), bytes)).toBe(true);
  });
  it('bytes after the vmdesc are kept as trailing and re-encoded', () => {
    const bytes = new StreamBytes().header().u8(0).u8(0x06).u32(2).u8(0x7b).u8(0x7d).u8(1).u8(2).bytesOut();
    const m = parseStream(bytes);
    expect(m.trailing).toEqual(Uint8Array.of(1, 2));
    expect(same(encodeStream(m), bytes)).toBe(true);
  });
});

describe.runIf(haveCorpus)('real captures, beyond the plain round trip', () => {
  it('pc-i440fx-2.0 (no footers, no vmdesc) cannot be delimited without descriptions', () => {
    const e = parseError(corpusStream('pc-i440fx-2.0.bin.gz'));
    expect(e).toMatchObject({ code: 'vmstate.opaque-section', path: 'timer' });
  });

  it('pc-i440fx-2.0 parses with descriptions taken from the pc-i440fx-2.3 vmdesc', () => {
    // Same build, older machine types: the 2.3 capture's vmdesc describes the same devices.
    const m23 = parseStream(corpusStream('pc-i440fx-2.3.bin.gz'));
    const vmdesc = parseVmdesc(m23.vmdesc!.raw);
    const descriptions = new Map(vmdesc.devices.map((d) => [d.name, descriptionFromVmdesc(d)]));
    const bytes = corpusStream('pc-i440fx-2.0.bin.gz');
    const m = parseStream(bytes, { descriptions });
    expect(m.vmdesc).toBeUndefined();
    expect(m.items.every((i) => i.kind === 'section' && i.body.kind !== 'opaque')).toBe(true);
    expect(same(encodeStream(m), bytes)).toBe(true);
  });

  it('without its vmdesc, a >= 2.4 stream still parses: device bodies are delimited by their footers', () => {
    const bytes = corpusStream('pc-q35-7.2+all-devices.bin.gz');
    const full = parseStream(bytes);
    const cut = bytes.subarray(0, full.eofOffset! + 1);
    const m = parseStream(cut);
    const opaque = m.items.filter((i) => i.kind === 'section' && i.body.kind === 'opaque');
    expect(opaque.length).toBe(full.items.filter((i) => i.kind === 'section' && i.body.kind === 'vmstate').length);
    expect(same(encodeStream(m), cut)).toBe(true);
    // Each opaque body is exactly the bytes the vmdesc-decoded body had.
    full.items.forEach((item, k) => {
      const o = m.items[k]!;
      if (item.kind === 'section' && item.body.kind === 'vmstate' && o.kind === 'section' && o.body.kind === 'opaque') {
        expect(same(o.body.bytes, item.body.bytes!)).toBe(true);
      }
    });
  });

  it('summary: every page of every block is sent once, so pages = used_length / 4096', () => {
    const bytes = corpusStream('pc-q35-7.2.bin.gz');
    const s = summarizeStream(parseStream(bytes), bytes.length);
    expect(s.layout).toEqual({ configuration: true, footers: true, vmdesc: true });
    expect(s.configuration).toEqual({ machine: 'pc-q35-7.2', subsections: [] });
    // MEM_SIZE total = 0x2000000 + 0x20000 + 0x40000 + 0x20000 + 0x1000 + 0x1000 = 0x2082000.
    expect(s.ram.total).toBe(0x2082000);
    for (const b of s.ram.blocks) expect(b.pages).toBe(Number(b.length) / 4096);
    expect(s.ram.blocks.reduce((n, b) => n + b.pages, 0)).toBe(0x2082000 / 4096); // 8322
    // Sections: ram START/PART/END plus one FULL section per vmdesc device.
    expect(s.sections.length).toBe(3 + s.vmdesc!.devices!);
    expect(s.sections.every((x) => x.size > 0)).toBe(true);
  });
});

