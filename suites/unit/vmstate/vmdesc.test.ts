import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadError, WireReader, WireWriter } from '../../../src/wire/index.js';
import type { StateObject, VMStateDescription } from '../../../src/vmstate/description.js';
import {
  descriptionFromVmdesc,
  parseVmdesc,
  stringifyVmdesc,
  vmdescFromDescription,
  type VmdescDevice,
} from '../../../src/vmstate/vmdesc.js';
import { loadVMState } from '../../../src/vmstate/walker-load.js';
import { saveVMState } from '../../../src/vmstate/walker-save.js';
import { hex } from './helpers.js';
import { catchLoadError } from '../../helpers/catch-load-error.js';


describe('vmdesc recorded while saving (QEMU vmsd_desc_field_start/end)', () => {
  const inner: VMStateDescription = {
    name: 'inner',
    version_id: 1,
    minimum_version_id: 1,
    fields: [{ name: 'q', kind: 'int', type: 'uint8' }],
    // A struct with a subsections list cannot be compressed: QEMU describes each element.
    subsections: [],
  };
  const vmsd: VMStateDescription = {
    name: 'dev',
    version_id: 1,
    minimum_version_id: 1,
    fields: [
      { name: 'x', kind: 'int', type: 'uint8' },
      { name: 'x', kind: 'int', type: 'uint16' },
      { name: 'arr', kind: 'array', of: { kind: 'int', type: 'uint32' }, length: 3 },
      { name: 'one', kind: 'array', of: { kind: 'int', type: 'uint8' }, length: 1 },
      { name: 'n', kind: 'int', type: 'uint8' },
      { name: 'v', kind: 'varray', of: { kind: 'int', type: 'uint8' }, countField: 'n', max: 4 },
      { name: 'chk', kind: 'validate', check: () => true },
      { name: 'st', kind: 'array', of: { kind: 'struct', vmsd: inner }, length: 2 },
      {
        name: 't',
        kind: 'struct',
        info: 'tmp',
        vmsd: { name: 'dev_tmp', version_id: 0, minimum_version_id: 0, fields: [{ name: 'z', kind: 'int', type: 'uint16' }] },
      },
      { name: 'e', kind: 'equal', type: 'uint64' },
      { name: 'buf', kind: 'buffer', size: 2 },
      { name: 'u', kind: 'unused', size: 3 },
    ],
    subsections: [{ name: 'dev/s', version_id: 1, minimum_version_id: 1, fields: [{ name: 'w', kind: 'int', type: 'uint8' }] }],
  };
  const state = {
    'x[0]': 1,
    'x[1]': 2,
    arr: [1, 2, 3],
    one: [4],
    n: 0,
    v: [],
    st: [{ q: 5 }, { q: 6 }],
    t: { z: 7 },
    e: 8n,
    buf: hex('0909'),
    w: 10,
  };

  it('names, array_len / index, types and sizes as QEMU writes them', () => {
    const d = vmdescFromDescription(vmsd, state, { name: 'dev', instance_id: 0 });
    const st = (i: number): string =>
      `{"name": "st", "index": ${i}, "type": "struct", "struct": {"vmsd_name": "inner", "version": 1, "fields": [{"name": "q", "type": "uint8", "size": 1}]}, "size": 1}`;
    const expected =
      '{"name": "dev", "instance_id": 0, "vmsd_name": "dev", "version": 1, "fields": [' +
      // Non-unique names get "[n]" (vmfield_name_num).
      '{"name": "x[0]", "type": "uint8", "size": 1}, {"name": "x[1]", "type": "uint16", "size": 2}, ' +
      // A compressible array: once, with array_len and the size of one element.
      '{"name": "arr", "array_len": 3, "type": "uint32", "size": 4}, ' +
      // One element: is_array is n_elems > 1, so no array_len.
      '{"name": "one", "type": "uint8", "size": 1}, ' +
      // The count; the zero-length varray and the VALIDATE leave no entry at all.
      '{"name": "n", "type": "uint8", "size": 1}, ' +
      `${st(0)}, ${st(1)}, ` +
      // VMSTATE_WITH_TMP: the nested description inline in the field.
      '{"name": "t", "type": "tmp", "vmsd_name": "dev_tmp", "version": 0, "fields": [{"name": "z", "type": "uint16", "size": 2}], "size": 2}, ' +
      // QEMU's VMSTATE_UINT64_EQUAL info is called "int64 equal".
      '{"name": "e", "type": "int64 equal", "size": 8}, ' +
      '{"name": "buf", "type": "buffer", "size": 2}, {"name": "u", "type": "unused_buffer", "size": 3}], ' +
      '"subsections": [{"vmsd_name": "dev/s", "version": 1, "fields": [{"name": "w", "type": "uint8", "size": 1}]}]}';
    expect(stringifyVmdesc({ page_size: 4096, devices: [d] })).toBe(`{"page_size": 4096, "devices": [${expected}]}`);
  });

  it('descriptionFromVmdesc of that vmdesc reads the same bytes back and describes them the same way', () => {
    const w = new WireWriter();
    saveVMState(w, vmsd, state);
    const bytes = w.finish();
    const d = vmdescFromDescription(vmsd, state, { name: 'dev', instance_id: 0 });
    const fromDesc = descriptionFromVmdesc(d);
    const r = new WireReader(bytes);
    const loaded = loadVMState(r, fromDesc, 1, {});
    expect(r.pos).toBe(bytes.length);
    const w2 = new WireWriter();
    saveVMState(w2, fromDesc, loaded);
    expect(Buffer.from(w2.finish()).equals(Buffer.from(bytes))).toBe(true);
    expect(JSON.stringify(vmdescFromDescription(fromDesc, loaded, { name: 'dev', instance_id: 0 }))).toBe(JSON.stringify(d));
  });
});

