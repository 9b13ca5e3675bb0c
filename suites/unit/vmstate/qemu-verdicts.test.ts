/**
 * Mutations of real QEMU 7.2 section bodies, with the verdict real QEMU 7.2
 * gave on the same mutation of the whole stream (pc-q35-7.2, -incoming
 * exec:cat, run by hand while writing these tests):
 *
 *   fw_cfg subsection renamed "fw_cfg/dma" -> "fw_cfg/dmb":
 *     error while loading state for instance 0x0 of device 'fw_cfg'
 *     load of migration failed: No such file or directory
 *   fw_cfg/acpi_mr version 0x00000100:
 *     fw_cfg/acpi_mr: incoming version_id 0 is too old for local minimum version_id  1
 *   fw_cfg/acpi_mr version 0x00000101: accepted (uint8_t truncation to 1)
 *   fw_cfg/acpi_mr version 2:
 *     fw_cfg/acpi_mr: incoming version_id 2 is too new for local version_id 1
 *   PCIBUS nirq (int32 equal, local 8) sent as 0x20:
 *     8 != 20
 *     Failed to load PCIBUS:nirq
 *   ich9_smb irq_enabled (bool) sent as 2: accepted
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadError, WireReader } from '../../../src/wire/index.js';
import { descriptionFromVmdesc, type VmdescDevice } from '../../../src/vmstate/vmdesc.js';
import { loadVMState } from '../../../src/vmstate/walker-load.js';
import type { StateObject } from '../../../src/vmstate/description.js';

interface Fixture {
  source: string;
  device: VmdescDevice;
  body: string;
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/qemu-7.2-sections.json', import.meta.url), 'utf8')) as Fixture[];
const fixture = (name: string): Fixture => fixtures.find((f) => f.device.name === name)!;

function mutate(body: string, from: string, to: string): Uint8Array {
  const hexFrom = Buffer.from(from, 'latin1').toString('hex');
  const hexTo = Buffer.from(to, 'latin1').toString('hex');
  expect(body).toContain(hexFrom);
  return new Uint8Array(Buffer.from(body.replace(hexFrom, hexTo), 'hex'));
}

function run(f: Fixture, bytes: Uint8Array, local: StateObject = {}): LoadError | StateObject {
  try {
    return loadVMState(new WireReader(bytes), descriptionFromVmdesc(f.device), f.device.version ?? 0, local);
  } catch (e) {
    if (e instanceof LoadError) return e;
    throw e;
  }
}

describe('verdicts real QEMU 7.2 gave on mutated sections', () => {
  const fw = fixture('fw_cfg');
  // Subsection header: 0x05, len 14, "fw_cfg/acpi_mr", be32 version (1 in the capture).
  const acpiMr = '\x05\x0efw_cfg/acpi_mr';

  it('unknown subsection name: refused (-ENOENT)', () => {
    const e = run(fw, mutate(fw.body, '\x05\x0afw_cfg/dma', '\x05\x0afw_cfg/dmb'));
    expect(e).toBeInstanceOf(LoadError);
    expect((e as LoadError).code).toBe('vmstate.subsection-unknown');
    expect((e as LoadError).path).toBe('fw_cfg/dmb');
  });
  it('subsection version 0x100 reads as 0: too old', () => {
    const e = run(fw, mutate(fw.body, `${acpiMr}\x00\x00\x00\x01`, `${acpiMr}\x00\x00\x01\x00`)) as LoadError;
    expect(e.code).toBe('vmstate.subsection-version');
    expect(e.message).toBe('fw_cfg/acpi_mr: incoming version_id 0 is too old for local minimum version_id  1');
  });
  it('subsection version 0x101 reads as 1: accepted', () => {
    expect(run(fw, mutate(fw.body, `${acpiMr}\x00\x00\x00\x01`, `${acpiMr}\x00\x00\x01\x01`))).not.toBeInstanceOf(LoadError);
  });
  it('subsection version 2: too new', () => {
    const e = run(fw, mutate(fw.body, `${acpiMr}\x00\x00\x00\x01`, `${acpiMr}\x00\x00\x00\x02`)) as LoadError;
    expect(e.message).toBe('fw_cfg/acpi_mr: incoming version_id 2 is too new for local version_id 1');
  });
  it('int32 equal mismatch: "8 != 20"', () => {
    const bus = fixture('PCIBUS');
    expect(bus.body.slice(0, 8)).toBe('00000008'); // nirq = 8 in the capture
    const e = run(bus, new Uint8Array(Buffer.from(`00000020${bus.body.slice(8)}`, 'hex')), { nirq: 8 }) as LoadError;
    expect(e.code).toBe('vmstate.equal-mismatch');
    expect(e.message).toBe('8 != 20');
    expect(e.path).toBe('PCIBUS/nirq');
    expect(e.offset).toBe(0);
  });
});
