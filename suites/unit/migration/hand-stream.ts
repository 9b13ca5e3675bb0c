import { WireWriter } from '../../../src/wire/index.js';
import { createRamBlock, createRamList } from '../../../src/memory/index.js';
import type { Destination } from '../../../src/migration/index.js';
import type { VMStateDescription } from '../../../src/vmstate/index.js';

/**
 * Hand-built streams for the loader tests. Layout (offsets in the default
 * stream built by `smallStream`):
 *
 *   0   51 45 56 4d            "QEVM"
 *   4   00 00 00 03            version 3
 *   8   07 | 00 00 00 04 | "mini"                     configuration, 9 bytes -> 17
 *   17  01 | id 1 | 03 "ram" | inst 0 | ver 4          START header, 1+4+1+3+4+4 = 17 -> 34
 *   34  be64 0x3000|0x04                               MEM_SIZE, total 0x2000 + 0x1000
 *   42  06 "pc.ram" be64 0x2000                        15 bytes -> 57
 *   57  09 "/rom@acpi" be64 0x1000                     18 bytes -> 75
 *   75  be64 0x10                                      EOS -> 83
 *   83  7e | id 1                                      footer -> 88
 *   88  02 | id 1                                      PART -> 93
 *   ... page records, EOS, footer
 *   then FULL "dev" v2 with one uint32 field, footer, EOF.
 */
export class StreamBytes extends WireWriter {
  header(version = 3): this {
    return this.u32(0x5145564d).u32(version);
  }
  config(name: string): this {
    this.u8(0x07).u32(name.length);
    for (const c of name) this.u8(c.charCodeAt(0));
    return this;
  }
  start(type: 1 | 4, id: number, idstr: string, instance: number, version: number): this {
    return this.u8(type).u32(id).shortString(idstr).u32(instance).u32(version);
  }
  part(type: 2 | 3, id: number): this {
    return this.u8(type).u32(id);
  }
  footer(id: number): this {
    return this.u8(0x7e).u32(id);
  }
  ramWord(addr: bigint | number, flags: number): this {
    return this.u64(BigInt(addr) | BigInt(flags));
  }
  memSize(blocks: [string, bigint | number][], total?: bigint): this {
    const sum = blocks.reduce((n, [, l]) => n + BigInt(l), 0n);
    this.ramWord(total ?? sum, 0x04);
    for (const [id, len] of blocks) this.shortString(id).u64(BigInt(len));
    return this;
  }
  zero(addr: number, block: string | undefined, fill = 0): this {
    this.ramWord(addr, 0x02 | (block === undefined ? 0x20 : 0));
    if (block !== undefined) this.shortString(block);
    return this.u8(fill);
  }
  page(addr: number, block: string | undefined, fill: number): this {
    this.ramWord(addr, 0x08 | (block === undefined ? 0x20 : 0));
    if (block !== undefined) this.shortString(block);
    return this.fill(fill, 4096);
  }
  eos(): this {
    return this.ramWord(0, 0x10);
  }
  bytesOut(): Uint8Array {
    return this.finish().slice();
  }
}

/** The device of the small stream: one uint32, version 2, minimum 1. */
export const devVmsd: VMStateDescription = {
  name: 'dev',
  version_id: 2,
  minimum_version_id: 1,
  fields: [{ name: 'reg', kind: 'int', type: 'uint32' }],
};

export interface SmallOptions {
  machine?: string;
  blocks?: [string, bigint | number][];
  total?: bigint;
  devVersion?: number;
  devFooterId?: number;
  pages?: (w: StreamBytes) => void;
}

/** A complete small stream; see the layout above. */
export function smallStream(o: SmallOptions = {}): Uint8Array {
  const w = new StreamBytes();
  w.header().config(o.machine ?? 'mini');
  w.start(1, 1, 'ram', 0, 4).memSize(o.blocks ?? [['pc.ram', 0x2000], ['/rom@acpi', 0x1000]], o.total).eos().footer(1);
  w.part(2, 1);
  (o.pages ?? ((x) => x.page(0, 'pc.ram', 0xaa).zero(0x1000, undefined).page(0, '/rom@acpi', 0x55)))(w);
  w.eos().footer(1);
  w.start(4, 2, 'dev', 0, o.devVersion ?? 2).u32(0xdeadbeef).footer(o.devFooterId ?? 2);
  w.u8(0x00);
  return w.bytesOut();
}

/** The matching destination: pc.ram fixed 0x2000, /rom@acpi resizeable 0x1000 of max 0x4000. */
export function smallDest(): Destination {
  return {
    machine: 'mini',
    sendConfiguration: true,
    sendSectionFooter: true,
    expectVmdesc: false,
    sections: [
      { idstr: 'ram', instanceId: 0, versionId: 4, minimumVersionId: 4, ram: true },
      { idstr: 'dev', instanceId: 0, versionId: 2, minimumVersionId: 1, vmsd: devVmsd, state: { reg: 0 } },
    ],
    ram: createRamList([
      createRamBlock({ idstr: 'pc.ram', usedLength: 0x2000 }),
      createRamBlock({ idstr: '/rom@acpi', usedLength: 0x1000, maxLength: 0x4000, resizeable: true }),
    ]),
  };
}
