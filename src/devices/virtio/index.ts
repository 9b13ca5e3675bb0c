// virtio-pci functions (virtio-net-pci, virtio-rng-pci): the "virtio" field's
// transport and header decoded, virtio_load's checks, the PCI model's BARs.
export * from './virtio-pci-state.js';
export * from './virtio-pci-checks.js';
export * from './virtio-pci-device.js';
export * from './virtio-net-mac.js';
export * from './virtio-net-device.js';
export * from './virtio-driver.js';
