// PCI core device model: config space with masks, capability lists, BARs,
// MSI, MSI-X, AER, and the save/load formats (historic and QEMU 7.2).
export * from './constants.js';
export * from './config-bytes.js';
export * from './pci-device.js';
export * from './config-access.js';
export * from './capabilities.js';
export * from './bars.js';
export * from './msi.js';
export * from './msix.js';
export * from './aer.js';
export * from './vmstate.js';
export * from './legacy-format.js';
export * from './header.js';
export * from './pci-bus.js';
export * from './bridge.js';
export * from './intx.js';
export * from './reset.js';
export * from './pcie-root-port.js';
