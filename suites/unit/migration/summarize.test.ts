import { describe, expect, it } from 'vitest';
import { createCheckCounter, isCheckCode } from '../../../src/wire/index.js';
import { formatSummary, loadStream, parseStream, summarizeStream } from '../../../src/migration/index.js';
import { smallDest, smallStream } from './hand-stream.js';

describe('summarizeStream on the small hand-built stream', () => {
  const s = summarizeStream(parseStream(smallStream()), 8367);

  it('lists sections with offsets and sizes', () => {
    expect(s.layout).toEqual({ configuration: true, footers: true, vmdesc: false });
    // START 17..88 (71 bytes with its footer), PART 88..8340, FULL 8340..8366 (17 + 4 + 5).
    expect(s.sections.map((x) => [x.type, x.name, x.sectionId, x.offset, x.size, x.bodySize, x.body])).toEqual([
      ['start', 'ram', 1, 17, 71, 49, 'ram'],
      ['part', 'ram', 1, 88, 8252, 8242, 'ram'],
      ['full', 'dev', 2, 8340, 26, 4, 'opaque'],
    ]);
  });

  it('counts pages per block and per pass', () => {
    expect(s.ram.total).toBe(0x3000);
    expect(s.ram.blocks).toEqual([
      { idstr: 'pc.ram', length: 0x2000, zeroPages: 1, normalPages: 1, pages: 2 },
      { idstr: '/rom@acpi', length: 0x1000, zeroPages: 0, normalPages: 1, pages: 1 },
    ]);
    expect(s.ram.passes).toEqual([
      { type: 'start', zeroPages: 0, normalPages: 0 },
      { type: 'part', zeroPages: 1, normalPages: 2 },
    ]);
  });

  it('formats for the terminal', () => {
    const text = formatSummary(s);
    expect(text.split('\n')[0]).toBe('QEVM v3, 8367 bytes, layout: configuration + footers');
    expect(text).toContain('machine: mini');
    expect(text).toMatch(/pc\.ram +length +8192 +pages 2 \(zero 1, normal 1\)/);
  });
});

describe('coverage log', () => {
  it('the loader reports the checks it evaluated, all registered codes', () => {
    const log = createCheckCounter();
    expect(loadStream(smallStream(), smallDest(), { log }).accepted).toBe(true);
    const reached = [...log.counts.keys()];
    expect(reached.every(isCheckCode)).toBe(true);
    for (const code of ['stream.bad-magic', 'stream.machine-mismatch', 'ram.unknown-block', 'ram.offset-out-of-range', 'section.footer-mismatch'] as const) {
      expect(reached).toContain(code);
    }
  });
});
