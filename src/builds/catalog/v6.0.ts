import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_6_0: BuildDelta = {
  version: '6.0',
  base: '5.2',
  released: '2021-04',
  changes: [
    ...machineChanges('6.0', '5.2'),
    {
      kind: 'device-added', device: 'pvpanic-pci', sections: [{ name: 'pvpanic-pci', version_id: 1, minimum_version_id: 1 }],
      reason: 'pvpanic as a PCI device, for machines without an ISA bus',
      source: { ref: 'commit "hw/misc/pvpanic-pci: Add PCI pvpanic device" (Mihai Carabas)', qemu: '6.0', confidence: 'inferred', note: 'release from the series date (early 2021); vmstate v1/1 as QEMU 7.2 -dump-vmstate lists it' },
    },
    {
      kind: 'property-added', device: 'virtio-net-pci', property: 'vectors', default: 'unset (derived from the queue count)',
      effect: 'number of MSI-X vectors: the MSI-X table size in config space and BAR layout',
      compat: compatSwitch('hw_compat_5_2', 'virtio-net-pci-base', 'vectors'),
      reason: 'virtio-net-pci sizes its MSI-X table from the number of queues (landed in 6.0); old machine types keep 3 vectors',
      source: datedByCompat('hw_compat_5_2', '6.0'),
    },
    {
      kind: 'ram-block', block: '/rom@etc/table-loader', resizeable: true, maxLength: 0x10000,
      reason: 'the linker/loader script can outgrow one page; its max_length becomes ACPI_BUILD_LOADER_MAX_SIZE',
      source: { ref: 'patch "acpi: ... etc/table-loader ... ACPI_BUILD_LOADER_MAX_SIZE" (David Hildenbrand): "increase the maximum size from 4k to 64k"', qemu: '6.0', confidence: 'inferred', note: 'release inferred from the patch date; max_length 0x10000 observed on 7.2' },
    },
  ],
};
