/**
 * Migrations between simulated builds, each expected outcome argued from the
 * catalog entries (src/builds/catalog) and QEMU's source, not from running
 * this code first.
 */
import { describe, expect, it } from 'vitest';
import { expectedBreaks } from '../../../src/builds/index.js';
import { boot, BootError, incoming, loadInto, snapshotDifferences } from '../../../src/vm.js';

function migrate(from: string, to: string, machine: string, devices: string[] = []) {
  const src = boot(from, machine, { devices, seed: 9 });
  const bytes = src.save();
  const r = loadInto(to, machine, { devices }, bytes);
  return { src, r, diff: r.accepted ? snapshotDifferences(src.snapshot(), r.vm.snapshot()) : undefined };
}

describe('cross-build migrations', () => {
  it('7.2 -> 8.0, pc-q35-7.2 with e1000: accepted, same state', () => {
    // 8.0's changes (catalog v8.0.ts): the AER mask register (only devices with an AER capability;
    // e1000 on the root bus has none) and ICH9-LPC noreboot, kept off for pc-q35-7.2 by pc_compat_7_2.
    const { r, diff } = migrate('7.2', '8.0', 'pc-q35-7.2', ['e1000']);
    expect(r.accepted).toBe(true);
    expect(diff).toEqual([]);
    expect(expectedBreaks('7.2', '8.0', 'pc-q35-7.2').filter((b) => !b.break.requires)).toEqual([]);
  });

  it('10.0 -> 7.2 and 7.2 -> 10.0 on pc-i440fx-7.2: accepted both ways', () => {
    // Later cap_present bits (8.0.1 x-pcie-err-unc-mask, 9.2 x-pcie-ext-tag) concern PCIe functions;
    // pc-i440fx-7.2 -nodefaults has none, and hw_compat_7_2 switches them off for this machine type.
    for (const [a, b] of [['10.0', '7.2'], ['7.2', '10.0']] as const) {
      const { r, diff } = migrate(a, b, 'pc-i440fx-7.2', ['e1000']);
      expect(r.error?.toString()).toBeUndefined();
      expect(diff).toEqual([]);
    }
  });

  it('7.2 -> 4.2 on pc-i440fx-4.2: accepted, because hw_compat_4_2 keeps fw_cfg/acpi_mr unsent', () => {
    // fw_cfg/acpi_mr arrived in 5.0 (catalog v5.2.ts) with acpi-mr-restore=off in hw_compat_4_2:
    // a 4.2 destination does not know the subsection, and a 7.2 source does not send it for 4.2 types.
    const { r, diff } = migrate('7.2', '4.2', 'pc-i440fx-4.2');
    expect(r.accepted).toBe(true);
    expect(diff).toEqual([]);
  });

  it('2.4 -> 2.2 on pc-i440fx-2.2: a running guest migrates; a guest that never ran sends globalstate and is refused', () => {
    // hw_compat_2_3 makes globalstate optional (store-global-state=off); migration/global_state.c then
    // sends it unless the run state is running or paused. 2.2 has no globalstate handler at all
    // (catalog v2.4.ts adds the stream feature), so find_se fails: "Unknown savevm section or instance".
    const running = migrate('2.4', '2.2', 'pc-i440fx-2.2');
    expect(running.r.accepted).toBe(true);
    expect(running.diff).toEqual([]);
    const prelaunch = incoming('2.4', 'pc-i440fx-2.2').save();
    const r = loadInto('2.2', 'pc-i440fx-2.2', {}, prelaunch);
    expect(r.accepted).toBe(false);
    expect(r.error?.code).toBe('stream.unknown-section');
    expect(r.error?.message).toBe(
      "Unknown savevm section or instance 'globalstate' 0. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices",
    );
  });

  it('vmgenid: absent before 2.9, refused on machine types whose fw_cfg has no DMA', () => {
    // catalog v2.9.ts: device-added vmgenid, requires fw_cfg_io dma_enabled (off through hw_compat_2_4).
    expect(() => boot('2.6', 'pc-i440fx-2.6', { devices: ['vmgenid'] })).toThrow(BootError);
    expect(() => boot('2.6', 'pc-i440fx-2.6', { devices: ['vmgenid'] })).toThrow(/build 2\.6 has no device 'vmgenid'/);
    // hw/acpi/vmgenid.c vmgenid_realize's message.
    expect(() => boot('7.2', 'pc-i440fx-2.4', { devices: ['vmgenid'] })).toThrow(/vmgenid requires DMA write support in fw_cfg/);
    expect(() => boot('7.2', 'pc-i440fx-2.5', { devices: ['vmgenid'] })).not.toThrow();
  });

  it('machine types and builds the catalog does not offer are refused at boot', () => {
    expect(() => boot('7.2', 'pc-q35-8.0')).toThrow(/build 7\.2 has no machine type 'pc-q35-8\.0'/);
    expect(() => boot('6.6', 'pc-q35-7.2')).toThrow(BootError);
    expect(() => boot('7.2', 'pc-q35-7.2', { devices: ['sb16'] })).toThrow(/'sb16' is not a device the simulator models/);
  });
});

describe('destination configuration mismatches (QEMU wording)', () => {
  it('guest RAM size: "Size mismatch" on pc.ram', () => {
    const bytes = boot('7.2', 'pc-q35-7.2', { ram: '64M' }).save();
    const r = loadInto('7.2', 'pc-q35-7.2', { ram: '32M' }, bytes);
    // qemu_ram_resize on a fixed block; real 7.2 printed this for a patched capture (src/memory/resize.ts).
    expect(r.error?.code).toBe('ram.size-mismatch');
    expect(r.error?.message).toBe('Size mismatch: pc.ram: 0x4000000 != 0x2000000: Invalid argument');
  });

  it('a NIC the destination lacks: its option ROM block is unknown', () => {
    const bytes = boot('7.2', 'pc-q35-7.2', { devices: ['e1000'] }).save();
    const r = loadInto('7.2', 'pc-q35-7.2', {}, bytes);
    expect(r.error?.code).toBe('ram.unknown-block');
    expect(r.error?.message).toBe('Unknown ramblock "0000:00:01.0/e1000.rom", cannot accept migration');
  });

  it('e1000,romfile= on the destination only: the section matches but the ROM block is unknown', () => {
    const bytes = boot('7.2', 'pc-q35-7.2', { devices: ['e1000'] }).save();
    const r = loadInto('7.2', 'pc-q35-7.2', { devices: ['e1000,romfile='] }, bytes);
    expect(r.error?.code).toBe('ram.unknown-block');
  });

  it('another machine type: the configuration section says so', () => {
    const bytes = boot('7.2', 'pc-q35-7.2').save();
    const r = loadInto('7.2', 'pc-q35-7.1', {}, bytes);
    expect(r.error?.code).toBe('stream.machine-mismatch');
    expect(r.error?.message).toBe("Machine type received is 'pc-q35-7.2' and local is 'pc-q35-7.1'");
  });
});
