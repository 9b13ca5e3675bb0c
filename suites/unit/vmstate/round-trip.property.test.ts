/**
 * Properties over random descriptions and states: save/load/save is
 * byte-exact; the vmdesc recorded on save describes exactly those bytes
 * (descriptionFromVmdesc loads them and re-saves them, and describes them
 * again the same way); a truncated body is a LoadError or a clean stop
 * (possibly before a cut-off subsection header, as QEMU), never another
 * exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadError, WireReader, WireWriter } from '../../../src/wire/index.js';
import type { ElementKind, IntType, StateObject, VMStateDescription, VMStateField, Value } from '../../../src/vmstate/description.js';
import { descriptionFromVmdesc, stringifyVmdesc, vmdescFromDescription } from '../../../src/vmstate/vmdesc.js';
import { loadVMState } from '../../../src/vmstate/walker-load.js';
import { saveVMState } from '../../../src/vmstate/walker-save.js';

/** mulberry32: a small deterministic PRNG so one fast-check integer drives a whole case. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

const INTS: IntType[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'];

function genElement(rnd: (n: number) => number, depth: number, name: string, inArray: boolean, fixed = false): ElementKind {
  switch (rnd(depth < 2 ? 6 : 5)) {
    case 0:
      return { kind: 'int', type: INTS[rnd(INTS.length)]! };
    case 1:
      return { kind: 'bool' };
    case 2:
      return { kind: 'equal', type: INTS[rnd(INTS.length)]! };
    case 3:
      return { kind: 'timer' };
    case 4:
      return { kind: 'opaque', info: 'custom info', size: rnd(5) };
    default:
      // Array elements keep a fixed layout apart from optional subsections (see genDesc).
      return { kind: 'struct', vmsd: genDesc(rnd, depth + 1, `${name}_s`, true, inArray || fixed) };
  }
}

/**
 * `fixedLayout`: an array element. QEMU describes a compressible array by its
 * first element only (vmsd_can_compress ignores variable sizes), so real
 * vmdescs are only exact for array elements of one layout: no variable
 * sizes in them. Subsections are allowed: they make QEMU describe each
 * element on its own, and elements then differ in which ones they carry.
 */
function genDesc(rnd: (n: number) => number, depth: number, name: string, allowSubsections = true, fixedLayout = false): VMStateDescription {
  const fields: VMStateField[] = [];
  const n = rnd(6);
  for (let i = 0; i < n; i++) {
    const f = `f${i}`;
    let pick = rnd(9);
    if (fixedLayout && (pick === 2 || pick === 4)) pick = 0;
    switch (pick) {
      case 0:
        fields.push({ name: f, kind: 'buffer', size: rnd(5) });
        break;
      case 1:
        fields.push({ name: f, kind: 'unused', size: rnd(4) });
        break;
      case 2:
        fields.push({ name: `${f}_len`, kind: 'int', type: 'uint16' });
        fields.push({ name: f, kind: 'vbuffer', sizeField: `${f}_len`, max: 6 });
        break;
      case 3:
        fields.push({ name: f, kind: 'array', of: genElement(rnd, depth, `${name}_${f}`, true, fixedLayout), length: 1 + rnd(4) });
        break;
      case 4:
        fields.push({ name: `${f}_n`, kind: 'int', type: 'uint8' });
        fields.push({ name: f, kind: 'varray', of: genElement(rnd, depth, `${name}_${f}`, true), countField: `${f}_n`, max: 4 });
        break;
      case 5:
        fields.push({ name: f, kind: 'bitmap', bits: 1 + rnd(130) });
        break;
      case 6:
        fields.push({ name: f, kind: 'validate', check: () => true });
        break;
      default:
        fields.push({ name: f, ...genElement(rnd, depth, `${name}_${f}`, false, fixedLayout) } as VMStateField);
    }
  }
  const vmsd: VMStateDescription = { name, version_id: 1 + rnd(3), minimum_version_id: 1, fields };
  if (allowSubsections && rnd(2) === 0) {
    const count = 1 + rnd(2);
    vmsd.subsections = [];
    for (let i = 0; i < count; i++) {
      const flag = `need${i}`;
      fields.push({ name: flag, kind: 'int', type: 'uint8' });
      const sub = genDesc(rnd, depth + 1, `${name}/sub${i}`, false);
      sub.needed = (s) => (s[flag] as number) % 2 === 1;
      // Subsection fields share the parent's state object: keep their keys apart.
      sub.fields = sub.fields.map((f) => ({ ...f, name: `${name}_sub${i}_${f.name}` }) as VMStateField);
      for (const f of sub.fields) {
        if (f.kind === 'vbuffer') f.sizeField = `${name}_sub${i}_${f.sizeField}`;
        if (f.kind === 'varray') f.countField = `${name}_sub${i}_${f.countField}`;
      }
      vmsd.subsections.push(sub);
    }
  }
  return vmsd;
}

