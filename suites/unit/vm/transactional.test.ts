/**
 * A refused stream leaves the destination as it was: RAM pages, block
 * lengths, section states and device models. Refusals placed late in the
 * stream (after all RAM and most devices were read) are the ones that would
 * expose a half-applied load.
 */
import { describe, expect, it } from 'vitest';
import { parseStream } from '../../../src/migration/index.js';
import { boot, guestStateEqual, incoming, snapshotDifferences } from '../../../src/vm.js';

const DEVICES = ['e1000', 'vmgenid,guid=324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87'];

function sectionBody(bytes: Uint8Array, idstr: string): { bodyOffset: number; end: number } {
  const item = parseStream(bytes).items.find((i) => i.kind === 'section' && i.idstr === idstr && i.type === 'full');
  if (!item || item.kind !== 'section') throw new Error(`no section ${idstr}`);
  return { bodyOffset: item.bodyOffset, end: item.end };
}

describe('a refused load changes nothing', () => {
  const src = boot('7.2', 'pc-q35-7.2', { devices: DEVICES, seed: 4 });
  const good = src.save();

  it('the unmodified stream is accepted (control)', () => {
    const dst = incoming('7.2', 'pc-q35-7.2', { devices: DEVICES });
    expect(dst.load(good).accepted).toBe(true);
  });

  it('truncated in the last device section: refused, RAM and devices untouched', () => {
    const { bodyOffset } = sectionBody(good, 'globalstate');
    const cut = good.slice(0, bodyOffset + 2);
    const dst = incoming('7.2', 'pc-q35-7.2', { devices: DEVICES });
    const before = dst.snapshot();
    const statesBefore = dst.sections.map((s) => s.state);
    const r = dst.load(cut);
    expect(r.accepted).toBe(false);
    expect(r.error?.code).toBe('wire.truncated');
    expect(snapshotDifferences(before, dst.snapshot())).toEqual([]);
    expect(dst.sections.map((s) => s.state)).toEqual(statesBefore);
    expect(dst.ram.blocks.every((b) => b.pages.size === 0)).toBe(true);
  });

  it('e1000 with another vendor id: "Bad config data" from the PCI core, nothing applied', () => {
    // e1000's section starts with VMSTATE_PCI_DEVICE: be32 version_id, then config[0..255];
    // config[0] is the low byte of the vendor id 0x8086 (little-endian in config space).
    const { bodyOffset } = sectionBody(good, '0000:00:01.0/e1000');
    const bad = good.slice();
    expect(bad[bodyOffset + 4]).toBe(0x86);
    bad[bodyOffset + 4] = 0x87;
    const dst = incoming('7.2', 'pc-q35-7.2', { devices: DEVICES });
    const before = dst.snapshot();
    const configBefore = dst.sections.find((s) => s.idstr.endsWith('/e1000'))!.pci!.dev.config.slice();
    const r = dst.load(bad);
    expect(r.error?.code).toBe('pci.bad-config-data');
    // hw/pci/pci.c get_pci_config_device: "%s: Bad config data: i=0x%x read: %x device: %x cmask: %x wmask: %x w1cmask:%x"
    // with the vendor id byte: checked (cmask 0xff), read-only (wmask 0), not RW1C.
    expect(r.error?.message).toBe('get_pci_config_device: Bad config data: i=0x0 read: 87 device: 86 cmask: ff wmask: 0 w1cmask:0');
    // Located: the byte that was changed, under the section and field that hold it.
    expect(r.error?.offset).toBe(bodyOffset + 4);
    expect(r.error?.path).toBe('0000:00:01.0/e1000/parent_obj/config');
    expect(snapshotDifferences(before, dst.snapshot())).toEqual([]);
    expect(dst.sections.find((s) => s.idstr.endsWith('/e1000'))!.pci!.dev.config).toEqual(configBefore);
    expect(dst.firmware.vmgenidAddr).toBe(0);
  });

  it('guest-writable config bytes may differ (the interrupt line is in wmask)', () => {
    const { bodyOffset } = sectionBody(good, '0000:00:01.0/e1000');
    const other = good.slice();
    other[bodyOffset + 4 + 0x3c] = 0x05; // PCI_INTERRUPT_LINE
    const dst = incoming('7.2', 'pc-q35-7.2', { devices: DEVICES });
    const r = dst.load(other);
    expect(r.accepted).toBe(true);
    expect(dst.sections.find((s) => s.idstr.endsWith('/e1000'))!.pci!.dev.config[0x3c]).toBe(0x05);
  });

  it('an accepted load commits vmgenid: the destination writes its own GUID at the loaded address', () => {
    const dst = incoming('7.2', 'pc-q35-7.2', { devices: ['e1000', 'vmgenid,guid=00000000-1111-2222-3333-444444444444'] });
    expect(dst.load(good).accepted).toBe(true);
    expect(dst.firmware.vmgenidAddr).toBe(src.firmware.vmgenidAddr);
    const diff = snapshotDifferences(src.snapshot(), dst.snapshot());
    expect(guestStateEqual(src, dst)).toBe(false);
    // Only the page holding the GUID differs: vmgenid_post_load writes the destination's GUID (seed 004).
    expect(diff).toEqual([`ram.${src.ram.blocks.findIndex((b) => b.idstr === 'pc.ram') >= 0 ? sortedIndex(src, 'pc.ram') : -1}.pages.${Math.floor(src.firmware.vmgenidAddr / 4096)}`]);
  });
});

function sortedIndex(vm: { ram: { blocks: { idstr: string }[] } }, idstr: string): number {
  return vm.ram.blocks.map((b) => b.idstr).sort().indexOf(idstr);
}

describe('fw_cfg acpi_mr sizes are checked against the destination blocks', () => {
  it('a table size above max_length is refused, nothing applied', () => {
    const good = boot('7.2', 'pc-q35-7.2', { seed: 8 }).save();
    const { bodyOffset, end } = sectionBody(good, 'fw_cfg');
    const body = Buffer.from(good.subarray(bodyOffset, end));
    // Subsection header: 0x05, name length, "fw_cfg/acpi_mr", be32 version, then be64 table_mr_size.
    const at = bodyOffset + body.indexOf('fw_cfg/acpi_mr') + 'fw_cfg/acpi_mr'.length + 4;
    const bad = good.slice();
    new DataView(bad.buffer).setBigUint64(at, 0x300000n);
    const dst = incoming('7.2', 'pc-q35-7.2');
    const before = dst.snapshot();
    const r = dst.load(bad);
    // /rom@etc/acpi/tables has max_length 0x200000 on 7.2 (info ramblock); wording of qemu_ram_resize.
    expect(r.error?.code).toBe('fwcfg.acpi-mr-too-large');
    expect(r.error?.message).toBe('Size too large: /rom@etc/acpi/tables: 0x300000 > 0x200000');
    expect(snapshotDifferences(before, dst.snapshot())).toEqual([]);
  });
});
