// QEMU 2.9 (with 2.7 and 2.8): vmgenid (seed 004), the pcspk section,
// APIC instance ids, the IOAPIC version and SMI feature negotiation.
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat, SEED_004 } from './sources.js';

export const build_2_9: BuildDelta = {
  version: '2.9',
  base: '2.6',
  released: '2017-04',
  changes: [
    ...machineChanges('2.9', '2.6'),
    {
      kind: 'property-added', device: 'apic-common', property: 'legacy-instance-id', default: 'off',
      effect: 'the apic section instance id becomes the APIC id instead of a creation counter',
      compat: compatSwitch('pc_compat_2_6', 'apic-common', 'legacy-instance-id'),
      reason: 'APIC instance ids follow the APIC id (landed in 2.7) so sparse APIC ids migrate; old machine types keep counting',
      source: datedByCompat('pc_compat_2_6', '2.7'),
    },
    {
      kind: 'property-added', device: 'isa-pcspk', property: 'migrate', default: 'on',
      effect: 'a pcspk section is written; with migrate=off the PC speaker has no section at all',
      compat: compatSwitch('pc_compat_2_7', 'isa-pcspk', 'migrate'),
      reason: 'the PC speaker state becomes migrated (landed in 2.8); a pc-*-2.7 stream has no pcspk section',
      source: datedByCompat('pc_compat_2_7', '2.8', 'section name "pcspk" as QEMU 7.2 -dump-vmstate lists it'),
    },
    {
      kind: 'property-added', device: 'ioapic', property: 'version', default: '0x20',
      effect: 'IOAPIC version register the guest reads (0x20 adds the EOI register)',
      compat: compatSwitch('hw_compat_2_7', 'ioapic', 'version'),
      reason: 'the IOAPIC is emulated as version 0x20 (landed in 2.8); old machine types keep 0x11',
      source: datedByCompat('hw_compat_2_7', '2.8'),
    },
    {
      kind: 'property-added', device: 'fw_cfg_io', property: 'x-file-slots', default: '0x20',
      effect: 'number of fw_cfg file slots: the file directory layout guests and vmgenid see',
      compat: compatSwitch('hw_compat_2_8', 'fw_cfg_io', 'x-file-slots'),
      reason: 'the fw_cfg file-slot count becomes a property and its default doubles; old machine types keep 0x10',
      source: datedByCompat('hw_compat_2_8', '2.9'),
    },
    {
      kind: 'subsection-added', device: 'ICH9-LPC', section: 'ICH9LPC', subsection: 'ICH9LPC/smi_feat',
      needed: 'the guest negotiated SMI features (x-smi-broadcast offers SMI broadcast)',
      compat: compatSwitch('pc_compat_2_8', 'ICH9-LPC', 'x-smi-broadcast'),
      reason: 'q35 lets firmware negotiate SMI broadcast; the negotiated features are migrated',
      source: datedByCompat('pc_compat_2_8', '2.9', 'subsection name as QEMU 7.2 -dump-vmstate lists it'),
    },
    {
      kind: 'device-added', device: 'vmgenid', sections: [{ name: 'vmgenid', version_id: 1, minimum_version_id: 1 }],
      requires: {
        ...compatSwitch('hw_compat_2_4', 'fw_cfg_io', 'dma_enabled'),
        note: 'vmgenid writes its buffer address back through fw_cfg DMA (WRITE_POINTER); machine types whose fw_cfg lacks DMA (2.4 and older) refuse the device',
      },
      reason: 'Virtual Machine Generation ID: a GUID in guest RAM that changes when the VM is copied',
      source: { ...SEED_004, qemu: '2.9', note: 'merged for 2.9 (v19 of the seed series was posted in 2016); vmstate v1/1 as QEMU 7.2 -dump-vmstate lists it' },
    },
    {
      kind: 'device-added', device: 'pcie-root-port', sections: [{ name: 'pcie-root-port' }],
      reason: 'generic PCIe root port for q35, the usual place to plug PCIe devices (it has an AER capability)',
      source: { ref: 'hw/core/machine.c hw_compat_2_9 (pcie-root-port x-migrate-msix)', qemu: '2.9', confidence: 'inferred', note: 'the device exists for 2.9 machine types, whose MSI-X migration 2.10 fixes; section name as QEMU 7.2 -dump-vmstate lists it' },
    },
    {
      kind: 'property-added', device: 'pci-device', property: 'x-pcie-extcap-init', default: 'on',
      effect: 'PCIe devices get their extended capabilities (e.g. in virtio-pci) initialised: config bytes the config check compares',
      compat: compatSwitch('hw_compat_2_8', 'pci-device', 'x-pcie-extcap-init'),
      reason: 'PCIe extended capability setup changed the config space of PCIe devices; old machine types keep the old bytes',
      source: datedByCompat('hw_compat_2_8', '2.9'),
    },
  ],
};
