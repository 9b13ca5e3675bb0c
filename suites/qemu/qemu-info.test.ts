import { describe, expect, it } from 'vitest';
import { parseMachineHelp, parseRamBlockTable, parseVersion } from '../../harness/targets/qemu-info.js';
import { classifyQemuRefusal } from '../../harness/targets/qemu-classify.js';
import { errorLines } from '../../harness/targets/qemu-process.js';
import { describeVerdict, exitCodeFor } from '../../harness/targets/target.js';

// Verbatim excerpts of what QEMU 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3) prints.
const MACHINE_HELP = `Supported machines are:
microvm              microvm (i386)
pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)
pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)
pc-i440fx-1.4        Standard PC (i440FX + PIIX, 1996) (deprecated)
q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)
pc-q35-4.0.1         Standard PC (Q35 + ICH9, 2009)
isapc                ISA-only PC
none                 empty machine
x-remote             Experimental remote machine
`;

// HMP `info ramblock` for pc-q35-7.2 with e1000 and virtio-net-pci, as returned by human-monitor-command.
const RAMBLOCK =
  '              Block Name    PSize              Offset               Used              Total\r\n' +
  '                  pc.ram    4 KiB  0x0000000000000000 0x0000000002000000 0x0000000002000000\r\n' +
  '    /rom@etc/acpi/tables    4 KiB  0x0000000002100000 0x0000000000020000 0x0000000000200000\r\n' +
  '  0000:00:01.0/e1000.rom    4 KiB  0x0000000002080000 0x0000000000040000 0x0000000000040000\r\n' +
  '0000:00:02.0/virtio-net-pci.rom    4 KiB  0x00000000020c0000 0x0000000000040000 0x0000000000040000\r\n' +
  '      /rom@etc/acpi/rsdp    4 KiB  0x0000000002340000 0x0000000000001000 0x0000000000001000\r\n';

describe('parseMachineHelp', () => {
  const machines = parseMachineHelp(MACHINE_HELP);

  it('lists every machine line and skips the header', () => {
    expect(machines.map((m) => m.name)).toEqual([
      'microvm', 'pc', 'pc-i440fx-7.2', 'pc-i440fx-1.4', 'q35', 'pc-q35-4.0.1', 'isapc', 'none', 'x-remote',
    ]);
  });

  it('reads aliases, the default and deprecation out of the description', () => {
    const pc = machines.find((m) => m.name === 'pc')!;
    expect(pc.aliasOf).toBe('pc-i440fx-7.2');
    expect(pc.description).toBe('Standard PC (i440FX + PIIX, 1996)');
    expect(machines.find((m) => m.name === 'pc-i440fx-7.2')!.isDefault).toBe(true);
    expect(machines.find((m) => m.name === 'pc-i440fx-1.4')!.deprecated).toBe(true);
    expect(machines.find((m) => m.name === 'isapc')).toEqual({ name: 'isapc', description: 'ISA-only PC', isDefault: false, deprecated: false });
  });
});

describe('parseRamBlockTable', () => {
  it('parses rows from the right, so idstrs with slashes and colons survive', () => {
    const blocks = parseRamBlockTable(RAMBLOCK);
    expect(blocks.map((b) => b.idstr)).toEqual([
      'pc.ram', '/rom@etc/acpi/tables', '0000:00:01.0/e1000.rom', '0000:00:02.0/virtio-net-pci.rom', '/rom@etc/acpi/rsdp',
    ]);
    // 32 MiB guest RAM, fixed size: used == max == 0x2000000.
    expect(blocks[0]).toEqual({ idstr: 'pc.ram', pageSize: 4096, offset: 0, used: 0x2000000, max: 0x2000000 });
    // ACPI tables: 128 KiB used of a 2 MiB resizeable block.
    expect(blocks[1]).toMatchObject({ used: 0x20000, max: 0x200000, offset: 0x2100000 });
  });

  it('returns nothing for an empty table', () => {
    expect(parseRamBlockTable('              Block Name    PSize              Offset               Used              Total\r\n')).toEqual([]);
  });
});

describe('parseVersion', () => {
  it('reads version and package from --version', () => {
    expect(parseVersion('QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022')).toEqual({
      major: 7, minor: 2, micro: 22, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3', text: '7.2.22',
    });
  });

  it('refuses text without a version', () => {
    expect(() => parseVersion('hello')).toThrow(/cannot parse QEMU version/);
  });
});

