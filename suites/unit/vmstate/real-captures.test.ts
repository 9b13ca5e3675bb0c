import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WireReader, WireWriter } from '../../../src/wire/index.js';
import { descriptionFromVmdesc, stringifyVmdesc, vmdescFromDescription } from '../../../src/vmstate/vmdesc.js';
import { loadVMState } from '../../../src/vmstate/walker-load.js';
import { saveVMState } from '../../../src/vmstate/walker-save.js';
import { findSections, vmdescOf } from './section-finder.js';

const CAP = '/tmp/cap';
const captures = existsSync(CAP) ? readdirSync(CAP).filter((f) => f.endsWith('.bin')) : [];

describe.skipIf(captures.length === 0)('real QEMU 7.2 captures in /tmp/cap', () => {
  for (const file of captures) {
    const stream = new Uint8Array(readFileSync(`${CAP}/${file}`));
    const hasVmdesc = new TextDecoder('latin1').decode(stream.subarray(-300000)).includes('{"page_size"');
    it.skipIf(!hasVmdesc)(`${file}: every device section loads from its vmdesc and re-saves byte-exact`, () => {
      for (const { device, bodyStart, version } of findSections(stream)) {
        const vmsd = descriptionFromVmdesc(device);
        const r = new WireReader(stream, bodyStart);
        const state = loadVMState(r, vmsd, version, {}, { path: device.name });
        // After the body: section footer (0x7e), the next section, or QEMU_VM_EOF (0x00).
        expect([0x7e, 0x04, 0x00, 0x01, 0x02, 0x03], device.name).toContain(stream[r.pos]);
        const w = new WireWriter();
        saveVMState(w, vmsd, state);
        expect(Buffer.from(w.finish()).equals(Buffer.from(stream.subarray(bodyStart, r.pos))), device.name).toBe(true);
        const again = vmdescFromDescription(vmsd, state, { name: device.name, instance_id: device.instance_id });
        expect(JSON.stringify(again) === JSON.stringify(device), device.name).toBe(true);
      }
    });
    it.skipIf(!hasVmdesc)(`${file}: vmdesc re-serialises byte-exact`, () => {
      const { vmdesc, jsonStart } = vmdescOf(stream);
      expect(stringifyVmdesc(vmdesc) === new TextDecoder().decode(stream.subarray(jsonStart))).toBe(true);
    });
  }
});