describe('parseVmdesc refuses what is not a vmdesc', () => {
  it('not JSON: stream.vmdesc-invalid, at the given offset', () => {
    const e = catchLoadError(() => parseVmdesc('{"page_size": 4096, "devi', 1234));
    expect(e.code).toBe('stream.vmdesc-invalid');
    expect(e.offset).toBe(1234);
  });
  it('not UTF-8: stream.vmdesc-invalid', () => {
    expect(catchLoadError(() => parseVmdesc(hex('7b ff 7d'))).code).toBe('stream.vmdesc-invalid');
  });
  it('JSON of the wrong shape: vmstate.description-invalid with the JSON path', () => {
    const e = catchLoadError(() =>
      parseVmdesc('{"page_size": 4096, "devices": [{"name": "a", "instance_id": 0, "vmsd_name": "a", "version": 1, "fields": [{"name": "f", "type": "uint8", "size": -1}]}]}'),
    );
    expect(e.code).toBe('vmstate.description-invalid');
    expect(e.path).toBe('vmdesc/devices[0]/fields[0]/size');
  });
  it('bounds: array_len above the limit, deep nesting, oversized text', () => {
    const dev = (fields: string): string =>
      `{"page_size": 4096, "devices": [{"name": "a", "instance_id": 0, "vmsd_name": "a", "version": 1, "fields": [${fields}]}]}`;
    expect(catchLoadError(() => parseVmdesc(dev('{"name": "f", "array_len": 4294967295, "type": "uint8", "size": 1}'))).path).toBe(
      'vmdesc/devices[0]/fields[0]/array_len',
    );
    let nested = '{"name": "leaf", "type": "uint8", "size": 1}';
    for (let i = 0; i < 40; i++) nested = `{"name": "s", "type": "struct", "struct": {"vmsd_name": "s", "version": 1, "fields": [${nested}]}, "size": 1}`;
    expect(catchLoadError(() => parseVmdesc(dev(nested))).message).toMatch(/nesting deeper than 32/);
    expect(catchLoadError(() => parseVmdesc(dev(''), 0, { maxBytes: 10 })).code).toBe('stream.vmdesc-invalid');
  });
  it('descriptionFromVmdesc refuses a "size" the type cannot have', () => {
    const d = parseVmdesc(
      '{"page_size": 4096, "devices": [{"name": "a", "instance_id": 0, "vmsd_name": "a", "version": 1, "fields": [{"name": "s", "type": "struct", "struct": {"vmsd_name": "s", "version": 1, "fields": [{"name": "x", "type": "uint32", "size": 4}]}, "size": 5}]}]}',
    ).devices[0]!;
    const e = catchLoadError(() => descriptionFromVmdesc(d));
    expect(e.code).toBe('vmstate.description-invalid');
    expect(e.path).toBe('a/s');
  });
  it('an int type with another size is kept opaque, not misread', () => {
    const d: VmdescDevice = { name: 'a', instance_id: 0, vmsd_name: 'a', version: 1, fields: [{ name: 'odd', type: 'uint32', size: 3 }] };
    expect(descriptionFromVmdesc(d).fields[0]).toMatchObject({ kind: 'opaque', info: 'uint32', size: 3 });
  });
});

interface Fixture {
  source: string;
  device: VmdescDevice;
  next_byte: number;
  body: string;
}

