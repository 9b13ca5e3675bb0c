import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../../harness/fuzz/campaign.js';
import { materialize } from '../../../harness/fuzz/fuzz-case.js';
import { judge } from '../../../harness/fuzz/oracle.js';
import { newestBuild } from '../../../harness/fuzz/sim-seed.js';
import { seedByName, seedForTarget, targetFromId } from '../../../harness/fuzz/targets.js';
import { SMALL_PLAN } from './helpers.js';
import { SimFuzzTarget } from '../../../harness/fuzz/sim-fuzz-target.js';
import { boot } from '../../../src/vm.js';

/** The simulated target: streams a booted machine of the build saved, loaded into fresh incoming machines of it. */
describe('sim target', () => {
  const build = newestBuild();
  const seed = seedForTarget(`sim:${build}`, 'pc-q35-7.2', ['e1000']);
  const target = targetFromId(`sim:${build}`, seed);

  it('names its seed so a corpus record can rebuild it', () => {
    expect(seed.name).toBe(`sim:${build}/pc-q35-7.2+e1000`);
    expect(seedByName(seed.name)).toBe(seed);
    expect(seed.modelled).toBe(true);
  });

  it('accepts the valid plan (with the e1000 section) and the oracle is satisfied', async () => {
    const e1000 = seed.devices.findIndex((d) => d.idstr.endsWith('/e1000'));
    const m = materialize(seed, { plan: { ...SMALL_PLAN, sections: [0, e1000] } });
    const load = await target.load(m.bytes);
    expect(load.verdict).toEqual({ kind: 'accepted' });
    expect(judge(load)).toEqual([]);
  });

  it('pci.config-byte: checked config bytes that contradict the device are "Bad config data" (get_pci_config_device)', async () => {
    for (let b = 0; b < 7; b++) {
      const m = materialize(seed, { plan: SMALL_PLAN, mutation: { op: 'pci.config-byte', a: 4, b } });
      expect(m.note).toMatch(/^pci\.config-byte: 0000:00:01\.0\/e1000 config 0x/);
      const load = await target.load(m.bytes);
      expect(load.verdict, m.note).toMatchObject({ kind: 'refused', code: 'pci.bad-config-data' });
      expect(load.verdict.kind === 'refused' && load.verdict.message).toMatch(/^get_pci_config_device: Bad config data: i=0x/);
      expect(judge(load)).toEqual([]);
    }
  });

  it('fwcfg.acpi-mr-size: ACPI sizes above max_length are refused, exactly max_length is accepted', async () => {
    // Real QEMU 7.2 aborts here (error_abort in qemu_ram_resize: SIGABRT, see the crash entry
    // under corpus/qemu@*/crash); the simulated fw_cfg refuses with qemu_ram_resize's words.
    const over = materialize(seed, { plan: SMALL_PLAN, mutation: { op: 'fwcfg.acpi-mr-size', a: 0, b: 0 } });
    expect(over.note).toBe('fwcfg.acpi-mr-size: fw_cfg acpi_mr table_mr_size 0x201000 (/rom@etc/acpi/tables max 0x200000)');
    expect((await target.load(over.bytes)).verdict).toEqual({
      kind: 'refused',
      code: 'fwcfg.acpi-mr-too-large',
      message: 'Size too large: /rom@etc/acpi/tables: 0x201000 > 0x200000',
    });
    const atMax = materialize(seed, { plan: SMALL_PLAN, mutation: { op: 'fwcfg.acpi-mr-size', a: 1, b: 1 } });
    expect(atMax.note).toContain('linker_mr_size 0x10000');
    expect((await target.load(atMax.bytes)).verdict.kind).toBe('accepted');
  });

  it('a short campaign breaks no property and reaches the PCI config check', async () => {
    const r = await runCampaign({ target, seed, runs: 300, rngSeed: 12 });
    expect(r.failure, r.failure && JSON.stringify(r.failure.violations)).toBeUndefined();
    const reached = new Set(r.coverage.filter((c) => c.inputs > 0).map((c) => c.code));
    for (const c of ['pci.bad-config-data', 'ram.length-too-large', 'section.footer-mismatch', 'stream.unknown-section'] as const) expect(reached, c).toContain(c);
  });
});

/** The seed 001 boards go through their own loader (src/vm/board.ts): it must log checks and honour disabled ones like any machine. */
describe('sim target on a seed 001 board', () => {
  const bytes = boot('2.12', 'highbank', { ram: '32M' }).save();

  it('logs the checks a load reaches (the coverage report counts them)', () => {
    const load = new SimFuzzTarget('3.0', 'highbank').loadSync(bytes);
    // 3.0 registers only RAM_MIGRATABLE blocks; 2.12 sent highbank.sysram (seed 001).
    expect(load.verdict).toEqual({ kind: 'refused', code: 'ram.block-not-migratable', message: 'block highbank.sysram should not be migrated !' });
    expect([...load.checks!]).toEqual(expect.arrayContaining(['stream.bad-magic', 'ram.unknown-block', 'ram.block-not-migratable']));
  });

  it('honours disabled checks: without the RAM_MIGRATABLE check (QEMU before 3.0) the stream loads', () => {
    const load = new SimFuzzTarget('3.0', 'highbank', [], '32M', { disabledChecks: new Set(['ram.block-not-migratable'] as const) }).loadSync(bytes);
    expect(load.verdict).toEqual({ kind: 'accepted' });
  });
});
