import { describe, expect, it } from 'vitest';
import { LoadError, type CheckCode } from '../../../src/wire/index.js';
import { readPage } from '../../../src/memory/index.js';
import { loadStream, type Destination, type LoadVerdict } from '../../../src/migration/index.js';
import { StreamBytes, devVmsd, smallDest, smallStream } from './hand-stream.js';

/** Offsets in smallStream(), from the layout in hand-stream.ts. */
const AT = {
  config: 8,
  ramStart: 17,
  memSize: 34,
  pcRamEntry: 42,
  acpiEntry: 57,
  setupEos: 75,
  setupFooter: 83,
  part: 88,
  firstPage: 93,
  devSection: 8340,
  devBody: 8357,
  devFooter: 8361,
  eof: 8366,
};

function refusal(v: LoadVerdict): LoadError {
  if (v.accepted) throw new Error('expected a refusal, the stream was accepted');
  return v.error;
}

function expectRefused(bytes: Uint8Array, dest: Destination, code: string, message: string, offset: number, path?: string): void {
  const e = refusal(loadStream(bytes, dest));
  expect({ code: e.code, message: e.message, offset: e.offset }).toEqual({ code, message, offset });
  if (path !== undefined) expect(e.path).toBe(path);
}

describe('the small hand-built stream', () => {
  it('has the layout the offsets assume', () => {
    const b = smallStream();
    expect(b.length).toBe(AT.eof + 1);
    expect(b[AT.ramStart]).toBe(0x01);
    expect(b[AT.setupFooter]).toBe(0x7e);
    expect(b[AT.part]).toBe(0x02);
    expect(b[AT.devSection]).toBe(0x04);
    expect(b[AT.devFooter]).toBe(0x7e);
  });

  it('is accepted and committed: pages, zero page, device state', () => {
    const dest = smallDest();
    const v = loadStream(smallStream(), dest);
    // Sections: RAM START, RAM PART, dev FULL.
    expect(v).toMatchObject({ accepted: true, pagesLoaded: 3, sectionsLoaded: 3, warnings: [] });
    const [pc, acpi] = dest.ram.blocks;
    expect(readPage(pc!, 0)[100]).toBe(0xaa);
    expect(pc!.pages.has(1)).toBe(false); // ZERO with fill 0 stays sparse
    expect(readPage(acpi!, 0)[0]).toBe(0x55);
    expect(dest.sections[1]!.state).toEqual({ reg: 0xdeadbeef });
  });
});

describe('header and configuration (qemu_loadvm_state_header)', () => {
  it('bad magic', () => {
    const b = smallStream();
    b[0] = 0x51 ^ 1;
    expectRefused(b, smallDest(), 'stream.bad-magic', 'Not a migration stream', 0);
  });
  it('version 2 is obsolete, 4 unsupported', () => {
    const v2 = new StreamBytes().header(2).bytesOut();
    expectRefused(v2, smallDest(), 'stream.v2-obsolete', "SaveVM v2 format is obsolete and don't work anymore", 4);
    const v4 = new StreamBytes().header(4).bytesOut();
    expectRefused(v4, smallDest(), 'stream.unsupported-version', 'Unsupported migration stream version', 4);
  });
  it('configuration missing where the machine sends one', () => {
    const b = new StreamBytes().header().start(1, 1, 'ram', 0, 4).bytesOut();
    expectRefused(b, smallDest(), 'stream.config-missing', 'Configuration section missing', AT.config);
  });
  it('another machine type', () => {
    expectRefused(smallStream({ machine: 'other' }), smallDest(), 'stream.machine-mismatch', "Machine type received is 'other' and local is 'mini'", AT.config);
  });
  it("a received prefix of the local name passes, as QEMU's strncmp over the received length does", () => {
    // "mi" is 2 bytes shorter: every later offset moves by -2, which does not matter to the loader.
    expect(loadStream(smallStream({ machine: 'mi' }), smallDest()).accepted).toBe(true);
  });
  it('a configuration section sent to a machine type that does not expect one is an unknown section type 7', () => {
    const dest = { ...smallDest(), sendConfiguration: false };
    expectRefused(smallStream(), dest, 'stream.unknown-section-type', 'Unknown savevm section type 7', AT.config);
  });
});

