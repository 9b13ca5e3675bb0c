/**
 * A seeded guest workload. Each round draws from a PRNG seeded by (seed,
 * round), so a machine that ran rounds 0..n holds the same state however
 * the rounds were split between boot and migration passes. A round:
 *
 * - dirties RAM: a few pages of main RAM get a burst of bytes (between
 *   1 MiB and the firmware's high allocations, so ACPI tables and the
 *   vmgenid GUID stay intact);
 * - RTC: writes CMOS NVRAM bytes (0x38..0x7f, outside the clock and status
 *   registers) and the index register;
 * - PIT: reprograms channel 0's count (a guest writing a new reload value);
 * - e1000: programs the receive address filter (RAL/RAH with Address Valid),
 *   sets a multicast table bit, and sets up RX/TX descriptor rings in guest
 *   RAM with head/tail pointers;
 * - virtio-net / virtio-rng: the driver assigns MSI-X vectors and selects a
 *   queue (src/devices/virtio/virtio-driver.ts);
 * - PCI: enables I/O, memory and bus mastering and sets the interrupt line,
 *   through config writes that only change what the write masks allow.
 */
import { findRamBlock, writeBytes, type RamBlock } from '../memory/index.js';
import { PCI_CAP_ID_MSI, PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY, PCI_INTERRUPT_LINE, configWrite, getWord, walkCapabilities, type PciDevice } from '../devices/pci/index.js';
import type { StateObject, Value } from '../vmstate/index.js';
import { virtioDriverRound, virtioPciLayoutOfField } from '../devices/virtio/index.js';
import { ramBelow4g } from './firmware.js';
import { pciStateFromDevice } from './pci-model.js';
import { createPrng, type Prng } from './prng.js';
import { isPlainState, withBytes, withElement, withField } from './state-edit.js';
import type { VmCore, VmSection } from './vm-core.js';

export interface WorkloadOptions {
  /** Pages of main RAM dirtied per round (default 32). */
  pagesPerRound?: number;
}

const PAGE = 4096;

export function runWorkload(core: VmCore, rounds = 1, opts: WorkloadOptions = {}): void {
  for (let i = 0; i < rounds; i++) {
    const prng = createPrng(Math.imul(core.seed + 1, 0x9e3779b1) ^ (core.workloadRounds + 1));
    dirtyRam(core, prng, opts.pagesPerRound ?? 32);
    for (const s of core.sections) editDevice(core, s, prng);
    core.workloadRounds++;
    core.runState = 'running';
  }
}

function dirtyRam(core: VmCore, prng: Prng, pages: number): void {
  const main = findRamBlock(core.ram, core.plan.mainRam)!;
  const { lo, hi } = guestScratch(core, main);
  if (hi <= lo) return;
  for (let i = 0; i < pages; i++) {
    const page = lo + prng.int(hi - lo);
    const at = page * PAGE + prng.int(PAGE - 64);
    writeBytes(main, at, prng.bytes(1 + prng.int(64)));
  }
}

/** Page range the workload may write: above 1 MiB, below the firmware's high allocations. */
function guestScratch(core: VmCore, main: RamBlock): { lo: number; hi: number } {
  const top = core.firmware.ran ? Math.max(0, ramBelow4g(core.machine, main.usedLength) - 0x400000) : main.usedLength;
  const lo = Math.min(256, Math.floor(main.usedLength / PAGE / 2));
  return { lo, hi: Math.floor(Math.min(top, main.usedLength) / PAGE) };
}

