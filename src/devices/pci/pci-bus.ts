import type { StateObject, VMStateDescription } from '../../vmstate/index.js';
import { LoadError, type WireReader, type WireWriter } from '../../wire/index.js';

/**
 * A PCI bus's INTx bookkeeping and its "PCIBUS" section (hw/pci/pci.c
 * vmstate_pcibus, version 1): nirq as INT32_EQUAL, then irq_count as a
 * VARRAY_INT32 of nirq elements. nirq is the number of interrupt lines the
 * host bridge routes: 4 on i440fx (PIIX PIRQ A-D), 8 on q35 (ICH9 PIRQ A-H),
 * which is what real 7.2 streams carry.
 *
 * The equal check's message is QEMU's get_int32_equal, "%x != %x" with the
 * local value first: real QEMU 7.2 with nirq patched to 16 in a q35 stream
 * printed "8 != 10" and "Failed to load PCIBUS:nirq".
 */

export interface PciBus {
  nirq: number;
  /** Per-line count of asserted INTx pins routed to it. */
  irqCount: number[];
}

export function createPciBus(nirq: number): PciBus {
  return { nirq, irqCount: new Array<number>(nirq).fill(0) };
}

export function pciBusVmsd(bus: PciBus): VMStateDescription {
  return {
    name: 'PCIBUS',
    version_id: 1,
    minimum_version_id: 1,
    fields: [
      { name: 'nirq', kind: 'equal', type: 'int32' },
      { name: 'irq_count', kind: 'varray', of: { kind: 'int', type: 'int32' }, countField: 'nirq', max: bus.nirq },
    ],
  };
}

export function pciBusState(bus: PciBus): StateObject {
  return { nirq: bus.nirq, irq_count: bus.irqCount.slice() };
}

export function savePciBus(bus: PciBus, w: WireWriter): void {
  w.i32(bus.nirq);
  for (const c of bus.irqCount) w.i32(c);
}

/** Direct, transactional load of a PCIBUS section body. */
export function loadPciBus(bus: PciBus, r: WireReader, path = 'PCIBUS'): void {
  const at = r.pos;
  const nirq = r.i32();
  if (nirq !== bus.nirq) {
    const x = (n: number): string => (n >>> 0).toString(16);
    throw new LoadError('vmstate.equal-mismatch', `${x(bus.nirq)} != ${x(nirq)}`, at, `${path}/nirq`);
  }
  const counts: number[] = [];
  for (let i = 0; i < nirq; i++) counts.push(r.i32());
  bus.irqCount = counts;
}