describe('sections (qemu_loadvm_state_main)', () => {
  it('unknown section type', () => {
    const b = new StreamBytes().header().config('mini').u8(0x09).bytesOut();
    expectRefused(b, smallDest(), 'stream.unknown-section-type', 'Unknown savevm section type 9', AT.ramStart);
  });
  it('unknown section or instance, with the whole of QEMU 7.2 sentence', () => {
    const dest = smallDest();
    dest.sections.pop();
    expectRefused(
      smallStream(),
      dest,
      'stream.unknown-section',
      "Unknown savevm section or instance 'dev' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices",
      AT.devSection,
      'dev',
    );
  });
  it('PART for a section id never started', () => {
    const b = new StreamBytes().header().config('mini').part(2, 7).bytesOut();
    expectRefused(b, smallDest(), 'stream.unknown-section-id', 'Unknown savevm section 7', AT.ramStart);
  });
  it('section version above the local one (savevm.c wording)', () => {
    expectRefused(smallStream({ devVersion: 3 }), smallDest(), 'section.version-too-new', "savevm: unsupported version 3 for 'dev' v2", AT.devSection);
  });
  it('section version below the local minimum (vmstate.c wording, two spaces)', () => {
    const dest = smallDest();
    dest.sections[1]!.vmsd = { ...dest.sections[1]!.vmsd!, minimum_version_id: 2 };
    const e = refusal(loadStream(smallStream({ devVersion: 1 }), dest));
    expect(e.code).toBe('section.version-too-old');
    expect(e.message).toBe('dev: incoming version_id 1 is too old for local minimum version_id  2');
  });
  it('a profile section (no local vmsd) checks the minimum itself', () => {
    const dest = smallDest();
    dest.sections[1] = { idstr: 'dev', instanceId: 0, versionId: 2, minimumVersionId: 2, vmsdName: 'dev' };
    expectRefused(smallStream({ devVersion: 1 }), dest, 'section.version-too-old', 'dev: incoming version_id 1 is too old for local minimum version_id  2', AT.devBody);
  });
  it('footer with another section id', () => {
    expectRefused(smallStream({ devFooterId: 3 }), smallDest(), 'section.footer-mismatch', 'Mismatched section id in footer for dev - read 0x3 expected 0x2', AT.devFooter);
  });
  it('footer missing where the machine sends footers', () => {
    // Without footers the byte after the setup EOS is the PART section's 0x02:
    // 17 (header + config) + 17 (START header) + 8 (MEM_SIZE) + 15 (pc.ram entry) + 8 (EOS) = 65.
    const b = new StreamBytes().header().config('mini').start(1, 1, 'ram', 0, 4).memSize([['pc.ram', 0x2000]]).eos().part(2, 1).bytesOut();
    const dest = smallDest();
    expectRefused(b, dest, 'section.footer-missing', 'Missing section footer for ram', 65);
  });
  it('an idstr length byte one too long: the idstr is a C string, so the NUL after it still names the section (as real 7.2 does)', () => {
    // Real 7.2 on the same mutation of its own stream (differential fuzzing): "savevm: unsupported
    // version 1024 for 'ram' v4". Here FULL "dev": the length 4 takes "dev" and the first instance byte
    // (0); the instance is then 00 00 00 | 00 = 0 and the version 00 00 02 | de = 0x2de = 734.
    const b = smallStream();
    b[AT.devSection + 5] = 4;
    expectRefused(b, smallDest(), 'section.version-too-new', "savevm: unsupported version 734 for 'dev' v2", AT.devSection);
  });
  it('a 0x05 after the configuration that is no configuration subsection is left to the section loop (vmstate_subsection_load only peeks)', () => {
    // Real 7.2, RAM START type byte changed to 5: "Unknown savevm section type 5".
    const b = smallStream();
    b[AT.ramStart] = 0x05;
    expectRefused(b, smallDest(), 'stream.unknown-section-type', 'Unknown savevm section type 5', AT.ramStart);
  });
  it('QEMU_VM_COMMAND: OPEN_RETURN_PATH is accepted, ENABLE_COLO refused as not modelled (suites/qemu/commands.test.ts has 7.2\'s verdicts)', () => {
    const full = smallStream();
    // 17 = header + configuration: commands go before the first section.
    const withCmd = (cmd: number): Uint8Array => new Uint8Array([...full.subarray(0, 17), 0x08, 0, cmd, 0, 0, ...full.subarray(17)]);
    expect(loadStream(withCmd(1), smallDest()).accepted).toBe(true);
    expect(refusal(loadStream(withCmd(8), smallDest())).code).toBe('stream.unsupported-command');
    expect(refusal(loadStream(withCmd(8), smallDest())).offset).toBe(17);
  });
  it('QEMU_VM_COMMAND PACKAGED: the package is loaded as a stream of its own up to its EOF (what postcopy sends)', () => {
    const full = smallStream();
    // The package: every section of the small stream and its EOF (bytes 17 to the end).
    const pkg = full.subarray(17);
    const b = new StreamBytes().header().config('mini').u8(0x08).u16(7).u16(4).u32(pkg.length);
    const bytes = new Uint8Array([...b.bytesOut(), ...pkg, 0x00]);
    const dest = smallDest();
    const v = loadStream(bytes, dest);
    expect(v.accepted).toBe(true);
    expect(dest.sections[1]!.state).toEqual({ reg: 0xdeadbeef });
    // One byte short: the package read fails as QEMU's does (qemu_get_buffer returns what there is).
    const short = new StreamBytes().header().config('mini').u8(0x08).u16(7).u16(4).u32(pkg.length + 2).bytesOut();
    const e = refusal(loadStream(new Uint8Array([...short, ...pkg, 0x00]), smallDest()));
    expect(e.code).toBe('stream.command-invalid');
    expect(e.message).toBe(`CMD_PACKAGED: Buffer receive fail ret=${pkg.length + 1} length=${pkg.length + 2}`);
  });
});

