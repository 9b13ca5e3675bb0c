import { describe, expect, it } from 'vitest';
import { FW_CFG_FILE_DIR, FW_CFG_FILE_FIRST } from '../../../../src/devices/fw-cfg/constants.js';
import { FwCfg } from '../../../../src/devices/fw-cfg/fw-cfg.js';
import { fwCfgOptionsForMachine } from '../../../../src/devices/fw-cfg/machine-defaults.js';
import { fwCfgAcpiMrNeeded, fwCfgFromState, fwCfgToState, vmstateFwCfg } from '../../../../src/devices/fw-cfg/vmstate.js';
import { loadVMState } from '../../../../src/vmstate/walker-load.js';
import { saveVMState } from '../../../../src/vmstate/walker-save.js';
import { WireReader } from '../../../../src/wire/reader.js';
import { WireWriter } from '../../../../src/wire/writer.js';
import { catchLoad } from '../acpi/catch-load.js';
import { loadRealCapture } from '../acpi/real-capture.js';

describe('fw_cfg file directory', () => {
  it('sorts files by name and renumbers select keys from 0x20 (fw_cfg_add_file_callback)', () => {
    const fw = new FwCfg({ dmaEnabled: true, acpiMrRestore: true });
    fw.addFile('etc/table-loader', new Uint8Array(4096));
    fw.addFile('etc/acpi/tables', new Uint8Array(0x20000));
    fw.addFile('bootorder', new Uint8Array(1));
    expect(fw.fileNames()).toEqual(['bootorder', 'etc/acpi/tables', 'etc/table-loader']);
    expect(fw.selectKeyOf('etc/table-loader')).toBe(FW_CFG_FILE_FIRST + 2);
  });

  it('legacy order (machine types <= 2.5) keeps insertion order', () => {
    const fw = new FwCfg({ ...fwCfgOptionsForMachine('pc-i440fx-2.5') });
    fw.addFile('etc/table-loader', new Uint8Array(1));
    fw.addFile('bootorder', new Uint8Array(1));
    expect(fw.fileNames()).toEqual(['etc/table-loader', 'bootorder']);
  });

  it('exposes FW_CFG_FILE_DIR as be32 count + 64-byte entries for every slot', () => {
    const fw = new FwCfg({ dmaEnabled: true, acpiMrRestore: true });
    fw.addFile('etc/vmgenid_addr', new Uint8Array(8), { readOnly: false });
    fw.select(FW_CFG_FILE_DIR);
    const dir = fw.read(4 + 64);
    // count 1; size 8, select 0x0020, reserved 0, name
    expect(Buffer.from(dir.subarray(0, 12)).toString('hex')).toBe('00000001' + '00000008' + '0020' + '0000');
    expect(Buffer.from(dir.subarray(12, 28)).toString('latin1')).toBe('etc/vmgenid_addr');
    expect(fw.directoryBytes().length).toBe(4 + 64 * 0x20);
  });

  it('refuses duplicate names, names of 56 bytes or more, and a full directory', () => {
    const fw = new FwCfg({ dmaEnabled: true, acpiMrRestore: true, fileSlots: 2 });
    fw.addFile('a', new Uint8Array(1));
    expect(catchLoad(() => fw.addFile('a', new Uint8Array(1))).message).toBe('duplicate fw_cfg file name: a');
    expect(catchLoad(() => fw.addFile('x'.repeat(56), new Uint8Array(1))).code).toBe('fwcfg.name-too-long');
    fw.addFile('b', new Uint8Array(1));
    expect(catchLoad(() => fw.addFile('c', new Uint8Array(1))).code).toBe('fwcfg.too-many-files');
  });

  it('DMA writes land in writable files, call the write callback, and are refused otherwise', () => {
    const fw = new FwCfg({ dmaEnabled: true, acpiMrRestore: true });
    const addr = new Uint8Array(8);
    const seen: [number, number][] = [];
    fw.addFile('etc/vmgenid_addr', addr, { readOnly: false, onWrite: (o, n) => seen.push([o, n]) });
    fw.addFile('etc/vmgenid_guid', new Uint8Array(4096));
    fw.dmaWrite('etc/vmgenid_addr', 0, Uint8Array.of(0x28, 0xf0, 0xff, 0x01));
    expect(Array.from(addr)).toEqual([0x28, 0xf0, 0xff, 0x01, 0, 0, 0, 0]);
    expect(seen).toEqual([[0, 4]]);
    expect(catchLoad(() => fw.dmaWrite('etc/vmgenid_guid', 0, new Uint8Array(1))).code).toBe('fwcfg.write-denied');
    // exactly at the end is fine, one byte further is not
    fw.dmaWrite('etc/vmgenid_addr', 4, new Uint8Array(4));
    expect(catchLoad(() => fw.dmaWrite('etc/vmgenid_addr', 5, new Uint8Array(4))).code).toBe('fwcfg.write-out-of-bounds');
    expect(catchLoad(() => fw.dmaWrite('etc/nope', 0, new Uint8Array(1))).code).toBe('fwcfg.unknown-file');
    const old = new FwCfg(fwCfgOptionsForMachine('pc-i440fx-2.4'));
    old.addFile('etc/vmgenid_addr', new Uint8Array(8), { readOnly: false });
    expect(catchLoad(() => old.dmaWrite('etc/vmgenid_addr', 0, new Uint8Array(8))).code).toBe('fwcfg.no-dma');
  });
});

