/**
 * QEMU's pc_compat_X_Y arrays (hw/i386/pc.c), as data: the x86 PC-only
 * counterpart of hw_compat, applied to pc-i440fx-X.Y and pc-q35-X.Y after
 * the hw_compat array of the same version.
 *
 * 1.4 .. 7.0 from the 7.1 development tree, 7.1 .. 9.2 from the 10.1
 * development tree (SNAPSHOTS). The 10.1 tree no longer has pc_compat_1_4 ..
 * pc_compat_2_3: those machine types were removed (see machine-types.ts).
 */
import { cpuModel, pcCpuModelIds, prop, QOM, type CompatArray, type GlobalProperty } from './compat-property.js';
import { SNAPSHOTS, type Source } from './source.js';

const S71 = SNAPSHOTS.pcC71;
const S101 = SNAPSHOTS.pcC101;

function pc(version: string, entries: GlobalProperty[], source: Source = S71): CompatArray {
  return { name: `pc_compat_${version.replace(/\./g, '_')}`, kind: 'pc', version, entries, source };
}

const cpu = (model: string, property: string, value: string): GlobalProperty =>
  prop(cpuModel(model), property, value);

export const PC_COMPAT: readonly CompatArray[] = [
  pc('1.4', [
    ...pcCpuModelIds('1.4.0'),
    prop('scsi-hd', 'discard_granularity', '0'),
    prop('scsi-cd', 'discard_granularity', '0'),
    prop('ide-hd', 'discard_granularity', '0'),
    prop('ide-cd', 'discard_granularity', '0'),
    prop('virtio-blk-pci', 'discard_granularity', '0'),
    prop('virtio-serial-pci', 'vectors', '0xFFFFFFFF'),
    prop('virtio-net-pci', 'ctrl_guest_offloads', 'off'),
    prop('e1000', 'romfile', 'pxe-e1000.rom'),
    prop('ne2k_pci', 'romfile', 'pxe-ne2k_pci.rom'),
    prop('pcnet', 'romfile', 'pxe-pcnet.rom'),
    prop('rtl8139', 'romfile', 'pxe-rtl8139.rom'),
    prop('virtio-net-pci', 'romfile', 'pxe-virtio.rom'),
    cpu('486', 'model', '0'),
    cpu('n270', 'movbe', 'off'),
    cpu('Westmere', 'pclmulqdq', 'off'),
  ]),
  pc('1.5', [
    ...pcCpuModelIds('1.5.0'),
    cpu('Conroe', 'model', '2'),
    cpu('Conroe', 'min-level', '2'),
    cpu('Penryn', 'model', '2'),
    cpu('Penryn', 'min-level', '2'),
    cpu('Nehalem', 'model', '2'),
    cpu('Nehalem', 'min-level', '2'),
    prop('virtio-net-pci', 'any_layout', 'off'),
    prop(QOM.X86_CPU, 'pmu', 'on'),
    prop('i440FX-pcihost', 'short_root_bus', '0'),
    prop('q35-pcihost', 'short_root_bus', '0'),
  ]),
  pc('1.6', [
    ...pcCpuModelIds('1.6.0'),
    prop('e1000', 'mitigation', 'off'),
    cpu('qemu64', 'model', '2'),
    cpu('qemu32', 'model', '3'),
    prop('i440FX-pcihost', 'short_root_bus', '1'),
    prop('q35-pcihost', 'short_root_bus', '1'),
  ]),
  pc('1.7', [
    ...pcCpuModelIds('1.7.0'),
    prop(QOM.USB_DEVICE, 'msos-desc', 'no'),
    prop('PIIX4_PM', QOM.ACPI_PM_PROP_ACPI_PCIHP_BRIDGE, 'off'),
    prop('hpet', QOM.HPET_INTCAP, '4'),
  ]),
  pc('2.0', [
    ...pcCpuModelIds('2.0.0'),
    prop('virtio-scsi-pci', 'any_layout', 'off'),
    prop('PIIX4_PM', 'memory-hotplug-support', 'off'),
    prop('apic', 'version', '0x11'),
    prop('nec-usb-xhci', 'superspeed-ports-first', 'off'),
    prop('nec-usb-xhci', 'force-pcie-endcap', 'on'),
    prop('pci-serial', 'prog_if', '0'),
    prop('pci-serial-2x', 'prog_if', '0'),
    prop('pci-serial-4x', 'prog_if', '0'),
    prop('virtio-net-pci', 'guest_announce', 'off'),
    prop('ICH9-LPC', 'memory-hotplug-support', 'off'),
    prop('xio3130-downstream', QOM.COMPAT_PROP_PCP, 'off'),
    prop('ioh3420', QOM.COMPAT_PROP_PCP, 'off'),
  ]),
  pc('2.1', [
    ...pcCpuModelIds('2.1.0'),
    cpu('coreduo', 'vmx', 'on'),
    cpu('core2duo', 'vmx', 'on'),
  ]),
  pc('2.2', [
    ...pcCpuModelIds('2.2.0'),
    ...['kvm64', 'kvm32', 'Conroe', 'Penryn', 'Nehalem', 'Westmere', 'SandyBridge', 'Haswell', 'Broadwell',
      'Opteron_G1', 'Opteron_G2', 'Opteron_G3', 'Opteron_G4', 'Opteron_G5'].map((m) => cpu(m, 'vme', 'off')),
    cpu('Haswell', 'f16c', 'off'),
    cpu('Haswell', 'rdrand', 'off'),
    cpu('Broadwell', 'f16c', 'off'),
    cpu('Broadwell', 'rdrand', 'off'),
  ]),
  pc('2.3', [
    ...pcCpuModelIds('2.3.0'),
    prop(QOM.X86_CPU, 'arat', 'off'),
    cpu('qemu64', 'min-level', '4'),
    cpu('kvm64', 'min-level', '5'),
    cpu('pentium3', 'min-level', '2'),
    cpu('n270', 'min-level', '5'),
    cpu('Conroe', 'min-level', '4'),
    cpu('Penryn', 'min-level', '4'),
    cpu('Nehalem', 'min-level', '4'),
    ...['n270', 'Penryn', 'Conroe', 'Nehalem', 'Westmere', 'SandyBridge', 'IvyBridge', 'Haswell', 'Haswell-noTSX',
      'Broadwell', 'Broadwell-noTSX'].map((m) => cpu(m, 'min-xlevel', '0x8000000a')),
    prop(QOM.X86_CPU, 'kvm-no-smi-migration', 'on'),
  ]),
  pc('2.4', [
    ...pcCpuModelIds('2.4.0'),
    cpu('Haswell', 'abm', 'off'),
    cpu('Haswell-noTSX', 'abm', 'off'),
    cpu('Broadwell', 'abm', 'off'),
    cpu('Broadwell-noTSX', 'abm', 'off'),
    cpu('host', 'host-cache-info', 'on'),
    prop(QOM.X86_CPU, 'check', 'off'),
    cpu('qemu64', 'sse4a', 'on'),
    cpu('qemu64', 'abm', 'on'),
    cpu('qemu64', 'popcnt', 'on'),
    cpu('qemu32', 'popcnt', 'on'),
    cpu('Opteron_G2', 'rdtscp', 'on'),
    cpu('Opteron_G3', 'rdtscp', 'on'),
    cpu('Opteron_G4', 'rdtscp', 'on'),
    cpu('Opteron_G5', 'rdtscp', 'on'),
  ]),
  pc('2.5', []),
  pc('2.6', [
    prop(QOM.X86_CPU, 'cpuid-0xb', 'off'),
    prop('vmxnet3', 'romfile', ''),
    prop(QOM.X86_CPU, 'fill-mtrr-mask', 'off'),
    prop('apic-common', 'legacy-instance-id', 'on'),
  ]),
  pc('2.7', [
    prop(QOM.X86_CPU, 'l3-cache', 'off'),
    prop(QOM.X86_CPU, 'full-cpuid-auto-level', 'off'),
    cpu('Opteron_G3', 'family', '15'),
    cpu('Opteron_G3', 'model', '6'),
    cpu('Opteron_G3', 'stepping', '1'),
    prop('isa-pcspk', 'migrate', 'off'),
  ]),
  pc('2.8', [
    prop(QOM.X86_CPU, 'tcg-cpuid', 'off'),
    prop('kvmclock', 'x-mach-use-reliable-get-clock', 'off'),
    prop('ICH9-LPC', 'x-smi-broadcast', 'off'),
    prop(QOM.X86_CPU, 'vmware-cpuid-freq', 'off'),
    cpu('Haswell', 'stepping', '1'),
  ]),
  pc('2.9', [prop('mch', 'extended-tseg-mbytes', '0')]),
  pc('2.10', [
    prop(QOM.X86_CPU, 'x-hv-max-vps', '0x40'),
    prop('i440FX-pcihost', 'x-pci-hole64-fix', 'off'),
    prop('q35-pcihost', 'x-pci-hole64-fix', 'off'),
  ]),
  pc('2.11', [
    prop(QOM.X86_CPU, 'x-migrate-smi-count', 'off'),
    cpu('Skylake-Server', 'clflushopt', 'off'),
  ]),
  pc('2.12', [
    prop(QOM.X86_CPU, 'legacy-cache', 'on'),
    prop(QOM.X86_CPU, 'topoext', 'off'),
    cpu('EPYC', 'xlevel', '0x8000000a'),
    cpu('EPYC-IBPB', 'xlevel', '0x8000000a'),
  ]),
  pc('3.0', [
    prop(QOM.X86_CPU, 'x-hv-synic-kvm-only', 'on'),
    cpu('Skylake-Server', 'pku', 'off'),
    cpu('Skylake-Server-IBRS', 'pku', 'off'),
  ]),
  pc('3.1', [
    prop('intel-iommu', 'dma-drain', 'off'),
    cpu('Opteron_G3', 'rdtscp', 'off'),
    cpu('Opteron_G4', 'rdtscp', 'off'),
    cpu('Opteron_G4', 'npt', 'off'),
    cpu('Opteron_G4', 'nrip-save', 'off'),
    cpu('Opteron_G5', 'rdtscp', 'off'),
    cpu('Opteron_G5', 'npt', 'off'),
    cpu('Opteron_G5', 'nrip-save', 'off'),
    cpu('EPYC', 'npt', 'off'),
    cpu('EPYC', 'nrip-save', 'off'),
    cpu('EPYC-IBPB', 'npt', 'off'),
    cpu('EPYC-IBPB', 'nrip-save', 'off'),
    ...['Skylake-Client', 'Skylake-Client-IBRS', 'Skylake-Server', 'Skylake-Server-IBRS', 'Cascadelake-Server',
      'Icelake-Client', 'Icelake-Server'].map((m) => cpu(m, 'mpx', 'on')),
    cpu('Cascadelake-Server', 'stepping', '5'),
    prop(QOM.X86_CPU, 'x-intel-pt-auto-level', 'off'),
  ]),
  pc('4.0', []),
  pc('4.1', []),
  pc('4.2', [prop('mch', 'smbase-smram', 'off')]),
  pc('5.0', []),
  pc('5.1', [
    prop('ICH9-LPC', 'x-smi-cpu-hotplug', 'off'),
    prop(QOM.X86_CPU, 'kvm-msi-ext-dest-id', 'off'),
  ]),
  pc('5.2', [prop('ICH9-LPC', 'x-smi-cpu-hotunplug', 'off')]),
  pc('6.0', [
    cpu('qemu64', 'family', '6'),
    cpu('qemu64', 'model', '6'),
    cpu('qemu64', 'stepping', '3'),
    prop(QOM.X86_CPU, 'x-vendor-cpuid-only', 'off'),
    prop('ICH9-LPC', QOM.ACPI_PM_PROP_ACPI_PCIHP_BRIDGE, 'off'),
    prop('ICH9-LPC', 'x-keep-pci-slot-hpc', 'true'),
  ]),
  pc('6.1', [
    prop(QOM.X86_CPU, 'hv-version-id-build', '0x1bbc'),
    prop(QOM.X86_CPU, 'hv-version-id-major', '0x0006'),
    prop(QOM.X86_CPU, 'hv-version-id-minor', '0x0001'),
    prop('ICH9-LPC', 'x-keep-pci-slot-hpc', 'false'),
  ]),
  pc('6.2', [prop('virtio-mem', 'unplugged-inaccessible', 'off')]),
  pc('7.0', []),
  pc('7.1', [], S101),
  pc('7.2', [prop('ICH9-LPC', 'noreboot', 'true')], S101),
  pc('8.0', [prop('virtio-mem', 'unplugged-inaccessible', 'auto')], S101),
  pc('8.1', [], S101),
  pc('8.2', [], S101),
  pc('9.0', [
    prop(QOM.X86_CPU, 'x-amd-topoext-features-only', 'false', { since: '10.0', note: 'newest entry of the 10.1-dev array; release inferred' }),
    prop(QOM.X86_CPU, 'x-l1-cache-per-thread', 'false'),
    prop(QOM.X86_CPU, 'guest-phys-bits', '0'),
    prop('sev-guest', 'legacy-vm-type', 'on', { note: '"true" when added in 9.1, "on" once the property became OnOffAuto' }),
    prop(QOM.X86_CPU, 'legacy-multi-node', 'on'),
  ], S101),
  pc('9.1', [
    prop('ICH9-LPC', 'x-smi-swsmi-timer', 'off'),
    prop('ICH9-LPC', 'x-smi-periodic-timer', 'off'),
    prop(QOM.INTEL_IOMMU_DEVICE, 'stale-tm', 'on'),
    prop(QOM.INTEL_IOMMU_DEVICE, 'aw-bits', '39'),
  ], S101),
  pc('9.2', [], S101),
];
