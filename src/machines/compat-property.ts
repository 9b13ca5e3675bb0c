import type { Source } from './source.js';
import type { VersionString } from './version.js';

/**
 * One entry of a QEMU GlobalProperty compat array: "for machine types up to
 * X.Y, set `driver.property = value`". `driver` is a QOM type name and
 * matches that type and every subtype (TYPE_PCI_DEVICE is "pci-device" and
 * reaches every PCI device).
 */
export interface GlobalProperty {
  driver: string;
  property: string;
  value: string;
  /** QEMU's `.optional = true`: silently skipped when the device lacks the property. */
  optional?: boolean;
  /**
   * The first release whose copy of the array holds this entry, when the
   * entry was appended after the array was created (a fix for an old
   * machine type, like x-pcie-err-unc-mask in hw_compat_7_2, added in 8.0.1).
   */
  since?: VersionString;
  note?: string;
}

/** hw_compat_X_Y (hw/core/machine.c) or pc_compat_X_Y (hw/i386/pc.c). */
export interface CompatArray {
  name: string;
  kind: 'hw' | 'pc';
  /** The X.Y of the name: applies to machine types X.Y and older. */
  version: VersionString;
  entries: readonly GlobalProperty[];
  source: Source;
}

/** Shorthand for writing the arrays as data. */
export function prop(
  driver: string,
  property: string,
  value: string,
  extra: Omit<GlobalProperty, 'driver' | 'property' | 'value'> = {},
): GlobalProperty {
  return { driver, property, value, ...extra };
}

/**
 * QOM type names behind the C macros used in the arrays, for the x86_64
 * target (TYPE_X86_CPU is "x86_64-cpu" there).
 */
export const QOM = {
  PCI_DEVICE: 'pci-device',
  PCI_BRIDGE: 'base-pci-bridge',
  X86_CPU: 'x86_64-cpu',
  VIRTIO_DEVICE: 'virtio-device',
  VIRTIO_NET: 'virtio-net-device',
  VIRTIO_IOMMU_PCI: 'virtio-iommu-pci',
  USB_DEVICE: 'usb-device',
  INTEL_IOMMU_DEVICE: 'intel-iommu',
  ACPI_PM_PROP_ACPI_PCIHP_BRIDGE: 'acpi-pci-hotplug-with-bridge-support',
  HPET_INTCAP: 'hpet-intcap',
  COMPAT_PROP_PCP: 'power_controller_present',
} as const;

/** "qemu64" -> "qemu64-x86_64-cpu": the `"qemu64" "-" TYPE_X86_CPU` spelling. */
export function cpuModel(model: string): string {
  return `${model}-${QOM.X86_CPU}`;
}

/** PC_CPU_MODEL_IDS(v): the model-id strings old machine types pin. */
export function pcCpuModelIds(v: string): GlobalProperty[] {
  return ['qemu32', 'qemu64', 'athlon'].map((m) =>
    prop(cpuModel(m), 'model-id', `QEMU Virtual CPU version ${v}`),
  );
}