describe('errorLines', () => {
  it('strips the program prefix and drops warnings and blank lines', () => {
    const log = [
      'qemu-system-x86_64: warning: host doesn\'t support requested feature',
      'qemu-system-x86_64: Missing section footer for pcspk',
      '',
      'qemu-system-x86_64: load of migration failed: Invalid argument',
    ];
    expect(errorLines(log, 'qemu-system-x86_64')).toEqual(['Missing section footer for pcspk', 'load of migration failed: Invalid argument']);
  });
});

describe('classifyQemuRefusal', () => {
  // Each wording is QEMU 7.2's error_report() format (migration/savevm.c, migration/ram.c,
  // migration/vmstate.c, softmmu/physmem.c qemu_ram_resize), filled in as QEMU printed it.
  const cases: Array<[string[], string]> = [
    [['Not a migration stream', 'load of migration failed: Invalid argument'], 'stream.bad-magic'],
    [["SaveVM v2 format is obsolete and don't work anymore"], 'stream.v2-obsolete'],
    [['Unsupported migration stream version'], 'stream.unsupported-version'],
    [['Configuration section missing'], 'stream.config-missing'],
    [["Machine type received is 'pc-q35-7.2' and local is 'pc-q35-7.1'"], 'stream.machine-mismatch'],
    [["Unknown savevm section or instance 'pcspq' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices"], 'stream.unknown-section'],
    [['Unknown savevm section type 66'], 'stream.unknown-section-type'],
    [['Missing section footer for pcspk'], 'section.footer-missing'],
    [['Mismatched section id in footer for pcspk - read 0x16 expected 0x15'], 'section.footer-mismatch'],
    [["savevm: unsupported version 2 for 'pcspk' v1"], 'section.version-too-new'],
    [['mc146818rtc: incoming version_id 0 is too old for local minimum version_id  1'], 'section.version-too-old'],
    [['Unknown ramblock "pc.rox", cannot accept migration'], 'ram.unknown-block'],
    [['Size mismatch: pc.ram: 0x4000000 != 0x2000000: Invalid argument'], 'ram.size-mismatch'],
    [['Size too large: /rom@etc/acpi/tables: 0x210000 > 0x200000: Invalid argument'], 'ram.length-too-large'],
    [['Unknown combination of migration flags: 0x0'], 'ram.unknown-flags'],
    [["Can't find block pc.rox", 'Illegal RAM offset 0', 'error while loading state section id 2(ram)'], 'ram.bad-block-name'],
    [['Ack, bad migration stream!', 'Illegal RAM offset 0'], 'ram.continue-without-block'],
    [['Illegal RAM offset 1000', 'error while loading state section id 2(ram)'], 'ram.offset-out-of-range'],
    [['load of migration failed: Input/output error'], 'wire.truncated'],
    [['get_pci_config_device: Bad config data: i=0x0 read: 79 device: 86 cmask: ff wmask: 0 w1cmask:0'], 'pci.bad-config-data'],
    [['Invalid value 3 expecting positive value <= 2', 'Failed to load PCIDevice:version_id'], 'pci.version-invalid'],
    [["error while loading state for instance 0x0 of device 'fw_cfg'", 'load of migration failed: No such file or directory'], 'vmstate.subsection-unknown'],
    [['fw_cfg/acpi_mr: incoming version_id 2 is too new for local version_id 1'], 'vmstate.subsection-version'],
    [['something QEMU has never said'], 'qemu.load-failed'],
  ];
  it.each(cases)('%j -> %s', (lines, code) => {
    expect(classifyQemuRefusal(lines)).toBe(code);
  });
});

describe('describeVerdict', () => {
  it('prints the form migcompat load puts on stderr', () => {
    expect(describeVerdict({ kind: 'refused', code: 'ram.unknown-block', message: 'Unknown ramblock "x", cannot accept migration' })).toBe(
      'refused: ram.unknown-block: Unknown ramblock "x", cannot accept migration',
    );
    expect(describeVerdict({ kind: 'accepted' })).toBe('accepted');
    expect(describeVerdict({ kind: 'hang', message: 'no migration verdict within 1000 ms' })).toBe('hang: no migration verdict within 1000 ms');
  });
});

describe('exitCodeFor', () => {
  it('follows DESIGN.md: 0 accepted, 1 refused or failed, 2 environment error', () => {
    expect(exitCodeFor({ kind: 'accepted' })).toBe(0);
    expect(exitCodeFor({ kind: 'refused', code: 'x', message: 'y' })).toBe(1);
    expect(exitCodeFor({ kind: 'hang', message: 'y' })).toBe(1);
    expect(exitCodeFor({ kind: 'crash', message: 'y', signal: 'SIGSEGV' })).toBe(1);
    expect(exitCodeFor({ kind: 'harness-error', message: 'y' })).toBe(2);
  });
});
