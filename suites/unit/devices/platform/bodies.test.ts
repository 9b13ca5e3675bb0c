/**
 * The default state of every recorded section reproduces the real section
 * body byte for byte: through this folder's codec, and through the project's
 * VMState walker driven by the VMStateDescription the data turns into.
 */
import { describe, expect, it } from 'vitest';
import { WireReader, WireWriter } from '../../../../src/wire/index.js';
import { loadVMState, saveVMState } from '../../../../src/vmstate/index.js';
import { encodeBody, platformMachines, platformSections } from '../../../../src/devices/platform/index.js';

describe.each(platformMachines())('%s section bodies', (machine) => {
  const sections = platformSections(machine);

  it('decode then encode gives the real bytes back', () => {
    for (const s of sections) {
      const w = new WireWriter();
      encodeBody(s.schema, s.state, w);
      expect(Buffer.from(w.finish()).equals(Buffer.from(s.body)), s.idstr).toBe(true);
    }
  });

  it('the vmstate walker saves the default state as the real body', () => {
    for (const s of sections) {
      const w = new WireWriter();
      saveVMState(w, s.description, s.state);
      expect(Buffer.from(w.finish()).equals(Buffer.from(s.body)), s.idstr).toBe(true);
    }
  });

  it('the vmstate walker loads the real body to its last byte', () => {
    for (const s of sections) {
      const r = new WireReader(s.body);
      loadVMState(r, s.description, s.version_id, s.state);
      expect(r.pos, s.idstr).toBe(s.body.length);
    }
  });
});