describe('RAM (ram_load_precopy, qemu_ram_resize)', () => {
  it('unknown ramblock', () => {
    expectRefused(
      smallStream({ blocks: [['pc.ram', 0x2000], ['nvram', 0x1000]] }),
      smallDest(),
      'ram.unknown-block',
      'Unknown ramblock "nvram", cannot accept migration',
      AT.acpiEntry,
      'ram/nvram',
    );
  });
  it('size mismatch on a fixed block', () => {
    expectRefused(
      smallStream({ blocks: [['pc.ram', 0x4000], ['/rom@acpi', 0x1000]] }),
      smallDest(),
      'ram.size-mismatch',
      'Size mismatch: pc.ram: 0x4000 != 0x2000: Invalid argument',
      AT.pcRamEntry,
      'ram/pc.ram',
    );
  });
  it('resizeable block beyond max_length', () => {
    expectRefused(
      smallStream({ blocks: [['pc.ram', 0x2000], ['/rom@acpi', 0x5000]] }),
      smallDest(),
      'ram.length-too-large',
      'Size too large: /rom@acpi: 0x5000 > 0x4000: Invalid argument',
      AT.acpiEntry,
    );
  });
  it('a 2^62-byte block is refused by the length check, nothing allocated', () => {
    const e = refusal(loadStream(smallStream({ blocks: [['pc.ram', 1n << 62n], ['/rom@acpi', 0x1000]] }), smallDest()));
    expect(e.message).toBe('Size mismatch: pc.ram: 0x4000000000000000 != 0x2000: Invalid argument');
  });
  it('resize within max_length is accepted; the notifier runs once, at commit', () => {
    const dest = smallDest();
    const calls: number[] = [];
    dest.ram.blocks[1]!.resized = (_, n) => void calls.push(n);
    // Last page of the grown block: used_length 0x3000 - 4096 = 0x2000.
    const b = smallStream({
      blocks: [['pc.ram', 0x2000], ['/rom@acpi', 0x3000]],
      pages: (w) => w.page(0x2000, '/rom@acpi', 0x77),
    });
    expect(loadStream(b, dest).accepted).toBe(true);
    expect(dest.ram.blocks[1]!.usedLength).toBe(0x3000);
    expect(readPage(dest.ram.blocks[1]!, 2)[0]).toBe(0x77);
    expect(calls).toEqual([0x3000]);
  });
  it('resize to exactly max_length is accepted, shrink too', () => {
    expect(loadStream(smallStream({ blocks: [['pc.ram', 0x2000], ['/rom@acpi', 0x4000]] }), smallDest()).accepted).toBe(true);
    const dest = smallDest();
    dest.ram.blocks[1]!.usedLength = 0x3000;
    expect(loadStream(smallStream(), dest).accepted).toBe(true);
    expect(dest.ram.blocks[1]!.usedLength).toBe(0x1000);
  });
  it('page at used_length - 4096 is accepted, at used_length refused', () => {
    expect(loadStream(smallStream({ pages: (w) => w.page(0x1000, 'pc.ram', 1) }), smallDest()).accepted).toBe(true);
    expectRefused(smallStream({ pages: (w) => w.page(0x2000, 'pc.ram', 1) }), smallDest(), 'ram.offset-out-of-range', 'Illegal RAM offset 2000', AT.firstPage, 'ram/pc.ram');
  });
  it('offset check uses the resized length', () => {
    const b = smallStream({ blocks: [['pc.ram', 0x2000], ['/rom@acpi', 0x3000]], pages: (w) => w.zero(0x3000, '/rom@acpi') });
    expectRefused(b, smallDest(), 'ram.offset-out-of-range', 'Illegal RAM offset 3000', AT.firstPage);
  });
  it('CONTINUE before any block was named', () => {
    expectRefused(smallStream({ pages: (w) => w.zero(0, undefined) }), smallDest(), 'ram.continue-without-block', 'Ack, bad migration stream!', AT.firstPage);
  });
  it('a page record naming an unknown block', () => {
    expectRefused(smallStream({ pages: (w) => w.zero(0, 'nope') }), smallDest(), 'ram.bad-block-name', "Can't find block nope", AT.firstPage);
  });
  it('a block not registered for migration', () => {
    const dest = smallDest();
    dest.ram.blocks[0]!.migratable = false;
    expectRefused(smallStream(), dest, 'ram.block-not-migratable', 'block pc.ram should not be migrated !', AT.pcRamEntry);
  });
  it('unknown flag combinations print 0x%x (QEMU 7.2, not %#x)', () => {
    expectRefused(smallStream({ pages: (w) => w.ramWord(0, 0) }), smallDest(), 'ram.unknown-flags', 'Unknown combination of migration flags: 0x0', AT.firstPage);
    expectRefused(smallStream({ pages: (w) => w.ramWord(0, 0x01) }), smallDest(), 'ram.unknown-flags', 'Unknown combination of migration flags: 0x1', AT.firstPage);
    // ZERO|PAGE: the block is looked up first (as QEMU does), then the switch refuses 0xa.
    expectRefused(
      smallStream({ pages: (w) => w.ramWord(0, 0x0a).shortString('pc.ram') }),
      smallDest(),
      'ram.unknown-flags',
      'Unknown combination of migration flags: 0xa',
      AT.firstPage,
    );
    expectRefused(smallStream({ pages: (w) => w.ramWord(0, 0x100) }), smallDest(), 'ram.unknown-flags', 'Received an unexpected compressed page', AT.firstPage);
  });
  it('a ZERO record with a non-zero fill byte is accepted by 7.2 and fills the page', () => {
    const dest = smallDest();
    expect(loadStream(smallStream({ pages: (w) => w.zero(0x1000, 'pc.ram', 0x11) }), dest).accepted).toBe(true);
    expect(readPage(dest.ram.blocks[0]!, 1)[4095]).toBe(0x11);
  });
  it('a destination modelling a later QEMU refuses it', () => {
    expectRefused(
      smallStream({ pages: (w) => w.zero(0x1000, 'pc.ram', 0x11) }),
      { ...smallDest(), refuseNonZeroFill: true },
      'ram.zero-page-nonzero',
      'Found a zero page with value 17',
      AT.firstPage,
      'ram/pc.ram',
    );
  });
  it('a MEM_SIZE total larger than the list reads on like QEMU and fails on the bytes after it', () => {
    // Total 0x4000 vs list 0x3000: after the two entries 0x1000 remain, so the
    // EOS word is read as an entry: length byte 00, idstr "", then 8 bytes of length.
    expectRefused(smallStream({ total: 0x4000n }), smallDest(), 'ram.unknown-block', 'Unknown ramblock "", cannot accept migration', AT.setupEos);
  });
});

