import { describe, expect, it } from 'vitest';
import { LoadError, WireReader } from '../../../src/wire/index.js';
import { descriptionsFromDumpVmstate, dumpVmstate } from '../../../src/vmstate/dump-vmstate.js';
import { loadVMState } from '../../../src/vmstate/walker-load.js';
import { readCorpusBytes, readManifest } from '../../qemu/corpus-files.js';

describe("-dump-vmstate JSON of the installed QEMU 7.2 (committed corpus)", () => {
  // The corpus keeps QEMU's own text as it printed it (gzipped; its sha256 is checked in suites/qemu/corpus.test.ts).
  for (const dump of readManifest().vmstateDumps) {
    it(`${dump.machine}: import then export reproduces QEMU 7.2's text byte for byte`, () => {
      const text = Buffer.from(readCorpusBytes(dump.file)).toString('utf8');
      const { machine, descriptions } = descriptionsFromDumpVmstate(text);
      expect(machine).toBe(dump.machine);
      expect(dumpVmstate(descriptions, machine) === text).toBe(true);
    });
  }
});

/*
 * A dump written by hand the way dump_vmstate_json_to_file prints it: device
 * entries at indent 2, their keys at 4, "Description" at 4 with its keys at
 * 6, fields at 8 with their keys at 10, a field's nested Description at 10,
 * subsections at 8; "Fields" absent when vmsd->fields is NULL.
 */
const HAND = `{
  "vmschkmachine": {
    "Name": "pc-q35-7.2"
  },
  "my-dev": {
    "Name": "my-dev",
    "version_id": 2,
    "minimum_version_id": 1,
    "Description": {
      "name": "mydev",
      "version_id": 2,
      "minimum_version_id": 1,
      "Fields": [
        {
          "field": "a",
          "version_id": 0,
          "field_exists": false,
          "size": 1
        },
        {
          "field": "cfg",
          "version_id": 2,
          "field_exists": true,
          "size": 2
        },
        {
          "field": "s",
          "version_id": 0,
          "field_exists": false,
          "size": 24,
          "Description": {
            "name": "inner",
            "version_id": 1,
            "minimum_version_id": 1
          }
        }
      ],
      "Subsections": [
        {
          "name": "mydev/sub",
          "version_id": 1,
          "minimum_version_id": 1,
          "Fields": [
            {
              "field": "x",
              "version_id": 0,
              "field_exists": false,
              "size": 1
            }
          ]
        }
      ]
    }
  }
}
`;

describe('-dump-vmstate import on a hand-written dump', () => {
  it('round-trips, keeping the absent "Fields" of a field-less nested description', () => {
    const { machine, descriptions } = descriptionsFromDumpVmstate(HAND);
    expect(machine).toBe('pc-q35-7.2');
    expect([...descriptions.keys()]).toEqual(['my-dev']);
    expect(dumpVmstate(descriptions, machine)).toBe(HAND);
  });
  it('imports scalars as opaque runs of `size`, nested descriptions as structs', () => {
    const vmsd = descriptionsFromDumpVmstate(HAND).descriptions.get('my-dev')!;
    expect(vmsd.name).toBe('mydev');
    expect(vmsd.fields.map((f) => f.kind)).toEqual(['opaque', 'opaque', 'struct']);
    expect(vmsd.fields[0]).toMatchObject({ kind: 'opaque', size: 1 });
    expect(vmsd.subsections?.[0]?.name).toBe('mydev/sub');
  });
  it('field_exists=true: undecidable by default (a refusal when a walker asks), or the resolver decides', () => {
    const plain = descriptionsFromDumpVmstate(HAND).descriptions.get('my-dev')!;
    let e: unknown;
    try {
      loadVMState(new WireReader(new Uint8Array([1, 2, 3])), plain, 2, {});
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(LoadError);
    expect((e as LoadError).code).toBe('vmstate.description-invalid');
    expect((e as LoadError).message).toBe('mydev/cfg: field_exists cannot be decided from a -dump-vmstate description');

    const resolved = descriptionsFromDumpVmstate(HAND, { fieldExists: () => () => false }).descriptions.get('my-dev')!;
    // a (1 byte), cfg skipped, s (no fields), then the stream ends: no subsection.
    const r = new WireReader(new Uint8Array([7]));
    expect(loadVMState(r, resolved, 2, {})).toMatchObject({ a: new Uint8Array([7]) });
  });
  it('refuses what QEMU never writes', () => {
    const bad = HAND.replace('"Name": "my-dev"', '"Name": "other"');
    expect(() => descriptionsFromDumpVmstate(bad)).toThrow(/"Name" differs from the key/);
    expect(() => descriptionsFromDumpVmstate('{"vmschkmachine": {}}')).toThrow(LoadError);
    expect(() => descriptionsFromDumpVmstate('{')).toThrow(/not valid JSON/);
  });
  it('keeps "num" from newer QEMU dumps (printed before "size")', () => {
    const withNum = HAND.replace('"field_exists": false,\n          "size": 1\n', '"field_exists": false,\n          "num": 4,\n          "size": 1\n');
    expect(withNum).not.toBe(HAND);
    const { machine, descriptions } = descriptionsFromDumpVmstate(withNum);
    expect(dumpVmstate(descriptions, machine)).toBe(withNum);
    // ... and with it the field is an array of 4 one-byte elements.
    expect(descriptions.get('my-dev')!.fields[0]).toMatchObject({ kind: 'array', length: 4, of: { kind: 'opaque', size: 1 } });
  });
});

describe('-dump-vmstate export of a hand-built description', () => {
  it('prints field->size: element size for arrays, 1 for bool, 8 for a timer pointer; VALIDATE left out', () => {
    const vmsd = {
      name: 'd',
      version_id: 1,
      minimum_version_id: 1,
      fields: [
        { name: 'regs', kind: 'array' as const, of: { kind: 'int' as const, type: 'uint32' as const }, length: 8, version_id: 1 },
        { name: 'on', kind: 'bool' as const },
        { name: 'chk', kind: 'validate' as const, check: () => true },
        { name: 't', kind: 'timer' as const },
      ],
    };
    const f = (name: string, v: number, size: number): string =>
      `        {\n          "field": "${name}",\n          "version_id": ${v},\n          "field_exists": false,\n          "size": ${size}\n        }`;
    const expected =
      `{\n  "vmschkmachine": {\n    "Name": "m"\n  },\n  "d-class": {\n    "Name": "d-class",\n    "version_id": 1,\n    "minimum_version_id": 1,\n` +
      `    "Description": {\n      "name": "d",\n      "version_id": 1,\n      "minimum_version_id": 1,\n      "Fields": [\n` +
      `${f('regs', 1, 4)},\n${f('on', 0, 1)},\n${f('t', 0, 8)}\n      ]\n    }\n  }\n}\n`;
    expect(dumpVmstate(new Map([['d-class', vmsd]]), 'm')).toBe(expected);
  });
});
