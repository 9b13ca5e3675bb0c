import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../harness/targets/capture-corpus.js';
import { captureStream, loadIntoQemu } from '../../harness/targets/qemu-target.js';
import type { Verdict } from '../../harness/targets/target.js';
import { CORPUS_DIR, readCorpusStream, readManifest } from './corpus-files.js';
import { fwCfgAcpiTableSize, pageIdstr, ramBlockLength, ramListIdstr, standardMutations, Q35_TARGETS, type Mutation } from './mutate-real.js';
import { QEMU_SLOT_WAIT_MS, QEMU_TEST_TIMEOUT_MS, assertNoQemuLeft, describeQemu } from './qemu-env.js';
import { qemuSlotCount } from '../../harness/targets/qemu-slots.js';
import { KNOWN_DIVERGENCES, agreement, ourVerdict, simulatedVerdict } from './loader-vs-qemu.js';
import { readCorpusJson } from './corpus-files.js';
import { mapStream, type StreamMap } from './stream-map.js';

/**
 * Mutated real pc-q35-7.2 streams fed to real QEMU 7.2. The expected lines are
 * QEMU 7.2's own error_report() formats, filled in with values that follow
 * from the mutation (section ids, lengths); each comment names the source.
 * Every load ends in "load of migration failed: <strerror(-ret)>"
 * (migration/migration.c process_incoming_migration_co) and exit status 1.
 *
 * MIGCOMPAT_UPDATE_CORPUS=1 records the verdicts for the committed stream in
 * corpus/qemu-7.2/mutation-verdicts.json, so suites without QEMU can compare
 * our loader with what real QEMU said about the very same bytes.
 */

const MACHINE = 'pc-q35-7.2';
/** One mutated load: QEMU refuses or accepts within a second; 20 s calls a stalled one a hang. */
const LOAD_LIMIT_MS = 20_000;
const EINVAL = 'load of migration failed: Invalid argument';
const EIO = 'load of migration failed: Input/output error';
const ENOTSUP = 'load of migration failed: Operation not supported';
const RAM_LOAD = "error while loading state for instance 0x0 of device 'ram'";
/** savevm.c qemu_loadvm_section_part_end's context line: RAM pages travel in PART sections. */
const RAM_PART = (id: number): string => `error while loading state section id ${id}(ram)`;

