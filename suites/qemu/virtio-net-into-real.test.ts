import { describe, expect, it } from 'vitest';
import { loadIntoQemu } from '../../harness/targets/qemu-target.js';
import {
  decodeVirtioNetDevice,
  decodeVirtioPci,
  encodeVirtioNetDevice,
  encodeVirtioPci,
  virtioPciLayoutOfField,
  type VirtioNetDeviceState,
  type VirtioPciState,
} from '../../src/devices/virtio/index.js';
import { instantiate } from '../../src/vm/instantiate.js';
import { saveVm } from '../../src/vm/save.js';
import { runFirmware } from '../../src/vm/firmware.js';
import { runWorkload } from '../../src/vm/workload.js';
import { loadInto } from '../../src/vm.js';
import { describeQemu } from './qemu-env.js';

/**
 * Mutations inside the virtio-net-pci section (the "virtio" field: PCI
 * config, MSI-X vectors, virtio header, virtqueues), each loaded into real
 * QEMU 7.2 and into the simulated 7.2 destination: both must accept or
 * both refuse, and where QEMU prints its own root cause the simulator's
 * message is that line. virtio-pci's -EINVAL vector refusals and the
 * queue_sel refusal print nothing of their own in 7.2, so for them only
 * the verdict is compared.
 */
const MACHINE = 'pc-q35-7.2';
const DEVICES = ['virtio-net-pci'];

type VirtioEdit = (s: VirtioPciState, raw: { bytes: Uint8Array; queueCountAt: number }) => Uint8Array | void;

/** A stream of the machine with `devices` whose `vmsdName` section's "virtio" field went through `change` (its return value replaces the field's bytes). */
function virtioEdited(devices: string[], vmsdName: string, change: VirtioEdit): Uint8Array {
  const core = instantiate('7.2', MACHINE, { devices, ram: '32M', seed: 7 });
  const sec = core.sections.find((s) => s.vmsdName === vmsdName)!;
  const bytes = sec.state['virtio'] as Uint8Array;
  const { state, offsets } = decodeVirtioPci(bytes, virtioPciLayoutOfField(bytes));
  const raw = change(state, { bytes: bytes.slice(), queueCountAt: offsets.queueCount });
  sec.state = { ...sec.state, virtio: raw ?? encodeVirtioPci(state) };
  return saveVm(core, { passes: 1 });
}

function edited(change: VirtioEdit): Uint8Array {
  return virtioEdited(DEVICES, 'virtio-net', change);
}

/** An edit of vmstate_virtio_net_device's fields (after the virtqueues). */
function netEdited(change: (d: VirtioNetDeviceState) => void): Uint8Array {
  return edited((s) => {
    const d = decodeVirtioNetDevice(s.rest).state;
    change(d);
    s.rest = encodeVirtioNetDevice(d);
  });
}

/** mac_table.in_use changed alone: QEMU then reads (or, above MAC_TABLE_ENTRIES, skips) in_use x 6 bytes more, and the fields after it from there. */
function inUse(n: number): Uint8Array {
  return edited((s) => {
    const rest = s.rest.slice();
    new DataView(rest.buffer).setUint32(18, n);
    s.rest = rest;
  });
}

/**
 * accept: what QEMU 7.2's source says (cmask/wmask of pci_init_cmask and virtio-pci realize, virtio_load's checks);
 * line: QEMU's own root cause, which the simulator's message must be; sameLine: the simulator's message is in QEMU's log.
 */
interface MutationCase {
  name: string;
  accept: boolean;
  stream: () => Uint8Array;
  line?: string;
  sameLine?: boolean;
}