describe('transactional load', () => {
  it('a refusal after RAM and a resize leaves the destination untouched', () => {
    const dest = smallDest();
    const calls: number[] = [];
    dest.ram.blocks[1]!.resized = (_, n) => void calls.push(n);
    const before = { pages: [...dest.ram.blocks[0]!.pages], used: dest.ram.blocks[1]!.usedLength, state: dest.sections[1]!.state };
    const b = smallStream({ blocks: [['pc.ram', 0x2000], ['/rom@acpi', 0x3000]], devFooterId: 9 });
    expect(refusal(loadStream(b, dest)).code).toBe('section.footer-mismatch');
    expect([...dest.ram.blocks[0]!.pages]).toEqual(before.pages);
    expect(dest.ram.blocks[1]!.usedLength).toBe(before.used);
    expect(dest.ram.blocks[1]!.pages.size).toBe(0);
    expect(dest.sections[1]!.state).toBe(before.state);
    expect(calls).toEqual([]);
  });

  it('every truncation of the stream is refused as truncated, never half-applied', () => {
    const full = smallStream();
    const cuts: number[] = [];
    for (let n = 0; n < full.length; n += n < 120 || n > 8300 ? 1 : 61) cuts.push(n);
    for (const n of cuts) {
      const dest = smallDest();
      const e = refusal(loadStream(full.subarray(0, n), dest));
      // Cut right after the header, QEMU's qemu_get_byte returns 0 at EOF, which
      // is not QEMU_VM_CONFIGURATION: "Configuration section missing".
      expect(e.code, `cut at ${n}`).toBe(n === AT.config ? 'stream.config-missing' : 'wire.truncated');
      expect(dest.ram.blocks[0]!.pages.size).toBe(0);
    }
  });
});

