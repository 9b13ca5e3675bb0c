/**
 * Field kinds, refusals and hooks of the load/save walkers, on hand-built
 * descriptions. Expected bytes are big-endian encodings worked out by hand
 * in the comments; expected messages are QEMU's strings from
 * migration/vmstate.c, migration/vmstate-types.c and migration/savevm.c.
 */
import { describe, expect, it } from 'vitest';
import { createCheckCounter, WireReader } from '../../../src/wire/index.js';
import type { StateObject, VMStateDescription } from '../../../src/vmstate/description.js';
import { loadVMState } from '../../../src/vmstate/walker-load.js';
import { SaveError } from '../../../src/vmstate/walker-save.js';
import { hex, load, loadError, save } from './helpers.js';

const dev = (fields: VMStateDescription['fields'], extra: Partial<VMStateDescription> = {}): VMStateDescription => ({
  name: 'dev',
  version_id: 1,
  minimum_version_id: 1,
  fields,
  ...extra,
});

describe('integers of every width and sign', () => {
  const vmsd = dev([
    { name: 'a', kind: 'int', type: 'int8' },
    { name: 'b', kind: 'int', type: 'uint8' },
    { name: 'c', kind: 'int', type: 'int16' },
    { name: 'd', kind: 'int', type: 'uint16' },
    { name: 'e', kind: 'int', type: 'int32' },
    { name: 'f', kind: 'int', type: 'uint32' },
    { name: 'g', kind: 'int', type: 'int64' },
    { name: 'h', kind: 'int', type: 'uint64' },
  ]);
  const state = { a: -2, b: 200, c: -2, d: 0x1234, e: -1, f: 0xdeadbeef, g: -2n, h: 2n ** 64n - 1n };
  // -2 as int8 is 0xfe; 200 is 0xc8; -2 as int16 0xfffe; -1 as int32 0xffffffff;
  // -2 as int64 is 0xffff_ffff_ffff_fffe; 2^64-1 is eight 0xff bytes.
  const bytes = 'fe c8 fffe 1234 ffffffff deadbeef fffffffffffffffe ffffffffffffffff';

  it('save writes big-endian two-complement values', () => {
    expect(save(vmsd, state)).toBe(bytes.replace(/ /g, ''));
  });
  it('load reads them back with their sign (64-bit as bigint)', () => {
    expect(load(vmsd, bytes)).toEqual(state);
  });
});

describe('bool', () => {
  const vmsd = dev([
    { name: 'x', kind: 'bool' },
    { name: 'y', kind: 'bool' },
  ]);
  it('is one byte, 1 or 0', () => {
    expect(save(vmsd, { x: true, y: false })).toBe('0100');
    expect(load(vmsd, '0100')).toEqual({ x: true, y: false });
  });
  it('accepts any non-zero byte as true, as QEMU get_bool does (it stores the byte into a C bool), and re-saves it as 1', () => {
    const s = load(vmsd, '0200');
    expect(s).toEqual({ x: true, y: false });
    expect(save(vmsd, s)).toBe('0100');
  });
});

describe('*_EQUAL', () => {
  it('accepts the local value', () => {
    expect(load(dev([{ name: 'n', kind: 'equal', type: 'uint8' }]), '03', { n: 3 })).toEqual({ n: 3 });
  });
  it('refuses another value with QEMU\'s "<local> != <incoming>" in hex', () => {
    const e = loadError(dev([{ name: 'n', kind: 'equal', type: 'uint16' }]), '0010', { n: 0xabc });
    expect(e.code).toBe('vmstate.equal-mismatch');
    expect(e.message).toBe('abc != 10');
    expect(e.offset).toBe(0);
    expect(e.path).toBe('dev/n');
  });
  it('prints an int32 as its unsigned 32-bit pattern (PRIx32)', () => {
    const e = loadError(dev([{ name: 'u', kind: 'int', type: 'uint8' }, { name: 'n', kind: 'equal', type: 'int32' }]), '07 00000000', { n: -1 });
    expect(e.message).toBe('ffffffff != 0');
    expect(e.offset).toBe(1);
  });
  it('compares 64-bit values exactly', () => {
    const e = loadError(dev([{ name: 'n', kind: 'equal', type: 'uint64' }]), '0000000000000002', { n: 1n });
    expect(e.message).toBe('1 != 2');
  });
});

