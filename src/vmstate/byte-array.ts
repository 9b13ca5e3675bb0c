/**
 * Big byte arrays of state (ICH9LPC's 16 KiB chip_config) as bytes, by array
 * identity. States are never mutated in place (src/vm/state-edit.ts: edits
 * copy), and these arrays are shared defaults, so each is converted once:
 * a save of one is then a copy, and a load's comparison with it a memcmp,
 * instead of 16384 element operations every time.
 */
import type { Value } from './description.js';

/** Arrays shorter than this are handled element by element (not worth a cache entry). */
export const BYTE_RUN_MIN = 256;

const cache = new WeakMap<Value[], Uint8Array | null>();

/**
 * The array as bytes when every element is an integer 0..255 (then byte
 * equality is element equality, and the bytes are what a uint8 save writes);
 * null when not, and the caller goes element by element.
 */
export function arrayAsBytes(value: Value[]): Uint8Array | null {
  let bytes = cache.get(value);
  if (bytes === undefined) {
    bytes = new Uint8Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
        bytes = null;
        break;
      }
      bytes[i] = v;
    }
    cache.set(value, bytes);
  }
  return bytes;
}