describe('trailing vmdesc', () => {
  it('a missing vmdesc is only a warning, as in QEMU', () => {
    const v = loadStream(smallStream(), { ...smallDest(), expectVmdesc: true });
    expect(v).toMatchObject({ accepted: true, warnings: ['Expected vmdescription section, but got 0'] });
  });
});

describe('profile sections (no local vmsd) decoded with supplied descriptions', () => {
  const profileDest = (): Destination => {
    const d = smallDest();
    d.sections[1] = { idstr: 'dev', instanceId: 0, versionId: 2, minimumVersionId: 1, vmsdName: 'dev' };
    return d;
  };
  it('a description that fits gives the state', () => {
    const v = loadStream(smallStream(), profileDest(), { descriptions: new Map([['dev', devVmsd]]) });
    expect(v.accepted && v.states.get('dev#0')).toEqual({ reg: 0xdeadbeef });
  });
  it('a lossy one that stops short of the footer falls back to the footer, with a warning', () => {
    const short = { ...devVmsd, fields: [{ name: 'reg', kind: 'int' as const, type: 'uint16' as const }] };
    const v = loadStream(smallStream(), profileDest(), { descriptions: new Map([['dev', short]]) });
    expect(v.accepted).toBe(true);
    expect(v.warnings).toEqual([`dev: the supplied description ended at offset ${AT.devBody + 2}, not at the section footer; body skipped`]);
  });
  it('without any description the body is skipped up to its footer', () => {
    expect(loadStream(smallStream(), profileDest())).toMatchObject({ accepted: true, warnings: [] });
  });
});

describe('disabledChecks (weakened loaders for the mutation score)', () => {
  it('a disabled check is skipped as if it passed; others still refuse', () => {
    const tooLarge = smallStream({ blocks: [['pc.ram', 0x2000], ['/rom@acpi', 0x5000]] });
    const dest = smallDest();
    expect(loadStream(tooLarge, dest, { disabledChecks: new Set(['ram.length-too-large'] as const) }).accepted).toBe(true);
    expect(dest.ram.blocks[1]!.usedLength).toBe(0x5000);
    expect(refusal(loadStream(tooLarge, smallDest(), { disabledChecks: new Set(['ram.size-mismatch'] as const) })).code).toBe('ram.length-too-large');
  });
  it('a 2^62 claim with the size check disabled is taken without allocating or walking pages', () => {
    const b = smallStream({ blocks: [['pc.ram', 1n << 62n], ['/rom@acpi', 0x1000]], total: (1n << 62n) + 0x1000n });
    const v = loadStream(b, smallDest(), { disabledChecks: new Set(['ram.size-mismatch'] as const) });
    expect(v.accepted).toBe(true);
  });
  it('footer checks, page offsets, unknown blocks, versions, machine', () => {
    const off = (codes: CheckCode[]) => ({ disabledChecks: new Set(codes) });
    expect(loadStream(smallStream({ devFooterId: 3 }), smallDest(), off(['section.footer-mismatch'])).accepted).toBe(true);
    expect(loadStream(smallStream({ pages: (w) => w.page(0x2000, 'pc.ram', 1) }), smallDest(), off(['ram.offset-out-of-range'])).accepted).toBe(true);
    expect(loadStream(smallStream({ blocks: [['pc.ram', 0x2000], ['nvram', 0x1000]], pages: () => {} }), smallDest(), off(['ram.unknown-block'])).accepted).toBe(true);
    expect(loadStream(smallStream({ devVersion: 3 }), smallDest(), off(['section.version-too-new'])).accepted).toBe(false); // the walker still checks its own version
    expect(loadStream(smallStream({ machine: 'other' }), smallDest(), off(['stream.machine-mismatch'])).accepted).toBe(true);
  });
});
