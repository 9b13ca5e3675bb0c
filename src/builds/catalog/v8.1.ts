import type { BuildDelta } from '../change.js';
import { machineChanges } from '../machine-changes.js';
import { compatSwitch, datedByCompat } from './sources.js';

export const build_8_1: BuildDelta = {
  version: '8.1',
  base: '8.0.1',
  released: '2023-08',
  changes: [
    ...machineChanges('8.1', '8.0.1'),
    {
      kind: 'pci-cap-present', bit: 'QEMU_PCIE_ARI_NEXTFN_1', property: 'x-pcie-ari-nextfn-1', default: false,
      effect: 'ARI capability Next Function Number: 1 (old, wrong) or 0 (new): a read-only config byte the config check compares',
      compat: compatSwitch('hw_compat_8_0', 'pci-device', 'x-pcie-ari-nextfn-1'),
      reason: 'the ARI next function number is fixed to follow the spec; 8.0 machine types keep the old value',
      source: datedByCompat('hw_compat_8_0', '8.1', 'DEFINE_PROP_BIT("x-pcie-ari-nextfn-1", PCIDevice, cap_present, QEMU_PCIE_ARI_NEXTFN_1_BITNR, false) in hw/pci/pci.c'),
    },
    {
      kind: 'property-added', device: 'virtio-net-device', property: 'host_uso', default: 'on',
      effect: 'virtio feature bits offered to the guest (USO; guest_uso4/guest_uso6 likewise): features a guest negotiated must be offered by the destination or virtio_load refuses them',
      compat: compatSwitch('hw_compat_8_0', 'virtio-net-device', 'host_uso'),
      reason: 'virtio-net offers UDP segmentation offload; 8.0 machine types do not, so their guests never negotiate it',
      source: datedByCompat('hw_compat_8_0', '8.1', 'the default is "on" only where the backend supports USO'),
    },
    {
      kind: 'property-added', device: 'migration', property: 'multifd-flush-after-each-section', default: 'off',
      effect: 'multifd channels are flushed once per round instead of after every RAM section (stream flags differ)',
      compat: compatSwitch('hw_compat_8_0', 'migration', 'multifd-flush-after-each-section'),
      reason: 'fewer multifd synchronisations; both sides must agree, so 8.0 machine types keep flushing per section',
      source: datedByCompat('hw_compat_8_0', '8.1'),
    },
  ],
};
