// resolveProperty against real QEMU 7.2: `info qtree` prints every device
// property after compat properties were applied, so for a handful of old
// machine types the simulated resolution must print the same values.
// Skips when qemu-system-x86_64 7.2 is not installed.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { resolveProperty } from '../../../src/machines/index.js';

function qemu72(): boolean {
  try {
    return /version 7\.2\./.test(execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

/** Device name -> property -> printed value, first device of each name. */
function qtree(machine: string, devices: string[]): Map<string, Map<string, string>> {
  const args = ['-machine', machine, '-accel', 'tcg', '-nodefaults', '-display', 'none', '-S', '-monitor', 'stdio'];
  for (const d of devices) args.push('-device', d);
  const text = execFileSync('qemu-system-x86_64', args, { input: 'info qtree\nquit\n', encoding: 'utf8', timeout: 20_000 });
  const out = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const dev = /^\s*dev: ([^,]+),/.exec(line);
    if (dev) {
      const name = dev[1] ?? '';
      current = out.has(name) ? undefined : new Map();
      if (current) out.set(name, current);
      continue;
    }
    const prop = /^\s+([\w.-]+) = (.*)$/.exec(line);
    if (prop && current && !current.has(prop[1] ?? '')) current.set(prop[1] ?? '', (prop[2] ?? '').trim());
  }
  return out;
}

/** QEMU's spellings of one value, folded: "off"/"false", "16 (0x10)"/"0x10". */
function normalise(v: string): string {
  const s = v.replace(/^"(.*)"$/, '$1');
  if (/^(on|true|yes)$/i.test(s)) return 'true';
  if (/^(off|false|no)$/i.test(s)) return 'false';
  const num = /^(0x[0-9a-f]+|\d+)\b/i.exec(s);
  if (num?.[1] !== undefined) return String(Number(num[1]));
  return s;
}

interface Probe {
  device: string;
  property: string;
  typeChain: string[];
}

const PCI = ['pci-device', 'device'];
const VIRTIO_NET_PCI = ['virtio-net-pci-base', 'virtio-pci', 'pci-device', 'device'];
const VIRTIO_RNG_PCI = ['virtio-rng-pci-base', 'virtio-pci', 'pci-device', 'device'];

const CASES: { machine: string; devices: string[]; probes: Probe[] }[] = [
  {
    machine: 'pc-i440fx-2.4',
    devices: ['e1000'],
    probes: [
      { device: 'e1000', property: 'extra_mac_registers', typeChain: PCI },
      { device: 'e1000', property: 'migrate_tso_props', typeChain: PCI },
      { device: 'e1000', property: 'init-vet', typeChain: PCI },
      { device: 'e1000', property: 'x-pcie-extcap-init', typeChain: PCI },
      { device: 'fw_cfg_io', property: 'dma_enabled', typeChain: ['fw_cfg'] },
      { device: 'fw_cfg_io', property: 'x-file-slots', typeChain: ['fw_cfg'] },
      { device: 'fw_cfg_io', property: 'acpi-mr-restore', typeChain: ['fw_cfg'] },
    ],
  },
  {
    machine: 'pc-i440fx-1.6',
    devices: ['e1000'],
    probes: [
      { device: 'e1000', property: 'mitigation', typeChain: PCI },
    ],
  },
  {
    machine: 'pc-i440fx-1.4',
    devices: ['e1000'],
    probes: [{ device: 'e1000', property: 'romfile', typeChain: PCI }],
  },
  {
    machine: 'pc-q35-2.4',
    devices: ['virtio-net-pci'],
    probes: [
      { device: 'virtio-net-pci', property: 'vectors', typeChain: VIRTIO_NET_PCI },
      { device: 'virtio-net-pci', property: 'disable-modern', typeChain: VIRTIO_NET_PCI },
      { device: 'virtio-net-pci', property: 'migrate-extra', typeChain: VIRTIO_NET_PCI },
      { device: 'virtio-net-pci', property: 'x-disable-pcie', typeChain: VIRTIO_NET_PCI },
      { device: 'virtio-net-pci', property: 'page-per-vq', typeChain: VIRTIO_NET_PCI },
      { device: 'ICH9-LPC', property: 'smm-compat', typeChain: PCI },
      { device: 'ICH9-LPC', property: 'x-smi-broadcast', typeChain: PCI },
      { device: 'ICH9-LPC', property: 'x-smi-cpu-hotplug', typeChain: PCI },
    ],
  },
  {
    machine: 'pc-i440fx-2.7',
    devices: [],
    probes: [
      { device: 'ioapic', property: 'version', typeChain: ['ioapic-common'] },
      { device: 'isa-pcspk', property: 'migrate', typeChain: ['isa-device'] },
      { device: 'hpet', property: 'hpet-offset-saved', typeChain: [] },
    ],
  },
  {
    machine: 'pc-i440fx-2.0',
    devices: [],
    probes: [
      { device: 'PIIX4_PM', property: 'memory-hotplug-support', typeChain: PCI },
      { device: 'PIIX4_PM', property: 'x-not-migrate-acpi-index', typeChain: PCI },
      { device: 'PIIX4_PM', property: 'smm-compat', typeChain: PCI },
    ],
  },
  {
    machine: 'pc-i440fx-1.7',
    devices: [],
    probes: [
      { device: 'PIIX4_PM', property: 'acpi-pci-hotplug-with-bridge-support', typeChain: PCI },
      { device: 'hpet', property: 'hpet-intcap', typeChain: [] },
    ],
  },
  {
    // x-keep-pci-slot-hpc and the ACPI hotplug switches are QOM object
    // properties, which qtree does not print; these are qdev properties.
    machine: 'pc-q35-5.2',
    devices: [],
    probes: [
      { device: 'ICH9-LPC', property: 'smm-compat', typeChain: PCI },
      { device: 'ICH9-LPC', property: 'x-smi-cpu-hotunplug', typeChain: PCI },
    ],
  },
  {
    machine: 'pc-q35-7.1',
    devices: ['virtio-rng-pci'],
    probes: [{ device: 'virtio-rng-pci', property: 'vectors', typeChain: VIRTIO_RNG_PCI }],
  },
];

describe.skipIf(!qemu72())('resolveProperty agrees with real QEMU 7.2 info qtree', () => {
  for (const c of CASES) {
    it(`${c.machine}: ${c.probes.map((p) => `${p.device}.${p.property}`).join(', ')}`, () => {
      const tree = qtree(c.machine, c.devices);
      for (const p of c.probes) {
        const real = tree.get(p.device)?.get(p.property);
        expect(real, `${p.device}.${p.property} printed by qtree`).toBeDefined();
        const sim = resolveProperty(c.machine, '7.2', p.device, p.property, '<no compat entry>', { typeChain: p.typeChain });
        // Every probe is one a compat entry decides: the simulation must not fall back to the default.
        expect(sim, `${p.device}.${p.property}`).not.toBe('<no compat entry>');
        expect(normalise(sim), `${c.machine} ${p.device}.${p.property}`).toBe(normalise(real ?? ''));
      }
    });
  }
});
