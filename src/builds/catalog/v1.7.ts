// QEMU 1.7: the oldest simulated build. Its changes set the starting state:
// the devices the matrix migrates, fixed-size RAM blocks and the original
// stream layout (no vmdesc, no configuration section, no footers).
import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat, OBSERVED_72, predates } from './sources.js';

export const build_1_7: BuildDelta = {
  version: '1.7',
  released: '2013-11',
  changes: [
    ...machineChanges('1.7', undefined),
    { kind: 'device-added', device: 'pci-device', sections: [{ name: 'PCIDevice' }], reason: 'the PCI core every PCI device embeds (config space, cap_present)', source: predates('hw/pci/pci.c') },
    { kind: 'device-added', device: 'e1000', sections: [{ name: 'e1000' }], ramBlocks: ['<pci-addr>/e1000.rom'], reason: 'Intel 82540EM NIC, the default PC NIC', source: predates('hw/net/e1000.c') },
    { kind: 'device-added', device: 'virtio-net-pci', sections: [{ name: 'virtio-net' }], ramBlocks: ['<pci-addr>/virtio-net-pci.rom'], reason: 'the paravirtual virtio network device on PCI', source: predates('hw/net/virtio-net.c') },
    { kind: 'device-added', device: 'virtio-rng-pci', sections: [{ name: 'virtio-rng' }], reason: 'the paravirtual virtio entropy source on PCI', source: { ...predates('hw/virtio/virtio-rng.c'), note: 'added in QEMU 1.3' } },
    { kind: 'device-added', device: 'fw_cfg_io', sections: [{ name: 'fw_cfg' }], reason: 'firmware configuration interface (I/O ports) of the PC machines', source: predates('hw/nvram/fw_cfg.c') },
    { kind: 'device-added', device: 'hpet', sections: [{ name: 'hpet' }], reason: 'the HPET timer block of the PC machines', source: predates('hw/timer/hpet.c') },
    { kind: 'device-added', device: 'ioapic', sections: [{ name: 'ioapic' }], reason: 'the I/O APIC interrupt controller', source: predates('hw/intc/ioapic.c') },
    { kind: 'device-added', device: 'PIIX4_PM', sections: [{ name: 'piix4_pm' }], reason: 'i440FX power management (ACPI) function', source: predates('hw/acpi/piix4.c') },
    { kind: 'device-added', device: 'ICH9-LPC', sections: [{ name: 'ICH9LPC' }], reason: 'Q35 LPC bridge with the ICH9 power management', source: predates('hw/isa/lpc_ich9.c') },
    {
      kind: 'subsection-added', device: 'e1000', section: 'e1000', subsection: 'e1000/mit_state',
      needed: 'the mitigation property is on (interrupt mitigation registers RADV/TADV/ITR and the mit timer state)',
      compat: compatSwitch('pc_compat_1_6', 'e1000', 'mitigation'),
      reason: 'e1000 interrupt mitigation; pc-*-1.6 and older keep it off so they do not send the subsection',
      source: datedByCompat('pc_compat_1_6', '1.7'),
    },
    {
      kind: 'ram-block', block: '/rom@etc/acpi/tables', resizeable: false, binaryAml: { base: 6414, perCpu: 97 },
      reason: 'QEMU-generated ACPI tables live in a ROM blob sized once at startup, aligned to 4 KiB, their AML compiled into the binary (6414 + 97 per possible CPU); pc-i440fx-1.6 and older have none',
      source: { ...OBSERVED_72, note: 'pc-i440fx-1.4..1.6 have no /rom@etc/acpi/* blocks, 1.7 has them; no resize API before 2.3 (seed 000). AML size: pc_piix.c "the right value for pc-i440fx-1.7 on QEMU 1.7 it is 6414" with ACPI_BUILD_LEGACY_CPU_AML_SIZE 97; 4 KiB: acpi-build.c "We used to align the tables to 4k"' },
    },
    { kind: 'ram-block', block: '/rom@etc/table-loader', resizeable: false, reason: 'BIOS linker/loader script blob, sized once', source: OBSERVED_72 },
    { kind: 'ram-feature', feature: 'resizeable-blocks', enabled: false, reason: 'every RAM block must arrive with exactly its local length ("Length mismatch")', source: { ref: 'seed 000', confidence: 'verified', note: 'the resize API is what the seed adds' } },
    { kind: 'ram-feature', feature: 'migratable-flag', enabled: false, reason: 'every RAM block is migrated, registered or not', source: { ref: 'seed 001', confidence: 'verified' } },
    { kind: 'stream-feature', feature: 'vmdesc', enabled: false, reason: 'no JSON description appended to the stream yet', source: { ref: 'migration/savevm.c', qemu: '2.3', confidence: 'inferred', note: 'vmdesc arrived in 2.3' } },
    { kind: 'stream-feature', feature: 'configuration-section', enabled: false, reason: 'no configuration section yet: nothing checks the machine type on load', source: datedByCompat('hw_compat_2_3', '2.4') },
    { kind: 'stream-feature', feature: 'section-footer', enabled: false, reason: 'no section footers yet', source: datedByCompat('hw_compat_2_3', '2.4') },
    { kind: 'stream-feature', feature: 'global-state', enabled: false, reason: 'no globalstate section yet', source: datedByCompat('hw_compat_2_3', '2.4') },
  ],
};