describe('buffers', () => {
  it('fixed buffer: exactly `size` bytes', () => {
    const vmsd = dev([{ name: 'b', kind: 'buffer', size: 3 }]);
    expect(toHexState(load(vmsd, '616263'))).toEqual({ b: '616263' });
    expect(save(vmsd, { b: hex('616263') })).toBe('616263');
  });

  const vb = dev([
    { name: 'len', kind: 'int', type: 'uint32' },
    { name: 'data', kind: 'vbuffer', sizeField: 'len', max: 8 },
  ]);
  it('variable buffer sized by an earlier field', () => {
    // len = 3, then "abc"
    const s = load(vb, '00000003 616263');
    expect(toHexState(s)).toEqual({ len: 3, data: '616263' });
    expect(save(vb, s)).toBe('00000003616263');
  });
  it('save refuses a buffer that disagrees with its size field', () => {
    expect(() => save(vb, { len: 2, data: hex('616263') })).toThrow(SaveError);
  });
  it('refuses a size above the local capacity before reading the bytes', () => {
    const e = loadError(vb, '00000009');
    expect(e.code).toBe('vmstate.buffer-too-large');
    expect(e.offset).toBe(4); // right after the 4-byte size field
    expect(e.path).toBe('dev/data');
  });
  it('a size within bounds but beyond the stream is truncation', () => {
    const e = loadError(vb, '00000005 6162');
    expect(e.code).toBe('wire.truncated');
    expect(e.offset).toBe(4);
    expect(e.path).toBe('dev/data');
  });
});

