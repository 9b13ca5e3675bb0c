/**
 * QEMU's hw_compat_X_Y arrays (hw/core/machine.c), as data.
 *
 * Read from two source snapshots (see SNAPSHOTS): the 6.2 development tree
 * for the arrays up to 6.1 and the 9.1 development tree for 6.2 .. 9.0; the
 * 9.1 and 9.2 arrays come from the patches that filled them during the 9.2
 * and 10.0 cycles (qemu-devel, public corpus). Entries that the later
 * snapshot has and the earlier one lacks carry `since` with a note.
 * Arrays older than hw_compat_2_1 do not exist: before 2.1 the generic
 * entries lived in the per-board pc_compat arrays.
 */
import { prop, QOM, type CompatArray, type GlobalProperty } from './compat-property.js';
import { SNAPSHOTS, type Source } from './source.js';

const S62 = SNAPSHOTS.machineC62;
const S91 = SNAPSHOTS.machineC91;

function hw(version: string, entries: GlobalProperty[], source: Source = S62): CompatArray {
  return { name: `hw_compat_${version.replace(/\./g, '_')}`, kind: 'hw', version, entries, source };
}

export const HW_COMPAT: readonly CompatArray[] = [
  hw('2.1', [
    prop('intel-hda', 'old_msi_addr', 'on'),
    prop('VGA', 'qemu-extended-regs', 'off'),
    prop('secondary-vga', 'qemu-extended-regs', 'off'),
    prop('virtio-scsi-pci', 'any_layout', 'off'),
    prop('usb-mouse', 'usb_version', '1'),
    prop('usb-kbd', 'usb_version', '1'),
    prop('virtio-pci', 'virtio-pci-bus-master-bug-migration', 'on'),
  ]),
  hw('2.2', []),
  hw('2.3', [
    prop('virtio-blk-pci', 'any_layout', 'off'),
    prop('virtio-balloon-pci', 'any_layout', 'off'),
    prop('virtio-serial-pci', 'any_layout', 'off'),
    prop('virtio-9p-pci', 'any_layout', 'off'),
    prop('virtio-rng-pci', 'any_layout', 'off'),
    prop(QOM.PCI_DEVICE, 'x-pcie-lnksta-dllla', 'off'),
    // The migration object's globals: machine types <= 2.3 write the stream
    // without the configuration section, without section footers and without
    // the global-state section (verified on real 7.2, see machine-options.ts).
    prop('migration', 'send-configuration', 'off'),
    prop('migration', 'send-section-footer', 'off'),
    prop('migration', 'store-global-state', 'off'),
  ]),
  hw('2.4', [
    prop('virtio-blk-device', 'scsi', 'true', { optional: true }),
    prop('e1000', 'extra_mac_registers', 'off'),
    prop('virtio-pci', 'x-disable-pcie', 'on'),
    prop('virtio-pci', 'migrate-extra', 'off'),
    prop('fw_cfg_mem', 'dma_enabled', 'off'),
    prop('fw_cfg_io', 'dma_enabled', 'off'),
  ]),
  hw('2.5', [
    prop('isa-fdc', 'fallback', '144'),
    prop('pvscsi', 'x-old-pci-configuration', 'on'),
    prop('pvscsi', 'x-disable-pcie', 'on'),
    prop('vmxnet3', 'x-old-msi-offsets', 'on'),
    prop('vmxnet3', 'x-disable-pcie', 'on'),
  ]),
  hw('2.6', [
    prop('virtio-mmio', 'format_transport_address', 'off'),
    prop('virtio-pci', 'disable-modern', 'on', { optional: true }),
    prop('virtio-pci', 'disable-legacy', 'off', { optional: true }),
  ]),
  hw('2.7', [
    prop('virtio-pci', 'page-per-vq', 'on'),
    prop('virtio-serial-device', 'emergency-write', 'off'),
    prop('ioapic', 'version', '0x11'),
    prop('intel-iommu', 'x-buggy-eim', 'true'),
    prop('virtio-pci', 'x-ignore-backend-features', 'on'),
  ]),
  hw('2.8', [
    prop('fw_cfg_mem', 'x-file-slots', '0x10'),
    prop('fw_cfg_io', 'x-file-slots', '0x10'),
    prop('pflash_cfi01', 'old-multiple-chip-handling', 'on'),
    prop('pci-bridge', 'shpc', 'on'),
    prop(QOM.PCI_DEVICE, 'x-pcie-extcap-init', 'off'),
    prop('virtio-pci', 'x-pcie-deverr-init', 'off'),
    prop('virtio-pci', 'x-pcie-lnkctl-init', 'off'),
    prop('virtio-pci', 'x-pcie-pm-init', 'off'),
    prop('cirrus-vga', 'vgamem_mb', '8'),
    prop('isa-cirrus-vga', 'vgamem_mb', '8'),
  ]),
  hw('2.9', [
    prop('pci-bridge', 'shpc', 'off'),
    prop('intel-iommu', 'pt', 'off'),
    prop('virtio-net-device', 'x-mtu-bypass-backend', 'off'),
    prop('pcie-root-port', 'x-migrate-msix', 'false'),
  ]),
  hw('2.10', [
    prop('virtio-mouse-device', 'wheel-axis', 'false'),
    prop('virtio-tablet-device', 'wheel-axis', 'false'),
  ]),
  hw('2.11', [
    prop('hpet', 'hpet-offset-saved', 'false'),
    prop('virtio-blk-pci', 'vectors', '2'),
    prop('vhost-user-blk-pci', 'vectors', '2'),
    prop('e1000', 'migrate_tso_props', 'off'),
  ]),
  hw('2.12', [
    prop('migration', 'decompress-error-check', 'off'),
    prop('hda-audio', 'use-timer', 'false'),
    prop('cirrus-vga', 'global-vmstate', 'true'),
    prop('VGA', 'global-vmstate', 'true'),
    prop('vmware-svga', 'global-vmstate', 'true'),
    prop('qxl-vga', 'global-vmstate', 'true'),
  ]),
  hw('3.0', []),
  hw('3.1', [
    prop('pcie-root-port', 'x-speed', '2_5'),
    prop('pcie-root-port', 'x-width', '1'),
    prop('memory-backend-file', 'x-use-canonical-path-for-ramblock-id', 'true'),
    prop('memory-backend-memfd', 'x-use-canonical-path-for-ramblock-id', 'true'),
    prop('tpm-crb', 'ppi', 'false'),
    prop('tpm-tis', 'ppi', 'false'),
    prop('usb-kbd', 'serial', '42'),
    prop('usb-mouse', 'serial', '42'),
    prop('usb-tablet', 'serial', '42'),
    prop('virtio-blk-device', 'discard', 'false'),
    prop('virtio-blk-device', 'write-zeroes', 'false'),
    prop('virtio-balloon-device', 'qemu-4-0-config-size', 'false'),
    prop('pcie-root-port-base', 'disable-acs', 'true', { since: '4.1', note: 'the source says /* Added in 4.1 */' }),
  ]),
  hw('4.0', [
    prop('VGA', 'edid', 'false'),
    prop('secondary-vga', 'edid', 'false'),
    prop('bochs-display', 'edid', 'false'),
    prop('virtio-vga', 'edid', 'false'),
    prop('virtio-gpu-device', 'edid', 'false'),
    prop('virtio-device', 'use-started', 'false'),
    prop('virtio-balloon-device', 'qemu-4-0-config-size', 'true'),
    prop('pl031', 'migrate-tick-offset', 'false'),
  ]),
  hw('4.1', [prop('virtio-pci', 'x-pcie-flr-init', 'off')]),
  hw('4.2', [
    prop('virtio-blk-device', 'queue-size', '128'),
    prop('virtio-scsi-device', 'virtqueue_size', '128'),
    prop('virtio-blk-device', 'x-enable-wce-if-config-wce', 'off'),
    prop('virtio-blk-device', 'seg-max-adjust', 'off'),
    prop('virtio-scsi-device', 'seg_max_adjust', 'off'),
    prop('vhost-blk-device', 'seg_max_adjust', 'off'),
    prop('usb-host', 'suppress-remote-wake', 'off'),
    prop('usb-redir', 'suppress-remote-wake', 'off'),
    prop('qxl', 'revision', '4'),
    prop('qxl-vga', 'revision', '4'),
    prop('fw_cfg', 'acpi-mr-restore', 'false'),
    prop('virtio-device', 'use-disabled-flag', 'false'),
  ]),
  hw('5.0', [
    prop('pci-host-bridge', 'x-config-reg-migration-enabled', 'off'),
    prop('virtio-balloon-device', 'page-poison', 'false'),
    prop('vmport', 'x-read-set-eax', 'off'),
    prop('vmport', 'x-signal-unsupported-cmd', 'off'),
    prop('vmport', 'x-report-vmx-type', 'off'),
    prop('vmport', 'x-cmds-v2', 'off'),
    prop('virtio-device', 'x-disable-legacy-check', 'true'),
  ]),
  hw('5.1', [
    prop('vhost-scsi', 'num_queues', '1'),
    prop('vhost-user-blk', 'num-queues', '1'),
    prop('vhost-user-scsi', 'num_queues', '1'),
    prop('virtio-blk-device', 'num-queues', '1'),
    prop('virtio-scsi-device', 'num_queues', '1'),
    prop('nvme', 'use-intel-id', 'on'),
    prop('pvpanic', 'events', '1'),
    prop('pl011', 'migrate-clk', 'off'),
    prop('virtio-pci', 'x-ats-page-aligned', 'off'),
  ]),
  hw('5.2', [
    prop('ICH9-LPC', 'smm-compat', 'on'),
    prop('PIIX4_PM', 'smm-compat', 'on'),
    prop('virtio-blk-device', 'report-discard-granularity', 'off'),
    prop('virtio-net-pci-base', 'vectors', '3', {
      note: 'the 6.2 tree names the driver "virtio-net-pci"; the 9.1 tree "virtio-net-pci-base" (its parent type), which reaches the same device',
    }),
    prop('nvme', 'msix-exclusive-bar', 'on', {
      since: '9.0',
      note: 'absent from the 6.2 snapshot, present in the 9.1 one; release inferred',
    }),
  ]),
  hw('6.0', [
    prop('gpex-pcihost', 'allow-unmapped-accesses', 'false'),
    prop('i8042', 'extended-state', 'false'),
    prop('nvme-ns', 'eui64-default', 'off'),
    prop('e1000', 'init-vet', 'off'),
    prop('e1000e', 'init-vet', 'off'),
    prop('vhost-vsock-device', 'seqpacket', 'off', {
      since: '6.2',
      note: 'absent from the 6.2-development snapshot, present in the 9.1 one; release inferred',
    }),
  ]),
  hw('6.1', [
    prop('vhost-user-vsock-device', 'seqpacket', 'off'),
    prop('nvme-ns', 'shared', 'off'),
  ], S91),
  hw('6.2', [prop('PIIX4_PM', 'x-not-migrate-acpi-index', 'on')], S91),
  hw('7.0', [
    prop('arm-gicv3-common', 'force-8-bit-prio', 'on'),
    prop('nvme-ns', 'eui64-default', 'on'),
  ], S91),
  hw('7.1', [
    prop('virtio-device', 'queue_reset', 'false'),
    prop('virtio-rng-pci', 'vectors', '0'),
    prop('virtio-rng-pci-transitional', 'vectors', '0'),
    prop('virtio-rng-pci-non-transitional', 'vectors', '0'),
  ], S91),
  hw('7.2', [
    prop('e1000e', 'migrate-timadj', 'off'),
    prop('virtio-mem', 'x-early-migration', 'false'),
    prop('migration', 'x-preempt-pre-7-2', 'true'),
    prop(QOM.PCI_DEVICE, 'x-pcie-err-unc-mask', 'off', {
      since: '8.0.1',
      note: 'commit 5ed3dabe57dd "hw/pci: Disable PCI_ERR_UNCOR_MASK register for machine type < 8.0", in 8.1 and cherry-picked to 8.0.1',
    }),
  ], S91),
  hw('8.0', [
    prop('migration', 'multifd-flush-after-each-section', 'on'),
    prop(QOM.PCI_DEVICE, 'x-pcie-ari-nextfn-1', 'on'),
    prop(QOM.VIRTIO_NET, 'host_uso', 'off'),
    prop(QOM.VIRTIO_NET, 'guest_uso4', 'off'),
    prop(QOM.VIRTIO_NET, 'guest_uso6', 'off'),
  ], S91),
  hw('8.1', [
    prop(QOM.PCI_BRIDGE, 'x-pci-express-writeable-slt-bug', 'true'),
    prop('ramfb', 'x-migrate', 'off'),
    prop('vfio-pci-nohotplug', 'x-ramfb-migrate', 'off'),
    prop('igb', 'x-pcie-flr-init', 'off'),
  ], S91),
  hw('8.2', [
    prop('migration', 'zero-page-detection', 'legacy'),
    prop(QOM.VIRTIO_IOMMU_PCI, 'granule', '4k'),
    prop(QOM.VIRTIO_IOMMU_PCI, 'aw-bits', '64'),
    prop('virtio-gpu-device', 'x-vmstate-version', '1'),
  ], S91),
  hw('9.0', [
    prop('arm-cpu', 'backcompat-cntfrq', 'true'),
    prop('scsi-hd', 'migrate-emulated-scsi-request', 'false'),
    prop('scsi-cd', 'migrate-emulated-scsi-request', 'false'),
    prop('vfio-pci', 'skip-vsc-check', 'false'),
    prop('virtio-pci', 'x-pcie-pm-no-soft-reset', 'off'),
    prop('sd-card', 'spec_version', '2'),
  ], {
    ref: 'hw/core/machine.c hw_compat_9_0 as quoted whole in "hw/core/machine: Fix indentation" (qemu-devel, 2025-05, 10.1 cycle)',
    qemu: '10.1-dev',
    confidence: 'verified',
    note: 'the 9.1 snapshot has this array empty: every entry was added during 9.1',
  }),
  hw('9.1', [prop(QOM.PCI_DEVICE, 'x-pcie-ext-tag', 'false')], {
    ref: 'qemu-devel "pcie: enable Extended tag field support" (hw_compat_9_1 gains x-pcie-ext-tag)',
    qemu: '9.2',
    confidence: 'verified',
  }),
  hw('9.2', [
    prop('arm-cpu', 'backcompat-pauth-default-use-qarma5', 'true'),
    prop('virtio-balloon-pci', 'vectors', '0'),
    prop('virtio-balloon-pci-transitional', 'vectors', '0'),
    prop('virtio-balloon-pci-non-transitional', 'vectors', '0'),
    prop('virtio-mem-pci', 'vectors', '0'),
    prop('migration', 'multifd-clean-tls-termination', 'false'),
    prop('migration', 'send-switchover-start', 'off'),
    prop('vfio-pci', 'x-migration-multifd-transfer', 'off'),
  ], {
    ref: 'hw/core/machine.c hw_compat_9_2 as shown by the 10.0-cycle patches (virtio-mem-pci vectors, multifd TLS termination, switchover-start, vfio multifd) and the 10.1 indentation fix',
    qemu: '10.0',
    confidence: 'verified',
  }),
];
