import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import bodiesJson from '../../../../src/devices/platform/qemu-7.2/bodies.json' with { type: 'json' };
import schemasJson from '../../../../src/devices/platform/qemu-7.2/schemas.json' with { type: 'json' };
import machinesJson from '../../../../src/devices/platform/qemu-7.2/machines.json' with { type: 'json' };
import {
  decodeVirtioPci,
  encodeVirtioPci,
  msixEntriesOf,
  virtioNetMac,
  virtioNetWithMac,
  decodeVirtioNetDevice,
  encodeVirtioNetDevice,
  type VirtioPciLayout,
} from '../../../../src/devices/virtio/index.js';
import { LoadError } from '../../../../src/wire/index.js';
import { instantiate } from '../../../../src/vm/instantiate.js';
import { saveVm } from '../../../../src/vm/save.js';
import { loadInto } from '../../../../src/vm.js';

type Rec = { schema: string; body: string; id: string };
const bodies = bodiesJson as Record<string, string>;
const schemas = schemasJson as Record<string, { fields: { type: string; size: number }[] }>;

/** Every recorded virtio section body (all machine types, all variants), once each. */
function recordedVirtioBodies(): { key: string; bytes: Uint8Array; id: string }[] {
  const seen = new Map<string, { key: string; bytes: Uint8Array; id: string }>();
  const machines = (machinesJson as { machines: Record<string, { devices?: Record<string, { section?: Rec }> }> }).machines;
  for (const [m, rec] of Object.entries(machines)) {
    for (const d of Object.values(rec.devices ?? {})) {
      const s = d.section;
      if (!s || schemas[s.schema]?.fields[0]?.type !== 'virtio' || seen.has(s.body)) continue;
      seen.set(s.body, { key: `${m} ${s.id}`, bytes: new Uint8Array(gunzipSync(Buffer.from(bodies[s.body]!, 'base64'))), id: s.id });
    }
  }
  return [...seen.values()];
}

/** The layout as virtio_load takes it from the destination: a 256-byte config (these functions sit on the root bus), MSI-X from its capability. */
function layoutOf(bytes: Uint8Array): VirtioPciLayout {
  return { configSpaceSize: 256, msixEntries: msixEntriesOf(bytes.subarray(4, 260)) };
}

describe('virtio-pci field of real QEMU 7.2 captures', () => {
  const all = recordedVirtioBodies();

  it('covers virtio-net and virtio-rng bodies of legacy and modern machine types', () => {
    expect(all.some((b) => b.id.endsWith('/virtio-net'))).toBe(true);
    expect(all.some((b) => b.id.endsWith('/virtio-rng'))).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(4);
  });

  it('decodes and re-encodes every recorded body byte for byte', () => {
    for (const b of all) expect(Buffer.from(encodeVirtioPci(decodeVirtioPci(b.bytes, layoutOf(b.bytes)).state)).equals(Buffer.from(b.bytes)), b.key).toBe(true);
  });

  it('reads the transport and header as virtio_save wrote them', () => {
    for (const b of all) {
      const { state } = decodeVirtioPci(b.bytes, layoutOf(b.bytes));
      // pci_device_save: vmstate_pci_device version 2; vendor 0x1af4 (Red Hat / virtio).
      expect(state.pciVersionId, b.key).toBe(2);
      expect(state.pciConfig[0]! | (state.pciConfig[1]! << 8)).toBe(0x1af4);
      // msix_save: 16 bytes per vector of the capability's table (virtio-net-pci 4 = 2 * queue pairs + 2,
      // 3 on machine types whose compat sets vectors=3; virtio-rng-pci 2; none where the capture had no MSI-X,
      // and then no vectors are sent at all).
      const n = layoutOf(b.bytes).msixEntries;
      expect(state.msixTable.length).toBe(16 * n);
      expect([0, 2, 3, 4]).toContain(n);
      expect(state.msixPba.length).toBe(Math.ceil(n / 8));
      // No driver ran: no config vector, status 0.
      expect(state.configVector).toBe(n > 0 ? 0xffff : undefined);
      expect(state.status).toBe(0);
      // virtio-net without mq: rx and tx queues of 256 and the ctrl queue of 64 (virtio_net_device_realize); virtio-rng: one queue of 8.
      expect(state.queues.map((q) => q.num)).toEqual(b.id.endsWith('virtio-net') ? [256, 256, 64] : [8]);
      expect(state.queues.every((q) => q.desc === 0n && q.lastAvailIdx === 0 && q.vector === (n > 0 ? 0xffff : undefined))).toBe(true);
    }
  });

  it('finds the recorded virtio-net MAC (52:54:00:12:34:57, the second default NIC) as the device vmsd\'s first field', () => {
    for (const b of all.filter((x) => x.id.endsWith('virtio-net'))) {
      const { state } = decodeVirtioPci(b.bytes, layoutOf(b.bytes));
      // No guest read the config, so virtio_save's config copy is still zeros (get_config runs on reads).
      expect([...state.config].every((x) => x === 0)).toBe(true);
      expect(virtioNetMac(b.bytes, layoutOf(b.bytes))).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x57]);
      const other = virtioNetWithMac(b.bytes, layoutOf(b.bytes), [0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc]);
      expect(other.length).toBe(b.bytes.length);
      expect(virtioNetMac(other, layoutOf(other))).toEqual([0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc]);
    }
  });
});