describe('arrays', () => {
  it('fixed array of uint16', () => {
    const vmsd = dev([{ name: 'a', kind: 'array', of: { kind: 'int', type: 'uint16' }, length: 3 }]);
    expect(load(vmsd, '0001 0002 ffff')).toEqual({ a: [1, 2, 0xffff] });
    expect(save(vmsd, { a: [1, 2, 0xffff] })).toBe('00010002ffff');
  });

  const va = (max: number): VMStateDescription =>
    dev([
      { name: 'n', kind: 'int', type: 'uint32' },
      { name: 'a', kind: 'varray', of: { kind: 'int', type: 'uint64' }, countField: 'n', max },
    ]);
  it('variable array with its count in an earlier field', () => {
    const s = load(va(4), '00000002 0000000000000001 0000000000000002');
    expect(s).toEqual({ n: 2, a: [1n, 2n] });
    expect(save(va(4), s)).toBe('0000000200000000000000010000000000000002');
  });
  it('refuses a count of 2^32-1 above the bound before allocating anything', () => {
    const e = loadError(va(16), 'ffffffff');
    expect(e.code).toBe('vmstate.array-too-large');
    expect(e.offset).toBe(4);
    expect(e.path).toBe('dev/a');
  });
  it('a count of 2^32-1 within a huge bound fails as truncated before the loop (2^32-1 x 8 bytes are not there)', () => {
    const cpu0 = process.cpuUsage();
    const e = loadError(va(2 ** 32), 'ffffffff 00');
    expect(e.code).toBe('wire.truncated');
    expect(e.offset).toBe(4);
    // CPU time of this process, not wall time (which a loaded machine stretches at will): an
    // element array allocated for the count, or a loop over it, would cost seconds.
    const cpu = process.cpuUsage(cpu0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(500);
  });
});

describe('structs', () => {
  const inner: VMStateDescription = {
    name: 'inner',
    version_id: 2,
    minimum_version_id: 1,
    fields: [
      { name: 'x', kind: 'int', type: 'uint8' },
      // Present: a struct loads at its own version_id (2), never one from the wire.
      { name: 'y', kind: 'int', type: 'uint16', version_id: 2 },
    ],
  };
  const vmsd = dev([
    { name: 's', kind: 'struct', vmsd: inner },
    { name: 'arr', kind: 'array', of: { kind: 'struct', vmsd: inner }, length: 2 },
  ]);
  const state = { s: { x: 1, y: 2 }, arr: [{ x: 3, y: 4 }, { x: 5, y: 6 }] };
  it('struct and array of struct, no version on the wire', () => {
    expect(save(vmsd, state)).toBe('010002' + '030004' + '050006');
    expect(load(vmsd, '010002 030004 050006')).toEqual(state);
  });
  it('errors inside an array element carry the element path', () => {
    // bytes 0..6 hold s and arr[0] and arr[1].x; arr[1].y needs 2 bytes at offset 7, 1 remains.
    const e = loadError(vmsd, '010002 030004 05 00');
    expect(e.code).toBe('wire.truncated');
    expect(e.offset).toBe(7);
    expect(e.path).toBe('dev/arr[1]/y');
  });
  it('a nested description whose minimum is above its version is refused as QEMU would', () => {
    const broken = dev([{ name: 's', kind: 'struct', vmsd: { ...inner, minimum_version_id: 3 } }]);
    const e = loadError(broken, '010002');
    expect(e.code).toBe('section.version-too-old');
    expect(e.message).toBe('inner: incoming version_id 2 is too old for local minimum version_id  3');
  });
});

describe('unused, timer, bitmap, opaque', () => {
  it('unused padding keeps the bytes it read and writes zeros when fresh', () => {
    const vmsd = dev([
      { name: 'a', kind: 'int', type: 'uint8' },
      { name: 'pad', kind: 'unused', size: 3 },
      { name: 'b', kind: 'int', type: 'uint8' },
    ]);
    expect(save(vmsd, load(vmsd, '01 aabbcc 02'))).toBe('01aabbcc02');
    expect(save(vmsd, { a: 1, b: 2 })).toBe('0100000002');
  });
  it('fields of a repeated name get keys name[n] (QEMU\'s vmdesc names), so repeated padding keeps its own bytes', () => {
    const vmsd = dev([
      { name: 'unused', kind: 'unused', size: 2 },
      { name: 'unused', kind: 'unused', size: 1 },
      { name: 'cfg', kind: 'buffer', size: 1, field_exists: () => false },
      { name: 'cfg', kind: 'buffer', size: 2, key: 'cfg' },
    ]);
    const s = load(vmsd, 'aabb cc 0102');
    expect(Object.keys(s)).toEqual(['unused[0]', 'unused[1]', 'cfg']);
    expect(save(vmsd, s)).toBe('aabbcc0102');
  });
  it('timer: int64 expire time, -1 when not armed', () => {
    const vmsd = dev([{ name: 't', kind: 'timer' }]);
    expect(save(vmsd, { t: -1n })).toBe('ffffffffffffffff');
    expect(load(vmsd, '0000000000001234')).toEqual({ t: 0x1234n });
  });
  it('bitmap: 70 bits take ceil(70/64) = 2 big-endian u64 words', () => {
    const vmsd = dev([{ name: 'm', kind: 'bitmap', bits: 70 }]);
    const s = { m: [1n, 0x8000000000000000n] };
    expect(save(vmsd, s)).toBe('0000000000000001' + '8000000000000000');
    expect(load(vmsd, '0000000000000001 8000000000000000')).toEqual(s);
  });
  it('opaque: a custom info type is `size` bytes kept as read', () => {
    const vmsd = dev([{ name: 'cfg', kind: 'opaque', info: 'pci config', size: 4 }]);
    expect(save(vmsd, load(vmsd, '8680 2912'))).toBe('86802912');
  });
});

describe('VMSTATE_VALIDATE', () => {
  const vmsd = dev([
    { name: 'n', kind: 'int', type: 'uint8' },
    { name: 'n_ok', kind: 'validate', check: (s) => (s['n'] as number) < 4 },
  ]);
  it('passes with no bytes on the wire', () => {
    expect(load(vmsd, '03')).toEqual({ n: 3 });
    expect(save(vmsd, { n: 3 })).toBe('03');
  });
  it('refuses with "Input validation failed: %s/%s"', () => {
    const e = loadError(vmsd, '05');
    expect(e.code).toBe('vmstate.validate-failed');
    expect(e.message).toBe('Input validation failed: dev/n_ok');
    expect(e.offset).toBe(1);
    expect(e.path).toBe('dev/n_ok');
  });
});

describe('per-field version_id and field_exists', () => {
  const vmsd = dev(
    [
      { name: 'a', kind: 'int', type: 'uint8' },
      { name: 'b', kind: 'int', type: 'uint8', version_id: 3 },
      { name: 'c', kind: 'int', type: 'uint8', field_exists: (s) => s['a'] === 1 },
    ],
    { version_id: 3, minimum_version_id: 1 },
  );
  it('a field newer than the stream version is not on the wire (local value kept)', () => {
    expect(load(vmsd, '02', { b: 9 }, 2)).toEqual({ a: 2, b: 9 });
    expect(load(vmsd, '02 07', {}, 3)).toEqual({ a: 2, b: 7 });
  });
  it('field_exists decides alone, on the state loaded so far', () => {
    expect(load(vmsd, '01 07 08', {}, 3)).toEqual({ a: 1, b: 7, c: 8 });
    expect(save(vmsd, { a: 1, b: 7, c: 8 })).toBe('010708');
    expect(save(vmsd, { a: 2, b: 7, c: 8 })).toBe('0207');
  });
});

describe('section version checks', () => {
  const vmsd = dev([{ name: 'a', kind: 'int', type: 'uint8' }], { version_id: 3, minimum_version_id: 1 });
  it('too new: savevm.c wording', () => {
    const e = loadError(vmsd, '00', {}, 4);
    expect(e.code).toBe('section.version-too-new');
    expect(e.message).toBe("savevm: unsupported version 4 for 'dev' v3");
    expect(e.offset).toBe(0);
    expect(e.path).toBe('dev');
  });
  it('too old: vmstate.c wording, two spaces included', () => {
    const e = loadError(vmsd, '00', {}, 0);
    expect(e.code).toBe('section.version-too-old');
    expect(e.message).toBe('dev: incoming version_id 0 is too old for local minimum version_id  1');
  });
});

describe('subsections', () => {
  const vmsd = dev([{ name: 'a', kind: 'int', type: 'uint8' }], {
    subsections: [
      {
        name: 'dev/extra',
        version_id: 2,
        minimum_version_id: 1,
        needed: (s) => s['x'] !== 0,
        fields: [{ name: 'x', kind: 'int', type: 'uint16' }],
      },
    ],
  });
  // 0x05, len 9, "dev/extra" = 64 65 76 2f 65 78 74 72 61, be32 version 2, then x.
  const withSub = '01 05 09 6465762f6578747261 00000002 0005';

  it('needed: written after the fields as 0x05, len, name, be32 version, body', () => {
    expect(save(vmsd, { a: 1, x: 5 })).toBe(withSub.replace(/ /g, ''));
    expect(load(vmsd, withSub)).toEqual({ a: 1, x: 5 });
  });
  it('not needed: not written, and its absence loads', () => {
    expect(save(vmsd, { a: 1, x: 0 })).toBe('01');
    expect(load(vmsd, '01', { x: 0 })).toEqual({ a: 1, x: 0 });
  });
  it('an unknown subsection name with the parent prefix is refused (QEMU: -ENOENT)', () => {
    // "dev/other" = 64 65 76 2f 6f 74 68 65 72
    const e = loadError(vmsd, '01 05 09 6465762f6f74686572 00000001');
    expect(e.code).toBe('vmstate.subsection-unknown');
    expect(e.offset).toBe(1);
    expect(e.path).toBe('dev/other');
  });
  it('a name without the parent prefix, or too short, ends the subsections and leaves the bytes', () => {
    for (const bytes of ['01 05 09 6162632f6578747261 00000002 0005', '01 05 03 616263']) {
      const r = new WireReader(hex(bytes));
      expect(loadVMState(r, vmsd, 1, {})).toEqual({ a: 1 });
      expect(r.pos).toBe(1);
    }
  });
  it('a subsection version above the local one: vmstate.c "too new" wording', () => {
    const e = loadError(vmsd, '01 05 09 6465762f6578747261 00000003 0005');
    expect(e.code).toBe('vmstate.subsection-version');
    expect(e.message).toBe('dev/extra: incoming version_id 3 is too new for local version_id 2');
    expect(e.path).toBe('dev/extra');
  });
  it('only the low byte of the be32 version counts (QEMU reads it into a uint8_t)', () => {
    expect(load(vmsd, '01 05 09 6465762f6578747261 00000102 0005')).toEqual({ a: 1, x: 5 });
  });
  it('errors inside a subsection carry section/subsection/field', () => {
    const e = loadError(vmsd, '01 05 09 6465762f6578747261 00000002 00');
    expect(e.code).toBe('wire.truncated');
    expect(e.path).toBe('dev/extra/x');
    expect(e.offset).toBe(16); // 1 + 1 + 1 + 9 + 4
  });
});

describe('transactional load', () => {
  const inner: VMStateDescription = { name: 'inner', version_id: 1, minimum_version_id: 1, fields: [{ name: 'x', kind: 'int', type: 'uint8' }] };
  const vmsd = dev(
    [
      { name: 'a', kind: 'int', type: 'uint8' },
      { name: 's', kind: 'struct', vmsd: inner },
      { name: 'l', kind: 'array', of: { kind: 'int', type: 'uint8' }, length: 2 },
    ],
    { post_load: (s) => (s['a'] === 0xff ? { message: 'Bad config data', field: 'a' } : undefined) },
  );
  const local = (): StateObject => ({ a: 7, s: { x: 9 }, l: [1, 2], other: 42 });

  it('a post_load refusal is a LoadError and leaves the local state untouched', () => {
    const l = local();
    const e = loadError(vmsd, 'ff 01 0304', l);
    expect(e.code).toBe('vmstate.post-load-failed');
    expect(e.message).toBe('Bad config data');
    expect(e.path).toBe('dev/a');
    expect(e.offset).toBe(4);
    expect(l).toEqual(local());
  });
  it('a successful load returns a new object; fields not in the stream keep their local values', () => {
    const l = local();
    const s = load(vmsd, '01 02 0304', l);
    expect(s).toEqual({ a: 1, s: { x: 2 }, l: [3, 4], other: 42 });
    expect(l).toEqual(local());
    expect(s).not.toBe(l);
  });
  it('a refusal in the middle (truncation) also leaves it untouched', () => {
    const l = local();
    expect(loadError(vmsd, '01 02 03', l).code).toBe('wire.truncated');
    expect(l).toEqual(local());
  });
});

function toHexState(s: StateObject): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v]));
}

