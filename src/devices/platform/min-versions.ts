/**
 * minimum_version_id of section vmsds that -dump-vmstate does not print (it
 * walks device classes only; these are registered with vmstate_register or
 * are CPU vmsds). Read from QEMU source (public code corpus, qemu/qemu and
 * patches quoting the 7.2-era definitions):
 */
export const MIN_VERSION_FROM_SOURCE: Record<string, number> = {
  timer: 1, // softmmu/cpu-timers.c vmstate_timers: version 2, minimum 1
  cpu_common: 1, // cpu.c vmstate_cpu_common: version 1, minimum 1
  cpu: 11, // target/i386/machine.c vmstate_x86_cpu: version 12, minimum 11
  apic: 3, // hw/intc/apic_common.c vmstate_apic_common: version 3, minimum 3
  PCIBUS: 1, // hw/pci/pci.c vmstate_pcibus: version 1, minimum 1
  acpi_build: 1, // hw/i386/acpi-build.c vmstate_acpi_build: version 1, minimum 1
  globalstate: 1, // migration/global_state.c vmstate_globalstate: version 1, minimum 1
  i2c_bus: 1, // hw/i2c/core.c vmstate_i2c_bus: version 1, minimum 1
  ide: 0, // hw/ide/pci.c vmstate_ide_pci: version 3, minimum 0
  'isa-ide': 0, // hw/ide/isa.c vmstate_ide_isa: version 3, minimum 0
  'cpu/msr_smi_count': 1, // target/i386/machine.c vmstate_msr_smi_count: version 1, minimum 1 (seen after boot only)
};
