import { encodeStream } from '../../../src/migration/index.js';
import type { Mutator } from './types.js';

/**
 * The fallback: byte flips, inserts, deletes and 0xff runs at any offset.
 * No claim about the verdict; the oracle judges them by the contract only.
 */

const flip: Mutator = {
  name: 'bytes.flip',
  hazard: 'byte-level bit flip',
  aims: [],
  apply({ model }, a, b) {
    const bytes = encodeStream(model); // a fresh buffer: edited in place
    if (bytes.length === 0) return undefined;
    const at = a % bytes.length;
    bytes[at] = bytes[at]! ^ (1 << (b % 8));
    return { bytes, note: `bit ${b % 8} of byte ${at} flipped`, expect: undefined };
  },
};

const insert: Mutator = {
  name: 'bytes.insert',
  hazard: 'byte-level insert',
  aims: [],
  apply({ model }, a, b) {
    const src = encodeStream(model);
    const at = a % (src.length + 1);
    const n = (b % 8) + 1;
    const bytes = new Uint8Array(src.length + n);
    bytes.set(src.subarray(0, at));
    bytes.fill(b & 0xff, at, at + n);
    bytes.set(src.subarray(at), at + n);
    return { bytes, note: `${n} bytes 0x${(b & 0xff).toString(16)} inserted at ${at}`, expect: undefined };
  },
};

const remove: Mutator = {
  name: 'bytes.delete',
  hazard: 'byte-level delete',
  aims: [],
  apply({ model }, a, b) {
    const src = encodeStream(model);
    if (src.length === 0) return undefined;
    const at = a % src.length;
    const n = Math.min((b % 8) + 1, src.length - at);
    const bytes = new Uint8Array(src.length - n);
    bytes.set(src.subarray(0, at));
    bytes.set(src.subarray(at + n), at);
    return { bytes, note: `${n} bytes deleted at ${at}`, expect: undefined };
  },
};

/** A 0xff run: the largest value any length or count field at that offset can claim. */
const saturate: Mutator = {
  name: 'bytes.saturate',
  hazard: 'length and count fields at their maximum',
  aims: ['wire.truncated'],
  apply({ model }, a, b) {
    const bytes = encodeStream(model); // a fresh buffer: edited in place
    if (bytes.length === 0) return undefined;
    const at = a % bytes.length;
    const n = [1, 2, 4, 8][b % 4]!;
    bytes.fill(0xff, at, Math.min(bytes.length, at + n));
    return { bytes, note: `${n} bytes 0xff at ${at}`, expect: undefined };
  },
};

export const BYTE_MUTATORS: Mutator[] = [flip, insert, remove, saturate];