describe('pre_save', () => {
  it('runs on a copy: derives wire fields without touching the caller\'s state', () => {
    const vmsd = dev([{ name: 'w', kind: 'int', type: 'uint8' }], { pre_save: (s) => void (s['w'] = (s['v'] as number) + 1) });
    const state = { v: 4 };
    expect(save(vmsd, state)).toBe('05');
    expect(state).toEqual({ v: 4 });
  });
  it('may refuse: "pre-save failed: %s"', () => {
    const vmsd = dev([], { pre_save: () => ({ message: 'device busy' }) });
    expect(() => save(vmsd, {})).toThrow(SaveError);
    expect(() => save(vmsd, {})).toThrow('pre-save failed: dev: device busy');
  });
});

describe('check coverage', () => {
  it('reports each check it evaluates to the CheckLog, refused or not', () => {
    const log = createCheckCounter();
    const vmsd = dev([
      { name: 'n', kind: 'int', type: 'uint8' },
      { name: 'a', kind: 'varray', of: { kind: 'int', type: 'uint8' }, countField: 'n', max: 4 },
      { name: 'e', kind: 'equal', type: 'uint8' },
    ]);
    loadVMState(new WireReader(hex('02 0a0b 07')), vmsd, 1, { e: 7 }, { log });
    expect(log.counts.get('vmstate.array-too-large')).toBe(1);
    expect(log.counts.get('vmstate.equal-mismatch')).toBe(1);
    expect(log.counts.get('section.version-too-new')).toBe(1);
    expect(log.counts.get('section.version-too-old')).toBe(1);
  });
});