describe('fw_cfg machine-type properties (QEMU 7.2)', () => {
  it.each([
    ['pc-i440fx-2.4', { dmaEnabled: false, acpiMrRestore: false, fileSlots: 0x10, legacyOrder: true }],
    ['pc-i440fx-2.5', { dmaEnabled: true, acpiMrRestore: false, fileSlots: 0x10, legacyOrder: true }],
    ['pc-q35-2.9', { dmaEnabled: true, acpiMrRestore: false, fileSlots: 0x20, legacyOrder: false }],
    ['pc-q35-4.2', { dmaEnabled: true, acpiMrRestore: false, fileSlots: 0x20, legacyOrder: false }],
    ['pc-q35-5.0', { dmaEnabled: true, acpiMrRestore: true, fileSlots: 0x20, legacyOrder: false }],
    ['microvm', { dmaEnabled: true, acpiMrRestore: true, fileSlots: 0x20, legacyOrder: false }],
  ])('%s', (m, want) => {
    expect(fwCfgOptionsForMachine(m)).toEqual(want);
  });
});

describe('fw_cfg vmstate against the real pc-q35-7.2 section', () => {
  const real = loadRealCapture();

  it('loads the real section: cur_entry 0x0e, cur_offset 2, dma_addr 0, sizes 0x20000/0x1000/20', () => {
    const r = new WireReader(real.fwCfgSection);
    const s = loadVMState(r, vmstateFwCfg, 2, {});
    expect(r.atEnd()).toBe(true);
    expect(s['cur_entry']).toBe(0x0e);
    expect(s['cur_offset[1]']).toBe(2);
    expect(s['dma_addr']).toBe(0n);
    expect([s['table_mr_size'], s['linker_mr_size'], s['rsdp_mr_size']]).toEqual([0x20000n, 0x1000n, 20n]);
  });

  it('saves the same bytes from the device model', () => {
    const fw = new FwCfg(fwCfgOptionsForMachine('pc-q35-7.2'));
    fw.addFile('etc/acpi/tables', new Uint8Array(0x20000));
    fw.addFile('etc/table-loader', new Uint8Array(0x1000));
    fw.addFile('etc/acpi/rsdp', new Uint8Array(20));
    fw.regs.curEntry = 0x0e;
    fw.regs.curOffset = 2;
    const w = new WireWriter();
    saveVMState(w, vmstateFwCfg, fwCfgToState(fw));
    expect(Buffer.from(w.finish()).toString('hex')).toBe(Buffer.from(real.fwCfgSection).toString('hex'));
  });

  it('omits acpi_mr when every size is page aligned or acpi-mr-restore is off, and dma without DMA', () => {
    expect(fwCfgAcpiMrNeeded({ x_acpi_mr_restore: true, table_mr_size: 0x20000n, linker_mr_size: 0x1000n, rsdp_mr_size: 0x1000n })).toBe(false);
    expect(fwCfgAcpiMrNeeded({ x_acpi_mr_restore: false, table_mr_size: 0x20000n, linker_mr_size: 0x1000n, rsdp_mr_size: 20n })).toBe(false);
    const fw = new FwCfg(fwCfgOptionsForMachine('pc-i440fx-2.4'));
    const w = new WireWriter();
    saveVMState(w, vmstateFwCfg, fwCfgToState(fw));
    expect(w.finish().length).toBe(6); // cur_entry + cur_offset, no subsections (as the real 2.4 vmdesc)
  });

  it('a v1 stream carries cur_offset as 16 bits', () => {
    const s = loadVMState(new WireReader(Uint8Array.of(0, 0x19, 0, 7)), vmstateFwCfg, 1, {});
    const fw = new FwCfg({ dmaEnabled: false, acpiMrRestore: false });
    fwCfgFromState(fw, s, 1);
    expect(fw.regs).toMatchObject({ curEntry: 0x19, curOffset: 7 });
  });

  it('refuses an incoming tables size above the destination max_length (QEMU would abort in post_load)', () => {
    const fw = new FwCfg(fwCfgOptionsForMachine('pc-q35-7.2'));
    const limits = {
      tables: { idstr: '/rom@etc/acpi/tables', maxLength: 0x200000 },
      loader: { idstr: '/rom@etc/table-loader', maxLength: 0x10000 },
      rsdp: { idstr: '/rom@etc/acpi/rsdp', maxLength: 0x1000 },
    };
    const state = { cur_entry: 0, 'cur_offset[1]': 0, dma_addr: 0n, table_mr_size: 0x200001n, linker_mr_size: 0x1000n, rsdp_mr_size: 20n };
    const e = catchLoad(() => fwCfgFromState(fw, state, 2, limits));
    expect(e.code).toBe('fwcfg.acpi-mr-too-large');
    expect(e.message).toBe('Size too large: /rom@etc/acpi/tables: 0x201000 > 0x200000');
    expect(fw.regs.tableMrSize).toBe(0n); // nothing committed
    const resized: [string, bigint][] = [];
    fwCfgFromState(fw, { ...state, table_mr_size: 0x40000n }, 2, limits, (id, n) => resized.push([id, n]));
    expect(resized[0]).toEqual(['/rom@etc/acpi/tables', 0x40000n]);
  });
});