describe('real QEMU 7.2 section bodies (fixtures/qemu-7.2-sections.json, see fixtures/extract.py)', () => {
  const fixtures = JSON.parse(readFileSync(new URL('./fixtures/qemu-7.2-sections.json', import.meta.url), 'utf8')) as Fixture[];
  for (const f of fixtures) {
    it(`${f.source} ${f.device.name}: loads exactly its bytes, re-saves them and its vmdesc byte for byte`, () => {
      const device = parseVmdesc(JSON.stringify({ page_size: 4096, devices: [f.device] })).devices[0]!;
      const vmsd = descriptionFromVmdesc(device);
      const body = hex(f.body);
      const r = new WireReader(body);
      const state = loadVMState(r, vmsd, device.version ?? 0, {});
      expect(r.pos).toBe(body.length);
      const w = new WireWriter();
      saveVMState(w, vmsd, state);
      expect(Buffer.from(w.finish()).toString('hex')).toBe(f.body);
      const again = vmdescFromDescription(vmsd, state, { name: device.name, instance_id: device.instance_id });
      expect(stringifyVmdesc({ page_size: 4096, devices: [again] })).toBe(stringifyVmdesc({ page_size: 4096, devices: [device] }));
    });
  }
  it('covers subsections, tmp, arrays of structs by index and by array_len', () => {
    const all = JSON.stringify(fixtures.map((f) => f.device));
    for (const needle of ['"subsections"', '"type":"tmp"', '"index":5', '"array_len":32', '"int32 equal"', '"unused_buffer"', '"timer"']) {
      expect(all).toContain(needle);
    }
  });
});

describe('old-style sections (no VMStateDescription)', () => {
  // savevm.c vmstate_save_old_style writes "size", then one "data" field as name, size, type.
  const text =
    '{"page_size": 4096, "devices": [{"name": "old", "instance_id": 0, "size": 3, "fields": [{"name": "data", "size": 3, "type": "buffer"}]}]}';
  it('parse keeps the key order it read, so it writes back the same text', () => {
    expect(stringifyVmdesc(parseVmdesc(text))).toBe(text);
  });
  it('describe the section as one 3-byte buffer, with no version limit', () => {
    const vmsd = descriptionFromVmdesc(parseVmdesc(text).devices[0]!);
    expect(vmsd.fields).toEqual([{ name: 'data', kind: 'buffer', size: 3 }]);
    const r = new WireReader(hex('010203'));
    expect(Buffer.from(loadVMState(r, vmsd, 5, {})['data'] as Uint8Array).toString('hex')).toBe('010203');
  });
});

describe('arrays QEMU describes element by element, whose elements differ', () => {
  const port: VMStateDescription = {
    name: 'port',
    version_id: 1,
    minimum_version_id: 1,
    fields: [{ name: 'on', kind: 'int', type: 'uint8' }],
    subsections: [{ name: 'port/extra', version_id: 1, minimum_version_id: 1, needed: (s) => s['on'] === 1, fields: [{ name: 'e', kind: 'int', type: 'uint16' }] }],
  };
  const vmsd: VMStateDescription = {
    name: 'hub',
    version_id: 1,
    minimum_version_id: 1,
    fields: [{ name: 'ports', kind: 'array', of: { kind: 'struct', vmsd: port }, length: 2 }],
  };
  const state: StateObject = { ports: [{ on: 1, e: 0x102 }, { on: 0 }] };

  it('become one field per element, written back with the same name and index', () => {
    const w = new WireWriter();
    saveVMState(w, vmsd, state);
    // ports[0]: on=01, then 05 0a "port/extra" 00000001 e=0102; ports[1]: on=00.
    expect(Buffer.from(w.finish()).toString('hex')).toBe('01' + '050a' + Buffer.from('port/extra').toString('hex') + '00000001' + '0102' + '00');
    const d = vmdescFromDescription(vmsd, state, { name: 'hub', instance_id: 0 });
    expect(d.fields.map((f) => [f.name, f.index, f.size])).toEqual([
      ['ports', 0, 1 + 1 + 1 + 10 + 4 + 2],
      ['ports', 1, 1],
    ]);
    const fromDesc = descriptionFromVmdesc(d);
    expect(fromDesc.fields.map((f) => f.key)).toEqual(['ports[0]', 'ports[1]']);
    const bytes = w.finish();
    const loaded = loadVMState(new WireReader(bytes), fromDesc, 1, {});
    const w2 = new WireWriter();
    saveVMState(w2, fromDesc, loaded);
    expect(Buffer.from(w2.finish()).equals(Buffer.from(bytes))).toBe(true);
    expect(JSON.stringify(vmdescFromDescription(fromDesc, loaded, { name: 'hub', instance_id: 0 }))).toBe(JSON.stringify(d));
  });
});

