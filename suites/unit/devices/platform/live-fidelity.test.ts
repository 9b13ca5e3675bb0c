/**
 * Fidelity against a live QEMU, machine type by machine type: a fresh
 * `-nodefaults -m 32M` capture must show the sections (idstr, instance id,
 * version, subsections, body length) and RAM blocks (idstr, used_length,
 * max_length) the platform data records.
 *
 * Starts QEMU, so it only runs with MIGCOMPAT_PLATFORM_LIVE set: `1` for a
 * few machine types (one per family and layout era), `all` for every machine
 * type the binary lists. One QEMU at a time; each capture kills its QEMU.
 */
import { describe, expect, it } from 'vitest';
import { OPTIONAL_DEVICE_ARGS, captureOne, listMachines } from '../../../../src/devices/platform/generate/capture.js';
import { CAPTURE_DEVICES } from './fixtures.js';
import { scanStream } from '../../../../src/devices/platform/generate/scan-stream.js';
import { parseInfoRamblock } from '../../../../src/devices/platform/generate/info-ramblock.js';
import { platformSections, platformStreamInfo, ramBlocks } from '../../../../src/devices/platform/index.js';

const LIVE = process.env.MIGCOMPAT_PLATFORM_LIVE;
const QEMU = process.env.MIGCOMPAT_QEMU ?? 'qemu-system-x86_64';
const FEW = ['pc-q35-7.2', 'pc-i440fx-7.2', 'pc-i440fx-2.0', 'pc-i440fx-1.6', 'microvm', 'isapc'];

describe.skipIf(!LIVE)('live QEMU 7.2 against the platform data (MIGCOMPAT_PLATFORM_LIVE)', () => {
  const machines = LIVE === 'all' ? listMachines(QEMU) : FEW;

  it.each(machines)('%s', { timeout: 60_000 }, async (machine) => {
    const info = platformStreamInfo(machine);
    // Machine types that suppress the vmdesc get it back so the stream can be measured.
    const cap = await captureOne(QEMU, info.vmdesc ? machine : `${machine},suppress-vmdesc=off`);
    const live = scanStream(cap.stream);
    expect(live.machine !== undefined).toBe(info.configuration);
    expect(live.footers).toBe(info.footers);
    expect(live.sections.map((s) => [s.idstr, s.instance_id, s.version_id, (s.vmdesc.subsections ?? []).map((x) => x.vmsd_name), s.body.length])).toEqual(
      platformSections(machine).map((s) => [s.idstr, s.instance_id, s.version_id, s.subsections, s.body.length]),
    );
    const table = parseInfoRamblock(JSON.stringify(cap.infoRamblock));
    expect(live.ramBlocks.map((b) => ({ idstr: b.idstr, used_length: b.used_length, max_length: table.find((r) => r.idstr === b.idstr)?.max }))).toEqual(
      ramBlocks(machine),
    );
  });

  it.each(['pc-q35-7.2', 'pc-i440fx-7.2'])('%s with the optional devices', { timeout: 60_000 }, async (machine) => {
    const cap = await captureOne(QEMU, machine, [...OPTIONAL_DEVICE_ARGS, '-device', 'vmgenid']);
    const live = scanStream(cap.stream);
    expect(live.sections.map((s) => [s.idstr, s.instance_id, s.version_id, (s.vmdesc.subsections ?? []).map((x) => x.vmsd_name), s.body.length])).toEqual(
      platformSections(machine, CAPTURE_DEVICES).map((s) => [s.idstr, s.instance_id, s.version_id, s.subsections, s.body.length]),
    );
    const table = parseInfoRamblock(JSON.stringify(cap.infoRamblock));
    expect(live.ramBlocks.map((b) => ({ idstr: b.idstr, used_length: b.used_length, max_length: table.find((r) => r.idstr === b.idstr)?.max }))).toEqual(
      ramBlocks(machine, CAPTURE_DEVICES),
    );
  });
});