describe('vmstate_virtio_net_device in real QEMU 7.2 captures', () => {
  const nets = recordedVirtioBodies().filter((b) => b.id.endsWith('/virtio-net'));

  it('decodes the device vmsd after the queues and re-encodes it byte for byte', () => {
    for (const b of nets) {
      const { rest } = decodeVirtioPci(b.bytes, layoutOf(b.bytes)).state;
      const { state } = decodeVirtioNetDevice(rest);
      expect(Buffer.from(encodeVirtioNetDevice(state)).equals(Buffer.from(rest)), b.key).toBe(true);
      // virtio_net_device_realize: status VIRTIO_NET_S_LINK_UP, promisc 1 "for compatibility"; no filter
      // entries; no -netdev, so no vnet header and no UFO; vlans is MAX_VLAN >> 3 bytes.
      expect([state.status, state.promisc, state.macTableInUse, state.hasVnetHdr, state.hasUfo]).toEqual([1, 1, 0, 0, 0]);
      expect(state.vlans.length).toBe(512);
      // What follows, if anything, is a subsection (QEMU_VM_SUBSECTION 0x05, then "virtio/..."): nothing is left unread.
      if (state.tail.length > 0) {
        expect(state.tail[0]).toBe(0x05);
        expect(Buffer.from(state.tail.subarray(2, 9)).toString('latin1')).toBe('virtio/');
      }
    }
  });
});

