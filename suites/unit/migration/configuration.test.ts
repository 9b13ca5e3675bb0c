import { describe, expect, it } from 'vitest';
import { encodeStream, loadStream, machineNameMatches, parseStream } from '../../../src/migration/index.js';
import { StreamBytes, smallDest } from './hand-stream.js';

/** Header, configuration "mini" and one subsection, then EOF (offset 17 + subsection). */
function withSubsection(add: (w: StreamBytes) => void): Uint8Array {
  const w = new StreamBytes().header().config('mini');
  add(w);
  return w.u8(0x00).bytesOut();
}

describe('configuration subsections (savevm.c vmstate_configuration, QEMU 7.2)', () => {
  const bits = (n: number) => withSubsection((w) => w.u8(0x05).shortString('configuration/target-page-bits').u32(1).u32(n));
  const caps = (...c: string[]) =>
    withSubsection((w) => {
      w.u8(0x05).shortString('configuration/capabilities').u32(1).u32(c.length);
      for (const x of c) w.shortString(x);
    });
  const uuid = withSubsection((w) => w.u8(0x05).shortString('configuration/uuid').u32(1).fill(0xab, 16));

  it('parse and re-encode byte for byte', () => {
    for (const b of [bits(12), caps('x-ignore-shared', 'events'), uuid]) {
      const m = parseStream(b);
      expect(m.configuration?.subsections).toHaveLength(1);
      expect(Buffer.compare(Buffer.from(encodeStream(m)), Buffer.from(b))).toBe(0);
    }
    expect(parseStream(caps('events')).configuration?.subsections[0]).toMatchObject({ capabilities: ['events'] });
  });

  it('target page bits must match the local ones', () => {
    expect(loadStream(bits(12), smallDest()).accepted).toBe(true);
    const v = loadStream(bits(13), smallDest());
    expect(!v.accepted && v.error.message).toBe('Received TARGET_PAGE_BITS is 13 but local is 12');
  });

  it('x-ignore-shared must be on on both sides; other capabilities are not validated', () => {
    expect(loadStream(caps('events'), smallDest()).accepted).toBe(true);
    const v = loadStream(caps('x-ignore-shared'), smallDest());
    expect(!v.accepted && v.error.message).toBe('Capability x-ignore-shared is off, but received capability is on');
    expect(loadStream(caps('x-ignore-shared'), { ...smallDest(), capabilities: ['x-ignore-shared'] }).accepted).toBe(true);
  });

  it('an unknown capability name', () => {
    const v = loadStream(caps('warp-drive'), smallDest());
    expect(!v.accepted && [v.error.code, v.error.message]).toEqual(['stream.config-invalid', 'Received unknown capability warp-drive']);
  });

  it('an unknown subsection is refused', () => {
    const b = withSubsection((w) => w.u8(0x05).shortString('configuration/other').u32(1));
    expect(() => parseStream(b)).toThrow(/unknown subsection configuration\/other/);
  });
});

describe("machine name check: configuration_post_load's strncmp(received, local, received_len)", () => {
  it.each([
    ['pc-q35-7.2', 'pc-q35-7.2', true],
    ['pc-q35', 'pc-q35-7.2', true], // a prefix passes: only the received length is compared
    ['', 'pc-q35-7.2', true],
    ['pc-q35-7.2x', 'pc-q35-7.2', false], // compares local's NUL with 'x'
    ['pc-q35-7.1', 'pc-q35-7.2', false],
    ['pc\0zzz', 'pc', true], // strncmp stops at the NUL both strings share
  ])('%j vs %j -> %s', (received, local, ok) => {
    expect(machineNameMatches(received, local)).toBe(ok);
  });
});
