// streamLayoutFor('7.2', machine) against the real QEMU 7.2 captures
// committed under corpus/qemu-7.2 (-nodefaults -m 32M, guest paused with -S,
// so its run state is "prelaunch"). Byte checks only: the configuration
// section is the first thing after the 8-byte header (QEMU_VM_CONFIGURATION
// 0x07), the vmdesc follows EOF as QEMU_VM_VMDESCRIPTION with JSON, and the
// globalstate section is named in the stream.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { streamLayoutFor } from '../../../src/builds/index.js';

const DIR = new URL('../../../corpus/qemu-7.2/', import.meta.url);
const MACHINES = ['isapc', 'microvm', 'pc-i440fx-1.4', 'pc-i440fx-2.0', 'pc-i440fx-2.3', 'pc-i440fx-2.4', 'pc-i440fx-7.2', 'pc-q35-2.4', 'pc-q35-7.2'];

function capture(machine: string): Buffer | undefined {
  const file = new URL(`${machine}.bin.gz`, DIR);
  return existsSync(file) ? gunzipSync(readFileSync(file)) : undefined;
}

/** True when the stream ends with QEMU_VM_VMDESCRIPTION, a be32 length and that many bytes of JSON. */
function hasVmdesc(stream: Buffer): boolean {
  const json = stream.lastIndexOf('{"page_size"');
  // QEMU_VM_VMDESCRIPTION (0x06) and a be32 length precede the JSON.
  return json >= 5 && stream[json - 5] === 0x06 && stream.readUInt32BE(json - 4) === stream.length - json;
}

describe('stream layout of real 7.2 captures', () => {
  for (const machine of MACHINES) {
    const stream = capture(machine);
    it.skipIf(stream === undefined)(machine, () => {
      const s = stream ?? Buffer.alloc(0);
      const layout = streamLayoutFor('7.2', machine);
      expect(s.subarray(0, 8).toString('hex')).toBe('5145564d00000003');
      expect(s[8] === 0x07, 'configuration section').toBe(layout.configurationSection);
      expect(hasVmdesc(s), 'vmdesc').toBe(layout.vmdesc);
      // Paused with -S: "prelaunch", so even the optional globalstate is sent.
      const name = Buffer.from('\x0bglobalstate', 'latin1');
      expect(s.indexOf(name) > 0, 'globalstate section').toBe(layout.globalState !== 'never');
    });
  }
});
