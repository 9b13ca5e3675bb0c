import { describe, expect, it } from 'vitest';
import { destinationFromProfile, encodeStream, loadStream, parseStream, profileFromCapture } from '../../../src/migration/index.js';
import { corpusStream, corpusText, haveCorpus, manifest } from './corpus-helpers.js';

/**
 * Mutations of the committed pc-i440fx-7.2 capture, each loaded into the
 * profile of the machine that wrote it. The expected first error line of
 * each was observed by feeding the same bytes to qemu-system-x86_64 7.2
 * (Debian 1:7.2+dfsg-7+deb12u18) with `-machine pc-i440fx-7.2 -nodefaults
 * -m 32M -incoming exec:cat FILE`; the qemu suite repeats this live.
 *
 * Offsets in this capture: configuration name "pc-i440fx-7.2" (13 bytes),
 * so the RAM START header is at 8 + 1 + 4 + 13 = 26 and its MEM_SIZE word at
 * 26 + 17 = 43; the first PART section (0x02, id 2) is at 196 and its first
 * record at 201.
 */
const MEM_SIZE_AT = 43;
const FIRST_RECORD_AT = 201;

describe.runIf(haveCorpus)('mutated real captures get the verdict real QEMU 7.2 gave', () => {
  const entry = () => manifest().streams.find((s) => s.name === 'pc-i440fx-7.2')!;
  const original = () => corpusStream(entry().file);
  const dest = () =>
    destinationFromProfile(
      profileFromCapture({
        capture: parseStream(original()),
        ramBlocks: entry().ramBlocks,
        dumpVmstate: JSON.parse(corpusText('pc-i440fx-7.2.vmstate.json.gz')),
      }),
    );
  const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const firstError = (b: Uint8Array) => {
    const v = loadStream(b, dest());
    if (v.accepted) throw new Error('accepted');
    return { code: v.error.code, message: v.error.message };
  };

  it('the layout assumed here holds', () => {
    const b = original();
    expect(Number(view(b).getBigUint64(MEM_SIZE_AT) & 0xfffn)).toBe(0x04);
    expect([...b.subarray(196, 201)]).toEqual([0x02, 0, 0, 0, 2]);
    expect(loadStream(b, dest()).accepted).toBe(true);
  });

  it('MEM_SIZE total one page too large: QEMU reads on into the EOS word', () => {
    const b = original();
    view(b).setBigUint64(MEM_SIZE_AT, view(b).getBigUint64(MEM_SIZE_AT) + 0x1000n);
    expect(firstError(b)).toEqual({ code: 'ram.unknown-block', message: 'Unknown ramblock "", cannot accept migration' });
  });

  it('pc.ram size 0x4000000', () => {
    const b = original();
    view(b).setBigUint64(MEM_SIZE_AT + 8 + 7, 0x4000000n); // 0x06 "pc.ram" then its be64 length
    expect(firstError(b)).toEqual({ code: 'ram.size-mismatch', message: 'Size mismatch: pc.ram: 0x4000000 != 0x2000000: Invalid argument' });
  });

  it('/rom@etc/acpi/tables beyond its max_length', () => {
    const b = original();
    const at = Buffer.from(b).indexOf('/rom@etc/acpi/tables') + 20;
    view(b).setBigUint64(at, 0x300000n);
    expect(firstError(b)).toEqual({
      code: 'ram.length-too-large',
      message: 'Size too large: /rom@etc/acpi/tables: 0x300000 > 0x200000: Invalid argument',
    });
  });

  it('/rom@etc/acpi/tables grown within max_length is accepted', () => {
    // The pages sent for the old 0x20000 still fit the grown block. Real QEMU
    // 7.2 accepts these bytes too (status prelaunch after the load); its
    // info ramblock then shows 0x20000 again because fw_cfg's acpi_mr
    // subsection post_load resizes the block back to the size the source's
    // fw_cfg state carries: device behaviour, outside this profile.
    const b = original();
    const at = Buffer.from(b).indexOf('/rom@etc/acpi/tables') + 20;
    view(b).setBigUint64(at, 0x30000n);
    view(b).setBigUint64(MEM_SIZE_AT, view(b).getBigUint64(MEM_SIZE_AT) + 0x10000n);
    const d = dest();
    expect(loadStream(b, d).accepted).toBe(true);
    expect(d.ram.blocks.find((x) => x.idstr === '/rom@etc/acpi/tables')!.usedLength).toBe(0x30000);
  });

  it('first page offset at 0x2000000 (= pc.ram used_length)', () => {
    const b = original();
    view(b).setBigUint64(FIRST_RECORD_AT, 0x2000000n | 0x02n);
    expect(firstError(b)).toEqual({ code: 'ram.offset-out-of-range', message: 'Illegal RAM offset 2000000' });
  });

  it('flags 0x3 and 0x0', () => {
    const b3 = original();
    b3[FIRST_RECORD_AT + 7] = 0x03;
    expect(firstError(b3)).toEqual({ code: 'ram.unknown-flags', message: 'Unknown combination of migration flags: 0x3' });
    const b0 = original();
    b0[FIRST_RECORD_AT + 7] = 0x00;
    expect(firstError(b0)).toEqual({ code: 'ram.unknown-flags', message: 'Unknown combination of migration flags: 0x0' });
  });

  it('a ZERO record with fill 0x11 is accepted and fills the page (QEMU 7.2 showed 0x11 at guest address 0 with xp)', () => {
    const b = original();
    // First record: be64 word, 0x06 "pc.ram", then the fill byte at 201 + 8 + 7.
    expect(b[FIRST_RECORD_AT + 15]).toBe(0);
    b[FIRST_RECORD_AT + 15] = 0x11;
    const d = dest();
    expect(loadStream(b, d).accepted).toBe(true);
    expect(d.ram.blocks[0]!.pages.get(0)?.[0]).toBe(0x11);
  });

  // ram.c ram_block_from_stream: `id[len] = 0`, then qemu_ram_block_by_name (strcmp) and %s, so a
  // block name ends at its first NUL (real 7.2 on these bytes: suites/qemu/mutations.test.ts).
  it('the first page record naming "pc.ram\\0X" (two bytes longer) is accepted into pc.ram, and re-encodes byte for byte', () => {
    const b = original();
    const name = FIRST_RECORD_AT + 8; // the length byte of the record's "pc.ram"
    expect([...b.subarray(name, name + 7)]).toEqual([6, ...Buffer.from('pc.ram')]);
    const longer = new Uint8Array(Buffer.concat([b.subarray(0, name), Buffer.from([8]), Buffer.from('pc.ram\0X', 'latin1'), b.subarray(name + 7)]));
    const d = dest();
    expect(loadStream(longer, d).accepted).toBe(true);
    expect(Buffer.compare(Buffer.from(encodeStream(parseStream(longer))), Buffer.from(longer))).toBe(0);
  });

  it('a page record naming "pc.ra\\0" is refused as a block named pc.ra', () => {
    const b = original();
    b[FIRST_RECORD_AT + 8 + 6] = 0; // "pc.ram" -> "pc.ra\0"
    expect(firstError(b)).toEqual({ code: 'ram.bad-block-name', message: "Can't find block pc.ra" });
  });

  it("section 'timer' renamed 'timex'", () => {
    const b = original();
    const at = Buffer.from(b).indexOf('\x05timer', 0, 'latin1');
    b.set(Buffer.from('timex'), at + 1);
    expect(firstError(b)).toEqual({
      code: 'stream.unknown-section',
      message:
        "Unknown savevm section or instance 'timex' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices",
    });
  });

  it("timer's footer: id changed, mark changed", () => {
    const b = original();
    const timer = Buffer.from(b).indexOf('\x05timer', 0, 'latin1');
    const footer = Buffer.from(b).indexOf(Uint8Array.of(0x7e, 0, 0, 0, 0), timer);
    const wrongId = b.slice();
    wrongId[footer + 4] = 0x40;
    expect(firstError(wrongId)).toEqual({ code: 'section.footer-mismatch', message: 'Mismatched section id in footer for timer - read 0x40 expected 0x0' });
    const noMark = b.slice();
    noMark[footer] = 0x7f;
    expect(firstError(noMark)).toEqual({ code: 'section.footer-missing', message: 'Missing section footer for timer' });
  });
});
