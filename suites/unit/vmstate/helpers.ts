import { expect } from 'vitest';
import { LoadError, WireReader, WireWriter } from '../../../src/wire/index.js';
import type { StateObject, VMStateDescription } from '../../../src/vmstate/description.js';
import { loadVMState } from '../../../src/vmstate/walker-load.js';
import { saveVMState } from '../../../src/vmstate/walker-save.js';
import { catchLoadError } from '../../helpers/catch-load-error.js';

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function save(vmsd: VMStateDescription, state: StateObject): string {
  const w = new WireWriter(16);
  saveVMState(w, vmsd, state);
  return toHex(w.finish());
}

/** Loads `bytes` and checks the whole input was consumed. */
export function load(vmsd: VMStateDescription, bytes: string, local: StateObject = {}, version = vmsd.version_id): StateObject {
  const r = new WireReader(hex(bytes));
  const state = loadVMState(r, vmsd, version, local);
  expect(r.pos).toBe(r.length);
  return state;
}

export function loadError(
  vmsd: VMStateDescription,
  bytes: string,
  local: StateObject = {},
  version = vmsd.version_id,
): LoadError {
  return catchLoadError(() => loadVMState(new WireReader(hex(bytes)), vmsd, version, local));
}