const CASES: MutationCase[] = [
  { name: 'device id byte (read-only, cmask)', accept: false, stream: () => edited((s) => { s.pciConfig[0x02] = 0x41; }), line: 'get_pci_config_device: Bad config data: i=0x2 read: 41 device: 0 cmask: ff wmask: 0 w1cmask:0' },
  { name: 'subsystem id byte (not in cmask)', accept: true, stream: () => edited((s) => { s.pciConfig[0x2e] = 0x41; }) },
  { name: 'BAR 4 address (writable)', accept: true, stream: () => edited((s) => { s.pciConfig.set([0x0c, 0x00, 0x00, 0xfe], 0x20); }) },
  { name: 'MSI-X table size in the capability (read-only)', accept: false, stream: () => edited((s) => { s.pciConfig[0x9a] = 0x07; }), line: 'get_pci_config_device: Bad config data: i=0x9a read: 7 device: 3 cmask: ff wmask: 0 w1cmask:0' },
  { name: 'MSI-X table entry data (migrated, unchecked)', accept: true, stream: () => edited((s) => { s.msixTable[8] = 0x31; }) },
  { name: 'config vector 3 (< 4 vectors)', accept: true, stream: () => edited((s) => { s.configVector = 3; }) },
  { name: 'config vector 4 (>= 4 vectors)', accept: false, stream: () => edited((s) => { s.configVector = 4; }) },
  { name: 'queue 2 vector 4', accept: false, stream: () => edited((s) => { s.queues[2]!.vector = 4; }) },
  { name: 'queue_sel 1024', accept: false, stream: () => edited((s) => { s.queueSel = 1024; }) },
  { name: 'vring num of queue 1 (no ring address)', accept: true, stream: () => edited((s) => { s.queues[1]!.num = 128; }) },
  { name: 'queue count 0x401', accept: false, stream: () => edited((_s, raw) => { new DataView(raw.bytes.buffer).setUint32(raw.queueCountAt, 0x401); return raw.bytes; }), line: 'Invalid number of virtqueues: 0x401' },
  { name: 'last_avail_idx without a ring', accept: false, stream: () => edited((s) => { s.queues[1]!.lastAvailIdx = 5; }), line: 'VQ 1 address 0x0 inconsistent with Host index 0x5' },
  { name: 'has_vnet_hdr 1 (no -netdev behind the NIC)', accept: false, stream: () => netEdited((d) => { d.hasVnetHdr = 1; }), line: 'virtio-net: saved image requires vnet_hdr=on' },
  { name: 'has_ufo 1', accept: false, stream: () => netEdited((d) => { d.hasUfo = 1; }), line: 'virtio-net: saved image requires TUN_F_UFO support' },
  { name: 'promisc 0, no VLANs, a second tx_waiting', accept: true, stream: () => netEdited((d) => { d.promisc = 0; d.vlans = new Uint8Array(512); d.txWaiting = 1; }) },
  // in_use 1: 6 more bytes are the MAC; has_ufo is then read from the subsection header's name ("virtio/...").
  { name: 'mac_table.in_use 1 alone (the rest read 6 bytes late)', accept: false, stream: () => inUse(1), line: 'virtio-net: saved image requires TUN_F_UFO support' },
  // in_use 65 > MAC_TABLE_ENTRIES: 390 bytes skipped, the fields after it read from zeros inside the
  // subsections, then no subsection marker where one is looked for: the field ends early.
  { name: 'mac_table.in_use 65 alone (390 bytes skipped)', accept: false, stream: () => inUse(65), line: 'Missing section footer for 0000:00:01.0/virtio-net' },
  // in_use 2: has_vnet_hdr is then read from the 6 flag bytes and the subsection header that follow it.
  { name: 'mac_table.in_use 2 alone', accept: false, stream: () => inUse(2), sameLine: true },
];

/** virtio-rng-pci goes through the same transport code: 2 MSI-X vectors, one queue of 8. */
const RNG = ['virtio-rng-pci'];
function rngEdited(change: (s: VirtioPciState) => void): Uint8Array {
  return virtioEdited(RNG, 'virtio-rng', change);
}
const RNG_CASES: MutationCase[] = [
  // 0x02: device id low byte (0x1005, legacy virtio-rng).
  { name: 'virtio-rng device id byte', accept: false, stream: () => rngEdited((s) => { s.pciConfig[0x02] = 0x41; }), line: 'get_pci_config_device: Bad config data: i=0x2 read: 41 device: 5 cmask: ff wmask: 0 w1cmask:0' },
  { name: 'virtio-rng queue 0 vector 1 (< 2 vectors)', accept: true, stream: () => rngEdited((s) => { s.queues[0]!.vector = 1; }) },
  { name: 'virtio-rng queue 0 vector 2 (>= 2 vectors)', accept: false, stream: () => rngEdited((s) => { s.queues[0]!.vector = 2; }) },
];

describeQemu('virtio-net-pci section: mutations judged by real QEMU 7.2 and the simulated 7.2 destination', (qemu) => {
  it('loads a booted stream whose guest driver assigned MSI-X vectors and selected a queue (workload)', async () => {
    const devices = ['virtio-net-pci', 'virtio-rng-pci'];
    const core = instantiate('7.2', MACHINE, { devices, ram: '32M', seed: 7 });
    runFirmware(core);
    runWorkload(core, 2);
    for (const name of ['virtio-net', 'virtio-rng']) {
      const bytes = core.sections.find((x) => x.vmsdName === name)!.state['virtio'] as Uint8Array;
      const { state } = decodeVirtioPci(bytes, virtioPciLayoutOfField(bytes));
      expect(state.configVector, name).toBe(0);
      expect(state.queues[0]!.vector, name).toBe(1);
      // Two rounds: the second selected queue 1 % queue count.
      expect(state.queueSel, name).toBe(1 % state.queues.length);
    }
    const stream = saveVm(core, { passes: 3 });
    const real = await loadIntoQemu(qemu, { machine: MACHINE, devices }, stream);
    expect(real.verdict, real.log.join('\n')).toEqual({ kind: 'accepted' });
    expect(loadInto('7.2', MACHINE, { devices }, stream).accepted).toBe(true);
  });

  /** Each case loaded into real QEMU and the simulated destination of a machine with `devices`. */
  function judgedByBoth(devices: string[], cases: MutationCase[]): void {
    for (const c of cases) {
      it(c.name, async () => {
        const stream = c.stream();
        const real = await loadIntoQemu(qemu, { machine: MACHINE, devices }, stream);
        const sim = loadInto('7.2', MACHINE, { devices }, stream);
        expect(real.verdict.kind === 'accepted', real.log.join('\n')).toBe(c.accept);
        expect(sim.accepted, sim.error?.message).toBe(c.accept);
        if (c.sameLine) expect(real.log.join('\n')).toContain(sim.error?.message ?? '(accepted)');
        if (c.line) {
          expect(real.log.join('\n')).toContain(c.line);
          expect(sim.error?.message).toBe(c.line);
        }
      });
    }
  }

  describe.concurrent('virtio-rng-pci', () => judgedByBoth(RNG, RNG_CASES));
  describe.concurrent('each mutation', () => judgedByBoth(DEVICES, CASES));
});
