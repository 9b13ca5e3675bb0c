import { afterAll, describe, expect, it } from 'vitest';
import { loadIntoQemu } from '../../harness/targets/qemu-target.js';
import type { MachineSpec, Verdict } from '../../harness/targets/target.js';
import { deviceAvailability, expectedBreaks, listBuilds, sharedMachines, type BreakManifest } from '../../src/builds/index.js';
import { compareVersions } from '../../src/machines/version.js';
import { instantiate } from '../../src/vm/instantiate.js';
import { saveVm } from '../../src/vm/save.js';
import { VMGENID_GUID } from '../../harness/targets/capture-corpus.js';
import { assertNoQemuLeft, describeQemu } from './qemu-env.js';

/**
 * The build catalog against real QEMU 7.2 as the destination: a stream the
 * simulated build B writes for machine type M is what QEMU B wrote, so real
 * QEMU 7.2 running M must accept it, unless the catalog documents a break
 * for B -> 7.2 on M (then QEMU must refuse it the way the catalog says).
 * Per build: its newest pc-i440fx and pc-q35 machine types, bare and with the
 * seed devices that build has on that machine type.
 */

const SEED_DEVICES = ['e1000', 'virtio-net-pci', `vmgenid,guid=${VMGENID_GUID}`, 'pvpanic-pci', 'virtio-rng-pci'];

function newest(machines: string[], family: string): string | undefined {
  const own = machines.filter((m) => m.startsWith(`${family}-`));
  return own.sort((a, b) => compareVersions(b.slice(family.length + 1), a.slice(family.length + 1)))[0];
}

function casesFor(build: string): Array<[string, MachineSpec]> {
  const shared = sharedMachines(build, '7.2');
  const out: Array<[string, MachineSpec]> = [];
  for (const family of ['pc-i440fx', 'pc-q35']) {
    const m = newest(shared, family);
    if (!m) continue;
    out.push([`${build} ${m}`, { machine: m }]);
    const devices = SEED_DEVICES.filter((d) => deviceAvailability(build, m, d.split(',')[0]!).status === 'available');
    if (devices.length > 0) out.push([`${build} ${m} +${devices.map((d) => d.split(',')[0]).join(' +')}`, { machine: m, devices }]);
  }
  return out;
}

/** The break the catalog expects for this configuration, if its required devices are present. */
function expectedManifest(build: string, spec: MachineSpec): BreakManifest | undefined {
  const drivers = new Set((spec.devices ?? []).map((d) => d.split(',')[0]));
  return expectedBreaks(build, '7.2', spec.machine).find((b) => (b.break.requires?.devices ?? []).every((d) => drivers.has(d)))?.manifest;
}

function checkAgainst(manifest: BreakManifest | undefined, verdict: Verdict, log: string[]): void {
  if (manifest === undefined) {
    expect(verdict, log.join('\n')).toEqual({ kind: 'accepted' });
    return;
  }
  if (manifest.kind === 'refused') {
    expect(verdict).toMatchObject({ kind: 'refused', code: manifest.code });
    if (manifest.message && verdict.kind === 'refused') expect(verdict.message).toContain(manifest.message);
    return;
  }
  // state-difference: the load itself is accepted.
  expect(verdict.kind).toBe('accepted');
}

describeQemu('real QEMU 7.2 as the destination of older simulated builds', (qemu) => {
  afterAll(() => {
    assertNoQemuLeft();
  });
  const builds = listBuilds().filter((b) => compareVersions(b, '7.2') <= 0);
  describe.concurrent.each(builds)('QEMU %s', (build) => {
    it.each(casesFor(build))('%s', async (_n, spec) => {
      const manifest = expectedManifest(build, spec);
      const core = instantiate(build, spec.machine, { devices: spec.devices ?? [], ram: '32M' });
      if (manifest?.kind === 'blocked') {
        expect(() => saveVm(core, { passes: 1 })).toThrow(manifest.message);
        return;
      }
      const r = await loadIntoQemu(qemu, spec, saveVm(core, { passes: 1 }));
      checkAgainst(manifest, r.verdict, r.log);
    });
  });
}, { series: '7.2' });
