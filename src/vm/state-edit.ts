/**
 * Copy-on-write edits of section state. Default states are shared between
 * every machine booted from the same recorded layout, and a loaded state
 * may hold views into a stream, so nothing is mutated in place: an edit
 * replaces the objects along its path.
 */
import type { StateObject, Value } from '../vmstate/index.js';

export function isPlainState(v: Value | undefined): v is StateObject {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

/** A copy of `state` with `key` set (only if the key exists: layouts are fixed). */
export function withField(state: StateObject, key: string, value: Value): StateObject {
  if (!(key in state)) return state;
  return { ...state, [key]: value };
}

/** A copy with element `index` of array field `key` replaced (no-op when absent or out of range). */
export function withElement(state: StateObject, key: string, index: number, value: Value): StateObject {
  const arr = state[key];
  if (!Array.isArray(arr) || index < 0 || index >= arr.length) return state;
  const copy = arr.slice();
  copy[index] = value;
  return { ...state, [key]: copy };
}

/** A copy with bytes written into buffer field `key` at `offset` (clipped to the buffer). */
export function withBytes(state: StateObject, key: string, offset: number, bytes: Uint8Array): StateObject {
  const buf = state[key];
  if (!(buf instanceof Uint8Array) || offset >= buf.length) return state;
  const copy = buf.slice();
  copy.set(bytes.subarray(0, buf.length - offset), offset);
  return { ...state, [key]: copy };
}

/** A copy with the nested struct at `key` edited by `edit`. */
export function withStruct(state: StateObject, key: string, edit: (s: StateObject) => StateObject): StateObject {
  const inner = state[key];
  if (!isPlainState(inner)) return state;
  return { ...state, [key]: edit(inner) };
}
