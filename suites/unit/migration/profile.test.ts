import { describe, expect, it } from 'vitest';
import { destinationFromProfile, isResizeableIdstr, loadStream, parseStream, profileFromCapture } from '../../../src/migration/index.js';
import { corpusStream, corpusText, haveCorpus, manifest } from './corpus-helpers.js';

describe('resizeable blocks in QEMU 7.2', () => {
  it('every rom_add_blob block (/rom@ and /ram@) is resizeable, even when used == max', () => {
    // info ramblock on pc-q35-7.2: /rom@etc/acpi/rsdp used 0x1000, total 0x1000.
    expect(isResizeableIdstr('/rom@etc/acpi/rsdp')).toBe(true);
    expect(isResizeableIdstr('/rom@etc/acpi/tables')).toBe(true);
    expect(isResizeableIdstr('pc.ram')).toBe(false);
    expect(isResizeableIdstr('0000:00:01.0/e1000.rom')).toBe(false);
  });
});

describe.runIf(haveCorpus)('profileFromCapture', () => {
  const entry = () => manifest().streams.find((s) => s.name === 'pc-q35-7.2+all-devices')!;
  const profile = () => {
    const e = entry();
    return profileFromCapture({
      capture: parseStream(corpusStream(e.file)),
      ramBlocks: e.ramBlocks,
      dumpVmstate: JSON.parse(corpusText('pc-q35-7.2.vmstate.json.gz')),
    });
  };

  it('takes the layout, sections and versions', () => {
    const p = profile();
    expect(p).toMatchObject({ machine: 'pc-q35-7.2', sendConfiguration: true, sendSectionFooter: true, expectVmdesc: true });
    // From -dump-vmstate: e1000 is version 2, minimum 1; virtio-net 11/11.
    expect(p.sections.find((s) => s.idstr === '0000:00:01.0/e1000')).toMatchObject({ vmsdName: 'e1000', versionId: 2, minimumVersionId: 1, versionSource: 'dump-vmstate' });
    expect(p.sections.find((s) => s.idstr === 'apic')).toMatchObject({ versionId: 3, minimumVersionId: 3, versionSource: 'qemu-source' });
    expect(p.sections.filter((s) => s.versionSource === 'capture')).toEqual([]);
  });

  it('takes RAM lengths from info ramblock', () => {
    const acpi = profile().ramBlocks.find((b) => b.idstr === '/rom@etc/acpi/tables');
    expect(acpi).toEqual({ idstr: '/rom@etc/acpi/tables', usedLength: 0x20000, maxLength: 0x200000, resizeable: true, migratable: true, pageSize: 4096 });
  });

  it('a pc-q35-7.2 destination refuses a stream from the all-devices machine: unknown e1000 ROM block', () => {
    const plain = manifest().streams.find((s) => s.name === 'pc-q35-7.2')!;
    const dest = destinationFromProfile(
      profileFromCapture({ capture: parseStream(corpusStream(plain.file)), ramBlocks: plain.ramBlocks }),
    );
    const v = loadStream(corpusStream(entry().file), dest);
    expect(v.accepted).toBe(false);
    if (v.accepted) return;
    expect(v.error.code).toBe('ram.unknown-block');
    expect(v.error.message).toBe('Unknown ramblock "0000:00:01.0/e1000.rom", cannot accept migration');
  });
});