describe('virtio_load checks on the simulated 7.2 destination', () => {
  const machine = 'pc-q35-7.2';
  const devices = ['virtio-net-pci'];

  function stream(edit: (b: Uint8Array, layout: VirtioPciLayout) => Uint8Array): Uint8Array {
    const core = instantiate('7.2', machine, { devices, ram: '32M', seed: 7 });
    const sec = core.sections.find((s) => s.vmsdName === 'virtio-net')!;
    const bytes = sec.state['virtio'] as Uint8Array;
    sec.state = { ...sec.state, virtio: edit(bytes, layoutOf(bytes)) };
    return saveVm(core, { passes: 1 });
  }
  function edited(change: (s: ReturnType<typeof decodeVirtioPci>['state']) => void): Uint8Array {
    return stream((b, layout) => {
      const { state } = decodeVirtioPci(b, layout);
      change(state);
      return encodeVirtioPci(state);
    });
  }
  const load = (bytes: Uint8Array): ReturnType<typeof loadInto> => loadInto('7.2', machine, { devices }, bytes);

  it('accepts its own stream and one with a vector below the vector count and a changed vring size', () => {
    expect(load(stream((b) => b)).accepted).toBe(true);
    expect(load(edited((s) => { s.configVector = 3; s.queues[0]!.vector = 0; s.queues[1]!.num = 128; })).accepted).toBe(true);
  });

  it('refuses a read-only PCI config byte with get_pci_config_device\'s line', () => {
    // 0x02: device id low byte (0x1000, legacy virtio-net), in pci_init_cmask's checked header bytes.
    const r = load(edited((s) => { s.pciConfig[0x02] = 0x41; }));
    expect(r.error?.code).toBe('pci.bad-config-data');
    expect(r.error?.message).toBe('get_pci_config_device: Bad config data: i=0x2 read: 41 device: 0 cmask: ff wmask: 0 w1cmask:0');
    // The offset is the refused byte's in the stream: be32 version_id, then config[2].
    const bytes = edited((s) => { s.pciConfig[0x02] = 0x41; });
    expect(bytes[r.error!.offset]).toBe(0x41);
    expect(bytes[r.error!.offset - 6]).toBe(0x00);
    expect(bytes.subarray(r.error!.offset - 6, r.error!.offset - 2)).toEqual(new Uint8Array([0, 0, 0, 2]));
    // The subsystem id is not in cmask (pci_init_cmask leaves it out): accepted, as by real 7.2.
    expect(load(edited((s) => { s.pciConfig[0x2e] = 0x41; })).accepted).toBe(true);
  });

  it('runs pci_device_load\'s version_id and irq_state checks on the transport, pointing at the refused bytes', () => {
    // get_int32_le (VMSTATE_INT32_POSITIVE_LE against PCIDevice.version_id 2).
    const versionStream = edited((s) => { s.pciVersionId = 3; });
    const version = load(versionStream);
    expect(version.error?.code).toBe('pci.version-invalid');
    expect(version.error?.message).toBe('Invalid value 3 expecting positive value <= 2');
    expect([...versionStream.subarray(version.error!.offset, version.error!.offset + 4)]).toEqual([0, 0, 0, 3]);
    // get_pci_irq_state: each be32 must be 0 or 1; the second pin's word is refused.
    const irqStream = edited((s) => { s.irqState[7] = 2; });
    const irq = load(irqStream);
    expect(irq.error?.code).toBe('pci.irq-state-invalid');
    expect(irq.error?.message).toBe('irq state 2: must be 0 or 1.');
    expect([...irqStream.subarray(irq.error!.offset, irq.error!.offset + 4)]).toEqual([0, 0, 0, 2]);
  });

  it('accepts BAR addresses (guest-writable) and refuses the MSI-X table size (read-only capability)', () => {
    expect(load(edited((s) => { s.pciConfig.set([0x00, 0x10, 0x00, 0xfe], 0x14); })).accepted).toBe(true);
    const msix = load(edited((s) => { s.pciConfig[0x9a] = 0x07; }));
    expect(msix.error?.code).toBe('pci.bad-config-data');
  });

  it('refuses vectors at or above the vector count, queue_sel past VIRTIO_QUEUE_MAX, too many queues, and a host index without a ring', () => {
    expect(load(edited((s) => { s.configVector = 4; })).error?.code).toBe('virtio.vector-invalid');
    expect(load(edited((s) => { s.queues[2]!.vector = 4; })).error?.code).toBe('virtio.vector-invalid');
    expect(load(edited((s) => { s.queueSel = 1024; })).error?.code).toBe('virtio.queue-sel-invalid');
    expect(load(edited((s) => { s.queueSel = 1023; })).accepted).toBe(true);
    const many = load(stream((b, layout) => {
      const { offsets } = decodeVirtioPci(b, layout);
      const out = b.slice();
      new DataView(out.buffer).setUint32(offsets.queueCount, 0x401);
      return out;
    }));
    expect(many.error?.message).toBe('Invalid number of virtqueues: 0x401');
    const idxStream = edited((s) => { s.queues[1]!.lastAvailIdx = 5; });
    const idx = load(idxStream);
    expect(idx.error?.message).toBe('VQ 1 address 0x0 inconsistent with Host index 0x5');
    // Points at the be16 last_avail_idx (after be32 num and be64 desc).
    expect([...idxStream.subarray(idx.error!.offset, idx.error!.offset + 2)]).toEqual([0, 5]);
  });

  function netEdited(change: (s: ReturnType<typeof decodeVirtioNetDevice>['state']) => void): Uint8Array {
    return edited((s) => {
      const dev = decodeVirtioNetDevice(s.rest).state;
      change(dev);
      s.rest = encodeVirtioNetDevice(dev);
    });
  }

  it('refuses virtio-net state that needs a vnet header or UFO from a NIC without a backend', () => {
    const vnet = load(netEdited((d) => { d.hasVnetHdr = 1; }));
    expect(vnet.error?.code).toBe('virtio.net-peer-feature');
    expect(vnet.error?.message).toBe('virtio-net: saved image requires vnet_hdr=on');
    expect(load(netEdited((d) => { d.hasUfo = 1; })).error?.message).toBe('virtio-net: saved image requires TUN_F_UFO support');
    expect(load(netEdited((d) => { d.promisc = 0; d.vlans = new Uint8Array(512); })).accepted).toBe(true);
  });

  it('refuses a queue list whose length moves the device state', () => {
    const fewer = load(stream((b, layout) => {
      const { offsets } = decodeVirtioPci(b, layout);
      const out = b.slice();
      new DataView(out.buffer).setUint32(offsets.queueCount, 2);
      return out;
    }));
    // The device vmsd is then read 16 bytes early, as virtio_load would: some refusal, never an accept.
    expect(fewer.error).toBeInstanceOf(LoadError);
    expect(fewer.accepted).toBe(false);
  });
});