interface Expected {
  kind: Verdict['kind'];
  code?: string;
  /** QEMU's error lines, in order, program prefix removed. */
  lines?: string[];
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

function expectations(map: StreamMap): Record<string, Expected> {
  const pcspk = map.sections.find((s) => s.name === Q35_TARGETS.versionedSection)!;
  const last = map.sections[map.sections.length - 1]!;
  const pcRam = map.ramBlocks[0]!;
  const ramId = map.sections.find((x) => x.name === 'ram')!.id;
  const refused = (code: string, ...lines: string[]): Expected => ({ kind: 'refused', code, lines });
  return {
    // savevm.c qemu_loadvm_state: the byte after the header must be QEMU_VM_CONFIGURATION when
    // the machine sends configuration; at end of stream qemu_get_byte() yields 0.
    'truncate-after-header': refused('stream.config-missing', 'Configuration section missing', EINVAL),
    // The next section-type read hits end of stream and yields 0 = QEMU_VM_EOF, so the loop ends
    // "normally" and the file's sticky error (-EIO) is what fails the load: no specific message.
    'truncate-after-config': refused('wire.truncated', EIO),
    // ram.c ram_load_precopy: the be64 length reads as 0 at end of stream, and
    // qemu_ram_resize() refuses a fixed block of another size (softmmu/physmem.c, 7.2 wording).
    'truncate-inside-ram-setup': refused('ram.size-mismatch', `Size mismatch: ${pcRam.idstr}: 0x0 != ${hex(pcRam.length)}: Invalid argument`, RAM_LOAD, EINVAL),
    'truncate-after-ram-setup': refused('wire.truncated', EIO),
    'truncate-between-sections': refused('wire.truncated', EIO),
    'truncate-before-eof': refused('wire.truncated', EIO),
    // After EOF, 7.2 reads the vmdesc only "so that dumping tools ... have the chance to see it":
    // a missing one is reported ("Expected vmdescription section, but got %d") but not fatal,
    // and a short one is drained without a check.
    'truncate-after-eof': { kind: 'accepted' },
    'truncate-inside-vmdesc': { kind: 'accepted' },
    // savevm.c qemu_loadvm_state_header.
    'bad-magic': refused('stream.bad-magic', 'Not a migration stream', EINVAL),
    'stream-version-2': refused('stream.v2-obsolete', "SaveVM v2 format is obsolete and don't work anymore", ENOTSUP),
    'stream-version-4': refused('stream.unsupported-version', 'Unsupported migration stream version', ENOTSUP),
    // savevm.c qemu_loadvm_section_start_full: find_se() fails.
    'unknown-section-name': refused(
      'stream.unknown-section',
      "Unknown savevm section or instance 'pcspq' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices",
      EINVAL,
    ),
    // savevm.c qemu_loadvm_state_main: default case of the section-type switch, printed with %d.
    'unknown-section-type': refused('stream.unknown-section-type', 'Unknown savevm section type 66', EINVAL),
    // savevm.c check_section_footer.
    'footer-id-mismatch': refused(
      'section.footer-mismatch',
      `Mismatched section id in footer for ${pcspk.name} - read ${hex(pcspk.id + 1)} expected ${hex(pcspk.id)}`,
      EINVAL,
    ),
    'footer-missing': refused('section.footer-missing', `Missing section footer for ${pcspk.name}`, EINVAL),
    'last-footer-missing': refused('section.footer-missing', `Missing section footer for ${last.name}`, EINVAL),
    // savevm.c qemu_loadvm_section_start_full checks version_id > se->version_id before any vmstate code.
    'section-version-too-new': refused('section.version-too-new', "savevm: unsupported version 2 for 'pcspk' v1", EINVAL),
    // vmstate.c vmstate_load_state (two spaces before the number are QEMU's), then savevm.c's context line.
    'section-version-too-old': refused(
      'section.version-too-old',
      'mc146818rtc: incoming version_id 0 is too old for local minimum version_id  1',
      "error while loading state for instance 0x0 of device 'mc146818rtc'",
      EINVAL,
    ),
    // physmem.c qemu_ram_resize: newsize > max_length on a resizeable block (7.2 wording "Size too large").
    'acpi-tables-beyond-max': refused(
      'ram.length-too-large',
      `Size too large: ${Q35_TARGETS.acpiBlock}: ${hex(Q35_TARGETS.acpiMax + 0x10000n)} > ${hex(Q35_TARGETS.acpiMax)}: Invalid argument`,
      RAM_LOAD,
      EINVAL,
    ),
    // A resizeable block may come in at any length up to max_length.
    'acpi-tables-resize-within-max': { kind: 'accepted' },
    'pc-ram-size-mismatch': refused(
      'ram.size-mismatch',
      `Size mismatch: ${pcRam.idstr}: ${hex(pcRam.length * 2n)} != ${hex(pcRam.length)}: Invalid argument`,
      RAM_LOAD,
      EINVAL,
    ),
    // ram.c ram_load_precopy: qemu_ram_block_by_name() fails for a MEM_SIZE entry.
    'unknown-ram-block': refused('ram.unknown-block', 'Unknown ramblock "pc.rox", cannot accept migration', RAM_LOAD, EINVAL),
    // ram.c ram_block_from_stream fails, then ram_load_precopy reports the address it could not map
    // (RAM_ADDR_FMT is "%" PRIx64: hex without 0x).
    'page-unknown-block': refused('ram.bad-block-name', "Can't find block pc.rox", 'Illegal RAM offset 0', RAM_PART(ramId), EINVAL),
    // host_from_ram_block_offset: offset_in_ramblock() is false at used_length (0x1000 for the RSDP).
    'page-offset-beyond-used': refused('ram.offset-out-of-range', 'Illegal RAM offset 1000', RAM_PART(ramId), EINVAL),
    'page-continue-without-block': refused('ram.continue-without-block', 'Ack, bad migration stream!', 'Illegal RAM offset 0', RAM_PART(ramId), EINVAL),
    // ram_load_precopy's default case, printed "0x%x".
    'page-unknown-flags': refused('ram.unknown-flags', 'Unknown combination of migration flags: 0x800', RAM_PART(ramId), EINVAL),
    // hw/pci/pci.c get_pci_config_device: the vendor id is read-only (cmask 0xff, wmask 0); then
    // vmstate.c's "Failed to load %s:%s" for each enclosing field, innermost first.
    'pci-config-readonly-byte': refused(
      'pci.bad-config-data',
      'get_pci_config_device: Bad config data: i=0x0 read: 79 device: 86 cmask: ff wmask: 0 w1cmask:0',
      'Failed to load PCIDevice:config',
      'Failed to load mch:parent_obj',
      "error while loading state for instance 0x0 of device '0000:00:00.0/mch'",
      EINVAL,
    ),
    // vmstate-types.c get_int32_le (VMSTATE_INT32_POSITIVE_LE); PCIDevice's vmsd is version 2.
    'pci-device-version-too-new': refused(
      'pci.version-invalid',
      'Invalid value 3 expecting positive value <= 2',
      'Failed to load PCIDevice:version_id',
      'Failed to load mch:parent_obj',
      "error while loading state for instance 0x0 of device '0000:00:00.0/mch'",
      EINVAL,
    ),
    // vmstate.c vmstate_subsection_load: an unknown subsection is -ENOENT with only a trace point.
    'subsection-unknown': refused('vmstate.subsection-unknown', "error while loading state for instance 0x0 of device 'fw_cfg'", 'load of migration failed: No such file or directory'),
    // vmstate_load_state on the subsection's vmsd.
    'subsection-version-too-new': refused(
      'vmstate.subsection-version',
      'fw_cfg/acpi_mr: incoming version_id 2 is too new for local version_id 1',
      "error while loading state for instance 0x0 of device 'fw_cfg'",
      EINVAL,
    ),
    // vmstate-types.c get_bool stores the byte without checking it.
    'bool-value-2': { kind: 'accepted' },
  };
}

function checkVerdict(v: Verdict, exp: Expected, log: string[]): void {
  expect(v.kind, log.join('\n')).toBe(exp.kind);
  if (v.kind !== 'refused') return;
  expect(v.code).toBe(exp.code);
  expect(v.message.split('\n')).toEqual(exp.lines);
}

interface Recorded {
  name: string;
  what: string;
  sha256: string;
  verdict: Verdict;
  log: string[];
}

describeQemu('real QEMU refuses mutated real streams', (qemu) => {
  afterAll(() => {
    assertNoQemuLeft();
  });

  const committedEntry = readManifest().streams.find((s) => s.name === MACHINE)!;

  describe('mutations of the committed pc-q35-7.2 stream', () => {
    const base = readCorpusStream(committedEntry);
    const mutations = standardMutations(base);
    const expected = expectations(mapStream(base));
    const dump = readCorpusJson('pc-q35-7.2.vmstate.json.gz');
    const recorded: Recorded[] = [];

    it('covers every expectation', () => {
      expect(mutations.map((m) => m.name).sort()).toEqual(Object.keys(expected).sort());
    });

    describe.concurrent('each', () => {
      it.each(mutations.map((m) => [m.name, m] as const))('%s', async (_n, m: Mutation) => {
        const r = await loadIntoQemu(qemu, { machine: MACHINE }, m.bytes, { timeoutMs: LOAD_LIMIT_MS });
        recorded.push({ name: m.name, what: m.what, sha256: sha256(m.bytes), verdict: r.verdict, log: r.log });
        checkVerdict(r.verdict, expected[m.name]!, r.log);
        // Our loader, profiled as this pc-q35-7.2 destination, against what real QEMU just said about the same bytes.
        const a = agreement(m.name, r.verdict, ourVerdict(base, committedEntry, dump, m.bytes));
        if (KNOWN_DIVERGENCES[m.name]) expect(a.ok, `fixed? remove ${m.name} from KNOWN_DIVERGENCES`).toBe(false);
        else expect(a.ok, a.why).toBe(true);
        // And the simulated 7.2 machine (device models, PCI core) as the destination.
        const sim = agreement(m.name, r.verdict, simulatedVerdict({ machine: MACHINE }, m.bytes));
        expect(sim.ok, `simulated 7.2: ${sim.why}`).toBe(true);
      });
    });

    it('a resize within max_length is undone by fw_cfg unless fw_cfg/acpi_mr agrees', async () => {
      const half = Q35_TARGETS.acpiMax / 2n;
      const acpiUsed = async (bytes: Uint8Array): Promise<number | undefined> => {
        const r = await loadIntoQemu(qemu, { machine: MACHINE }, bytes, { withRamBlocks: true });
        expect(r.verdict).toEqual({ kind: 'accepted' });
        return r.ramBlocks?.find((b) => b.idstr === Q35_TARGETS.acpiBlock)?.used;
      };
      const map = mapStream(base);
      const original = Number(map.ramBlocks.find((b) => b.idstr === Q35_TARGETS.acpiBlock)!.length);
      // ram_load_precopy resizes the block to the MEM_SIZE length, but the fw_cfg section comes
      // later and its post_load (hw/nvram/fw_cfg.c fw_cfg_acpi_mr_restore_post_load) resizes the
      // region to the table_mr_size the source sent: the source's 0x20000 wins.
      expect(await acpiUsed(ramBlockLength(base, map, Q35_TARGETS.acpiBlock, half))).toBe(original);
      // With both saying 0x100000 the destination ends at 0x100000, within max_length 0x200000.
      const both = fwCfgAcpiTableSize(ramBlockLength(base, map, Q35_TARGETS.acpiBlock, half), map, half);
      expect(await acpiUsed(both)).toBe(Number(half));
    });

    afterAll(() => {
      if (process.env.MIGCOMPAT_UPDATE_CORPUS !== '1' || recorded.length !== mutations.length) return;
      recorded.sort((a, b) => mutations.findIndex((m) => m.name === a.name) - mutations.findIndex((m) => m.name === b.name));
      const out = {
        description:
          'Real QEMU verdicts for suites/qemu/mutate-real.ts standardMutations() of pc-q35-7.2.bin.gz, ' +
          'each loaded into a fresh `-machine pc-q35-7.2 -nodefaults -m 32M -S -incoming defer`; log is QEMU stderr.',
        stream: committedEntry.file,
        streamSha256: committedEntry.sha256,
        qemuVersion: readManifest().qemuVersion,
        mutations: recorded,
      };
      writeFileSync(join(CORPUS_DIR, 'mutation-verdicts.json'), JSON.stringify(out, null, 2) + '\n');
    });
  });

  describe('mutations of a live pc-q35-7.2 capture', () => {
    let live: Uint8Array;
    beforeAll(async () => {
      live = (await captureStream(qemu, { machine: MACHINE })).stream;
    }, QEMU_TEST_TIMEOUT_MS);

    // Every mutation is a load limited to LOAD_LIMIT_MS, run qemuSlotCount() at a time: the
    // test's limit is those loads back to back plus the first wait for a slot.
    const loads = standardMutations(readCorpusStream(committedEntry)).length;
    const limit = Math.ceil(loads / qemuSlotCount()) * LOAD_LIMIT_MS + QEMU_SLOT_WAIT_MS;
    it('gives the same verdicts as for the committed stream', async () => {
      const mutations = standardMutations(live);
      expect(mutations).toHaveLength(loads);
      const expected = expectations(mapStream(live));
      const verdicts = await Promise.all(
        mutations.map(async (m) => [m.name, await loadIntoQemu(qemu, { machine: MACHINE }, m.bytes, { timeoutMs: LOAD_LIMIT_MS })] as const),
      );
      for (const [name, r] of verdicts) checkVerdict(r.verdict, expected[name]!, r.log);
    }, limit);
  });

  /**
   * ram.c (7.2) reads a RAM block name into `char id[256]` with `id[len] = 0`
   * (ram_block_from_stream for a page record, ram_load_precopy for a MEM_SIZE
   * entry), looks it up with qemu_ram_block_by_name (strcmp) and prints it
   * with %s: a name is what comes before its first NUL, whatever follows.
   */
  describe('RAM block names are C strings', () => {
    const base = readCorpusStream(committedEntry);
    const map = mapStream(base);
    const dump = readCorpusJson('pc-q35-7.2.vmstate.json.gz');
    const block = map.ramBlocks[0]!.idstr; // pc.ram
    const cut = block.slice(0, -1); // pc.ra
    const page = map.pages.find((p) => p.block === block && p.nameOffset !== undefined)!;
    const ramId = map.sections.find((s) => s.offset < page.offset && page.offset < s.end)!.id;
    const cases: Array<[string, Uint8Array, Expected]> = [
      [`MEM_SIZE "${block}\\0X"`, ramListIdstr(base, map, block, `${block}\0X`), { kind: 'accepted' }],
      [`page "${block}\\0X"`, pageIdstr(base, map, block, `${block}\0X`), { kind: 'accepted' }],
      [
        `MEM_SIZE "${cut}\\0${block.slice(-1)}"`,
        ramListIdstr(base, map, block, `${cut}\0${block.slice(-1)}`),
        { kind: 'refused', code: 'ram.unknown-block', lines: [`Unknown ramblock "${cut}", cannot accept migration`, RAM_LOAD, EINVAL] },
      ],
      [
        // ram_block_from_stream returns NULL; host_from_ram_block_offset(NULL, addr) is NULL too.
        `page "${cut}\\0${block.slice(-1)}"`,
        pageIdstr(base, map, block, `${cut}\0${block.slice(-1)}`),
        { kind: 'refused', code: 'ram.bad-block-name', lines: [`Can't find block ${cut}`, `Illegal RAM offset ${page.addr.toString(16)}`, RAM_PART(ramId), EINVAL] },
      ],
    ];
    it.each(cases)('%s', async (_name, bytes, expected) => {
      const r = await loadIntoQemu(qemu, { machine: MACHINE }, bytes, { timeoutMs: LOAD_LIMIT_MS });
      checkVerdict(r.verdict, expected, r.log);
      const ours = agreement('ram-idstr-nul', r.verdict, ourVerdict(base, committedEntry, dump, bytes));
      expect(ours.ok, ours.why).toBe(true);
      const sim = agreement('ram-idstr-nul', r.verdict, simulatedVerdict({ machine: MACHINE }, bytes));
      expect(sim.ok, `simulated 7.2: ${sim.why}`).toBe(true);
    });
  });

  /**
   * Not byte mutations: real streams loaded into a destination configured
   * differently. Expected lines from QEMU 7.2's sources as named; where the
   * destination's configuration is in the corpus, our loader (profiled from
   * that capture) must agree.
   */
  describe('configuration mismatches', () => {
    const dumps: Record<string, string> = { 'pc-q35-7.2': 'pc-q35-7.2.vmstate.json.gz', 'pc-i440fx-7.2': 'pc-i440fx-7.2.vmstate.json.gz' };
    const unknownBlock = (b: string): string[] => [`Unknown ramblock "${b}", cannot accept migration`, RAM_LOAD, EINVAL];
    const machineMismatch = (from: string, to: string): string[] => [`Machine type received is '${from}' and local is '${to}'`, EINVAL];
    const cases: Array<{ name: string; from: string; to: { machine: string; devices?: string[]; ram?: string }; toCorpus?: string; expect: Expected }> = [
      // savevm.c configuration_post_load compares the names.
      { name: 'q35 into i440fx', from: 'pc-q35-7.2', to: { machine: 'pc-i440fx-7.2' }, toCorpus: 'pc-i440fx-7.2', expect: { kind: 'refused', code: 'stream.machine-mismatch', lines: machineMismatch('pc-q35-7.2', 'pc-i440fx-7.2') } },
      { name: 'q35-7.2 into q35-7.1', from: 'pc-q35-7.2', to: { machine: 'pc-q35-7.1' }, expect: { kind: 'refused', code: 'stream.machine-mismatch', lines: machineMismatch('pc-q35-7.2', 'pc-q35-7.1') } },
      { name: 'q35-2.4 into q35-7.2', from: 'pc-q35-2.4', to: { machine: 'pc-q35-7.2' }, toCorpus: 'pc-q35-7.2', expect: { kind: 'refused', code: 'stream.machine-mismatch', lines: machineMismatch('pc-q35-2.4', 'pc-q35-7.2') } },
      { name: 'microvm into q35', from: 'microvm', to: { machine: 'pc-q35-7.2' }, toCorpus: 'pc-q35-7.2', expect: { kind: 'refused', code: 'stream.machine-mismatch', lines: machineMismatch('microvm', 'pc-q35-7.2') } },
      // pc-i440fx-2.3 does not send configuration; 7.2 requires it.
      { name: 'i440fx-2.3 into i440fx-7.2', from: 'pc-i440fx-2.3', to: { machine: 'pc-i440fx-7.2' }, toCorpus: 'pc-i440fx-7.2', expect: { kind: 'refused', code: 'stream.config-missing', lines: ['Configuration section missing', EINVAL] } },
      // The other way the destination does not expect QEMU_VM_CONFIGURATION (7) and takes it for a section type.
      { name: 'i440fx-7.2 into i440fx-2.3', from: 'pc-i440fx-7.2', to: { machine: 'pc-i440fx-2.3' }, toCorpus: 'pc-i440fx-2.3', expect: { kind: 'refused', code: 'stream.unknown-section-type', lines: ['Unknown savevm section type 7', EINVAL] } },
      // The option ROM is a RAM block; the destination without the NIC (or without its ROM) has no such block.
      { name: 'e1000 into bare q35', from: 'pc-q35-7.2+e1000', to: { machine: 'pc-q35-7.2' }, toCorpus: 'pc-q35-7.2', expect: { kind: 'refused', code: 'ram.unknown-block', lines: unknownBlock('0000:00:01.0/e1000.rom') } },
      { name: 'e1000 into e1000,romfile=', from: 'pc-q35-7.2+e1000', to: { machine: 'pc-q35-7.2', devices: ['e1000,romfile='] }, toCorpus: 'pc-q35-7.2+e1000-no-rom', expect: { kind: 'refused', code: 'ram.unknown-block', lines: unknownBlock('0000:00:01.0/e1000.rom') } },
      // A destination block or device the stream does not mention keeps its own contents: accepted.
      { name: 'e1000,romfile= into e1000', from: 'pc-q35-7.2+e1000-no-rom', to: { machine: 'pc-q35-7.2', devices: ['e1000'] }, toCorpus: 'pc-q35-7.2+e1000', expect: { kind: 'accepted' } },
      { name: 'bare q35 into q35 with e1000', from: 'pc-q35-7.2', to: { machine: 'pc-q35-7.2', devices: ['e1000'] }, toCorpus: 'pc-q35-7.2+e1000', expect: { kind: 'accepted' } },
      // vmgenid keeps its GUID in fw_cfg, not in a RAM block: the first thing missing is its section.
      {
        name: 'vmgenid into bare q35', from: 'pc-q35-7.2+vmgenid', to: { machine: 'pc-q35-7.2' }, toCorpus: 'pc-q35-7.2',
        expect: { kind: 'refused', code: 'stream.unknown-section', lines: ["Unknown savevm section or instance 'vmgenid' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices", EINVAL] },
      },
      // -m 32M into -m 64M: pc.ram is a fixed block (qemu_ram_resize: "Size mismatch").
      { name: '32M into 64M', from: 'pc-q35-7.2', to: { machine: 'pc-q35-7.2', ram: '64M' }, expect: { kind: 'refused', code: 'ram.size-mismatch', lines: ['Size mismatch: pc.ram: 0x2000000 != 0x4000000: Invalid argument', RAM_LOAD, EINVAL] } },
    ];
    const streams = readManifest().streams;
    const byName = (n: string) => streams.find((x) => x.name === n)!;

    describe.concurrent('each', () => {
      it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
        const bytes = readCorpusStream(byName(c.from));
        const r = await loadIntoQemu(qemu, c.to, bytes, { timeoutMs: 20_000 });
        checkVerdict(r.verdict, c.expect, r.log);
        const sim = agreement(c.name, r.verdict, simulatedVerdict(c.to, bytes));
        expect(sim.ok, `simulated 7.2: ${sim.why}`).toBe(true);
        if (c.toCorpus) {
          const dest = byName(c.toCorpus);
          const dump = dumps[dest.machine] ? readCorpusJson(dumps[dest.machine]!) : undefined;
          const a = agreement(c.name, r.verdict, ourVerdict(readCorpusStream(dest), dest, dump, bytes));
          expect(a.ok, a.why).toBe(true);
        }
      });
    });
  });
}, { series: '7.2' });