function editDevice(core: VmCore, s: VmSection, prng: Prng): void {
  switch (s.vmsd.name) {
    case 'mc146818rtc':
      s.state = withBytes(s.state, 'cmos_data', 0x38 + prng.int(0x48 - 4), prng.bytes(4));
      s.state = withField(s.state, 'cmos_index', prng.int(0x80));
      break;
    case 'i8254':
      s.state = editPitCount(s.state, 1 + prng.int(0xffff));
      break;
    case 'e1000':
      s.state = editE1000(core, s.state, prng);
      break;
    case 'virtio-net':
    case 'virtio-rng': {
      // No PRNG draw: the other devices' edits stay what they were.
      const field = s.state['virtio'];
      if (field instanceof Uint8Array) s.state = { ...s.state, virtio: virtioDriverRound(field, virtioPciLayoutOfField(field), core.workloadRounds) };
      break;
    }
  }
  if (s.pci && s.device !== undefined) {
    const dev = s.pci.dev;
    configWrite(dev, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    configWrite(dev, PCI_INTERRUPT_LINE, 10 + prng.int(2), 1);
    s.state = pciStateFromDevice(s.state, s.pci);
  }
  if (s.pci && programMsi(s.pci.dev, prng)) s.state = pciStateFromDevice(s.state, s.pci);
}

/**
 * A driver setting up MSI (the q35 AHCI controller has the capability):
 * message address to the local APIC, a vector in the data register, enable.
 * Writes go through the config masks like any guest config write.
 */
function programMsi(dev: PciDevice, prng: Prng): boolean {
  const cap = walkCapabilities(dev.config).find((c) => c.id === PCI_CAP_ID_MSI);
  if (!cap) return false;
  const is64 = (getWord(dev.config, cap.offset + 2) & 0x80) !== 0;
  configWrite(dev, cap.offset + 4, 0xfee00000, 4);
  if (is64) configWrite(dev, cap.offset + 8, 0, 4);
  configWrite(dev, cap.offset + (is64 ? 12 : 8), 0x4020 + prng.int(0x40), 2);
  configWrite(dev, cap.offset + 2, getWord(dev.config, cap.offset + 2) | 0x0001, 2);
  return true;
}

function editPitCount(state: StateObject, count: number): StateObject {
  const channels = state['channels'];
  if (!Array.isArray(channels) || !isPlainState(channels[0])) return state;
  return withElement(state, 'channels', 0, { ...channels[0], count });
}

/** Indexes into E1000State.mac_reg (register offset / 4, hw/net/e1000_regs.h). */
const MAC = { RDBAL: 0x2800 >> 2, RDLEN: 0x2808 >> 2, RDH: 0x2810 >> 2, RDT: 0x2818 >> 2, TDBAL: 0x3800 >> 2, TDLEN: 0x3808 >> 2, TDH: 0x3810 >> 2, TDT: 0x3818 >> 2, MTA: 0x5200 >> 2, RA: 0x5400 >> 2 };
const E1000_RAH_AV = 0x80000000;
const RING_DESCRIPTORS = 16;

function editE1000(core: VmCore, state: StateObject, prng: Prng): StateObject {
  const main = findRamBlock(core.ram, core.plan.mainRam)!;
  const { lo, hi } = guestScratch(core, main);
  const mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56 + prng.int(0x20)];
  const ral = (mac[0]! | (mac[1]! << 8) | (mac[2]! << 16) | (mac[3]! << 24)) >>> 0;
  const rah = (mac[4]! | (mac[5]! << 8) | E1000_RAH_AV) >>> 0;
  const mtaIndex = prng.int(128);
  const mtaBit = (1 << prng.int(32)) >>> 0;
  const rx = ringAt(main, prng, lo, hi);
  const tx = ringAt(main, prng, lo, hi);
  const rdt = 1 + prng.int(RING_DESCRIPTORS - 1);
  const tdt = prng.int(RING_DESCRIPTORS);
  let s = state;
  // The classic subset (main fields) and the whole register file (full_mac_state) hold the same registers.
  const named: [string, number, number][] = [
    ['mac_reg[RDBAL]', MAC.RDBAL, rx],
    ['mac_reg[RDLEN]', MAC.RDLEN, RING_DESCRIPTORS * 16],
    ['mac_reg[RDH]', MAC.RDH, 0],
    ['mac_reg[RDT]', MAC.RDT, rdt],
    ['mac_reg[TDBAL]', MAC.TDBAL, tx],
    ['mac_reg[TDLEN]', MAC.TDLEN, RING_DESCRIPTORS * 16],
    ['mac_reg[TDH]', MAC.TDH, 0],
    ['mac_reg[TDT]', MAC.TDT, tdt],
  ];
  for (const [key, , v] of named) s = withField(s, key, v);
  s = withElement(s, 'mac_reg[0]', 0, ral);
  s = withElement(s, 'mac_reg[0]', 1, rah);
  const mta = s['mac_reg[1]'];
  if (Array.isArray(mta)) s = withElement(s, 'mac_reg[1]', mtaIndex, ((Number(mta[mtaIndex] ?? 0) | mtaBit) >>> 0) as Value);
  const full = s['mac_reg'];
  if (Array.isArray(full)) {
    const copy = full.slice();
    for (const [, index, v] of named) copy[index] = v;
    copy[MAC.RA] = ral;
    copy[MAC.RA + 1] = rah;
    copy[MAC.MTA + mtaIndex] = ((Number(copy[MAC.MTA + mtaIndex] ?? 0) | mtaBit) >>> 0) as Value;
    s = { ...s, mac_reg: copy };
  }
  return s;
}

/** A 16-descriptor ring (16 bytes each) in guest RAM, filled with buffer addresses; returns its address. */
function ringAt(main: RamBlock, prng: Prng, lo: number, hi: number): number {
  if (hi <= lo) return 0;
  const addr = (lo + prng.int(hi - lo)) * PAGE;
  const ring = new Uint8Array(RING_DESCRIPTORS * 16);
  const view = new DataView(ring.buffer);
  for (let i = 0; i < RING_DESCRIPTORS; i++) view.setUint32(i * 16, (lo + prng.int(hi - lo)) * PAGE, true);
  writeBytes(main, addr, ring);
  return addr;
}
