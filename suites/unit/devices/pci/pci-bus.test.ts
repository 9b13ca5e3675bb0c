import { describe, expect, it } from 'vitest';
import { createPciBus, loadPciBus, pciBusVmsd, savePciBus } from '../../../../src/devices/pci/index.js';
import { WireReader, WireWriter, isLoadError } from '../../../../src/wire/index.js';
import { hexBytes } from './fixtures.js';

describe('PCIBUS section', () => {
  // Real QEMU 7.2 pc-q35-7.2 (/tmp/cap/q35.bin), body of section "PCIBUS":
  // nirq = 8, then eight zero irq counts.
  const REAL_Q35 = hexBytes('00000008' + '00000000'.repeat(8));

  it('round-trips the real q35 body', () => {
    const bus = createPciBus(8);
    const r = new WireReader(REAL_Q35);
    loadPciBus(bus, r);
    expect(r.atEnd()).toBe(true);
    const w = new WireWriter();
    savePciBus(bus, w);
    expect(w.finish()).toEqual(REAL_Q35);
  });

  it('refuses another nirq with get_int32_equal wording (local first, hex)', () => {
    // i440fx routes 4 lines; a q35 stream says 8. QEMU 7.2 printed "8 != 10"
    // for a q35 destination and nirq 16, so the i440fx case reads "4 != 8".
    const bus = createPciBus(4);
    try {
      loadPciBus(bus, new WireReader(REAL_Q35));
      throw new Error('accepted');
    } catch (e) {
      expect(isLoadError(e) && [e.code, e.message, e.offset]).toEqual(['vmstate.equal-mismatch', '4 != 8', 0]);
    }
    const b16 = new Uint8Array(REAL_Q35);
    b16[3] = 0x10;
    expect(() => loadPciBus(createPciBus(8), new WireReader(b16))).toThrow('8 != 10');
  });

  it('describes the section for the walker', () => {
    const d = pciBusVmsd(createPciBus(8));
    expect([d.name, d.version_id, d.fields.map((f) => f.kind)]).toEqual(['PCIBUS', 1, ['equal', 'varray']]);
  });
});