describe('subsections of a vmdesc-made description are needed when the state has them', () => {
  const withSub = parseVmdesc(
    '{"page_size": 4096, "devices": [{"name": "d", "instance_id": 0, "vmsd_name": "d", "version": 1, "fields": [{"name": "a", "type": "uint8", "size": 1}], "subsections": [{"vmsd_name": "d/s", "version": 1, "fields": [{"name": "x", "type": "uint16", "size": 2}]}]}]}',
  ).devices[0]!;
  const vmsd = descriptionFromVmdesc(withSub);
  const saveHex = (s: StateObject): string => {
    const w = new WireWriter();
    saveVMState(w, vmsd, s);
    return Buffer.from(w.finish()).toString('hex');
  };

  it('decodes and re-saves another stream of the same device that lacks the subsection', () => {
    const r = new WireReader(hex('07'));
    const s = loadVMState(r, vmsd, 1, {});
    expect(s).toEqual({ a: 7 });
    expect(saveHex(s)).toBe('07');
    expect(vmdescFromDescription(vmsd, s, { name: 'd', instance_id: 0 }).subsections).toBeUndefined();
  });
  it('keeps the subsection when the loaded stream had it', () => {
    // a=7, then 0x05, len 3, "d/s" (64 2f 73), be32 1, x=0x0102
    const bytes = '07 05 03 642f73 00000001 0102';
    const s = loadVMState(new WireReader(hex(bytes)), vmsd, 1, {});
    expect(saveHex(s)).toBe(bytes.replace(/ /g, ''));
  });
  it('a state that was not loaded has the subsection when it holds its fields', () => {
    expect(saveHex({ a: 7, x: 0x0102 })).toBe('0705' + '03642f73' + '00000001' + '0102');
    expect(saveHex({ a: 7 })).toBe('07');
  });
});

describe('stringifyVmdesc quotes strings as QEMU json-writer quoted_str does', () => {
  it('short escapes, upper-case \\u escapes below 0x20 and from 0x7f, "/" as is', () => {
    const name = 'a"b\\c\n\x01\x7f\u00e9/';
    const out = stringifyVmdesc({ page_size: 4096, devices: [{ name, instance_id: 0, vmsd_name: 'v', version: 1, fields: [] }] });
    expect(out).toBe('{"page_size": 4096, "devices": [{"name": "a\\"b\\\\c\\n\\u0001\\u007F\\u00E9/", "instance_id": 0, "vmsd_name": "v", "version": 1, "fields": []}]}');
    expect(parseVmdesc(out).devices[0]!.name).toBe(name);
  });
});

describe('NULL elements of an array of pointers to structs', () => {
  // QEMU writes VMS_NULLPTR_MARKER (0x30) for the NULL element and describes it
  // as a "struct" with an empty "struct" object (vmsd_desc_field_start opens it,
  // vmstate_info_nullptr.put writes one byte, vmsd_desc_field_end closes it).
  const text =
    '{"page_size": 4096, "devices": [{"name": "d", "instance_id": 0, "vmsd_name": "d", "version": 1, "fields": [' +
    '{"name": "p", "index": 0, "type": "struct", "struct": {"vmsd_name": "s", "version": 1, "fields": [{"name": "v", "type": "uint8", "size": 1}]}, "size": 1}, ' +
    '{"name": "p", "index": 1, "type": "struct", "struct": {}, "size": 1}]}]}';
  const vmdesc = parseVmdesc(text);
  const vmsd = descriptionFromVmdesc(vmdesc.devices[0]!);

  it('loads, re-saves and re-describes byte for byte', () => {
    expect(stringifyVmdesc(vmdesc)).toBe(text);
    const state = loadVMState(new WireReader(hex('07 30')), vmsd, 1, {});
    const w = new WireWriter();
    saveVMState(w, vmsd, state);
    expect(Buffer.from(w.finish()).toString('hex')).toBe('0730');
    expect(stringifyVmdesc({ page_size: 4096, devices: [vmdescFromDescription(vmsd, state, { name: 'd', instance_id: 0 })] })).toBe(text);
  });
  it('refuses another byte with get_nullptr\'s wording', () => {
    const e = catchLoadError(() => loadVMState(new WireReader(hex('07 31')), vmsd, 1, {}));
    expect(e.code).toBe('vmstate.nullptr-marker');
    expect(e.message).toBe('vmstate: get_nullptr expected VMS_NULLPTR_MARKER');
    expect(e.offset).toBe(1);
    expect(e.path).toBe('d/p[1]');
  });
});