function genInt(rnd: (n: number) => number, type: IntType): number | bigint {
  const bits = Number(type.replace(/\D/g, ''));
  const signed = !type.startsWith('u');
  if (bits === 64) {
    const v = (BigInt(rnd(2 ** 30)) << 34n) | BigInt(rnd(2 ** 30));
    return signed ? BigInt.asIntN(64, v) : v;
  }
  const v = rnd(2 ** Math.min(bits, 30)) * (bits === 32 ? 4 + rnd(4) : 1);
  const u = v % 2 ** bits;
  return signed && u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
}

function genValue(rnd: (n: number) => number, k: ElementKind): Value {
  switch (k.kind) {
    case 'int':
    case 'equal':
      return genInt(rnd, k.type);
    case 'bool':
      return rnd(2) === 1;
    case 'timer':
      return rnd(3) === 0 ? -1n : BigInt(rnd(1e9));
    case 'opaque':
      return bytes(rnd, k.size);
    case 'struct':
      return genState(rnd, k.vmsd, {});
  }
}

function bytes(rnd: (n: number) => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rnd(256));
}

function genState(rnd: (n: number) => number, vmsd: VMStateDescription, s: StateObject): StateObject {
  for (const f of vmsd.fields) {
    switch (f.kind) {
      case 'buffer':
      case 'unused':
        s[f.name] = bytes(rnd, f.size);
        break;
      case 'vbuffer':
        s[f.sizeField] = rnd(f.max + 1);
        s[f.name] = bytes(rnd, s[f.sizeField] as number);
        break;
      case 'array':
        s[f.name] = Array.from({ length: f.length }, () => genValue(rnd, f.of));
        break;
      case 'varray':
        s[f.countField] = rnd(f.max + 1);
        s[f.name] = Array.from({ length: s[f.countField] as number }, () => genValue(rnd, f.of));
        break;
      case 'bitmap':
        s[f.name] = Array.from({ length: Math.ceil(f.bits / 64) }, () => genInt(rnd, 'uint64'));
        break;
      case 'validate':
        break;
      default:
        if (f.name.endsWith('_len') || f.name.endsWith('_n')) break; // set with their buffer/array
        s[f.name] = genValue(rnd, f);
    }
  }
  for (const sub of vmsd.subsections ?? []) genState(rnd, sub, s);
  return s;
}

function saveBytes(vmsd: VMStateDescription, s: StateObject): Uint8Array {
  const w = new WireWriter(64);
  saveVMState(w, vmsd, s);
  return w.finish().slice();
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe('random descriptions', () => {
  it('save -> load -> save is byte-exact', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rnd = prng(seed);
        const vmsd = genDesc(rnd, 0, 'dev');
        const b1 = saveBytes(vmsd, genState(rnd, vmsd, {}));
        const r = new WireReader(b1);
        const loaded = loadVMState(r, vmsd, vmsd.version_id, {});
        expect(r.pos).toBe(b1.length);
        expect(same(saveBytes(vmsd, loaded), b1)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the recorded vmdesc describes exactly the saved bytes', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rnd = prng(seed);
        const vmsd = genDesc(rnd, 0, 'dev');
        const state = genState(rnd, vmsd, {});
        const b1 = saveBytes(vmsd, state);
        const desc = vmdescFromDescription(vmsd, state, { name: 'dev', instance_id: 0 });
        const fromDesc = descriptionFromVmdesc(desc);
        const r = new WireReader(b1);
        const loaded = loadVMState(r, fromDesc, desc.version ?? 0, {});
        expect(r.pos).toBe(b1.length);
        expect(same(saveBytes(fromDesc, loaded), b1)).toBe(true);
        const again = vmdescFromDescription(fromDesc, loaded, { name: 'dev', instance_id: 0 });
        expect(stringifyVmdesc({ page_size: 4096, devices: [again] })).toBe(stringifyVmdesc({ page_size: 4096, devices: [desc] }));
      }),
      { numRuns: 300 },
    );
  });

  it('a truncated body is refused with a LoadError, or stops cleanly at its end', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(), (seed, cut) => {
        const rnd = prng(seed);
        const vmsd = genDesc(rnd, 0, 'dev');
        const b1 = saveBytes(vmsd, genState(rnd, vmsd, {}));
        if (b1.length === 0) return;
        const prefix = b1.subarray(0, cut % b1.length);
        const r = new WireReader(prefix);
        try {
          loadVMState(r, vmsd, vmsd.version_id, {});
          // QEMU stops quietly at a subsection header it cannot peek whole,
          // and a nested struct's cut-off header is then read as the parent's
          // next fields: the bytes left are the caller's to judge.
          expect(r.pos).toBeLessThanOrEqual(prefix.length);
        } catch (e) {
          expect(e).toBeInstanceOf(LoadError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
