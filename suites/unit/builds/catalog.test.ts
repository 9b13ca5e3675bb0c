import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  CATALOG,
  EXPECTED_BREAKS,
  foldBuild,
  getBuild,
  getDelta,
  listBuilds,
  machinesOf,
  type Change,
} from '../../../src/builds/index.js';
import { compareVersions, HW_COMPAT, machinesOffered, PC_COMPAT } from '../../../src/machines/index.js';
import { isCheckCode } from '../../../src/wire/checks.js';

const REQUIRED = ['1.7', '2.0', '2.2', '2.4', '2.9', '2.12', '3.1', '4.2', '5.2', '6.2', '7.2', '8.0', '8.2', '9.2', '10.0'];

describe('the catalog', () => {
  it('has at least 14 builds from 1.7 to 10.0, including every required release, oldest first', () => {
    const builds = listBuilds();
    expect(builds.length).toBeGreaterThanOrEqual(14);
    for (const v of REQUIRED) expect(builds).toContain(v);
    expect(builds[0]).toBe('1.7');
    expect(builds.at(-1)).toBe('10.0');
    const sorted = [...builds].sort(compareVersions);
    expect(builds).toEqual(sorted);
  });

  it('each build but the oldest is expressed on the build before it', () => {
    const builds = listBuilds();
    expect(getDelta('1.7').base).toBeUndefined();
    for (let i = 1; i < builds.length; i++) expect(getDelta(builds[i] ?? '').base).toBe(builds[i - 1]);
  });

  it('every change has a one-line reason and a source', () => {
    for (const delta of CATALOG) {
      for (const c of delta.changes) {
        const where = `${delta.version} ${c.kind}`;
        expect(c.reason.trim().length, where).toBeGreaterThan(10);
        expect(c.reason, where).not.toContain('\n');
        expect(c.source.ref.trim().length, where).toBeGreaterThan(5);
        expect(['verified', 'inferred'], where).toContain(c.source.confidence);
        if (c.source.confidence === 'inferred') expect(c.source.note ?? c.source.qemu, where).toBeTruthy();
      }
    }
  });

  it('every compat switch a change names is an entry of the compat data', () => {
    const arrays = [...HW_COMPAT, ...PC_COMPAT];
    const switches = CATALOG.flatMap((d) => d.changes).flatMap((c: Change) =>
      'compat' in c && c.compat !== undefined ? [c.compat] : c.kind === 'device-added' && c.requires ? [c.requires] : []);
    expect(switches.length).toBeGreaterThan(15);
    for (const s of switches) {
      const entry = arrays.find((a) => a.name === s.array)?.entries.find((e) => e.driver === s.driver && e.property === s.property);
      expect(entry?.value, `${s.array} ${s.driver}.${s.property}`).toBe(s.value);
    }
  });

  it('a change dated by compat array X.Y lands after X.Y (in the build whose machine types first lack the entry)', () => {
    for (const delta of CATALOG) {
      for (const c of delta.changes) {
        if (!('compat' in c) || c.compat === undefined) continue;
        const arrayVersion = c.compat.array.replace(/^[a-z]+_compat_/, '').replace(/_/g, '.');
        expect(compareVersions(delta.version, arrayVersion), `${delta.version} ${c.compat.array}`).toBeGreaterThan(0);
      }
    }
  });
});

describe('the fold', () => {
  it("a build's view is its base's view plus its own changes", () => {
    for (const v of listBuilds()) {
      const delta = getDelta(v);
      if (delta.base === undefined) continue;
      expect(applyDelta(getBuild(delta.base), delta), v).toEqual(getBuild(v));
    }
  });

  it('the shared views equal a fold from scratch along the base chain', () => {
    for (const v of listBuilds()) expect(foldBuild(v), v).toEqual(getBuild(v));
  });

  it('shared views are frozen', () => {
    const view = getBuild('7.2');
    expect(Object.isFrozen(view)).toBe(true);
    expect(Object.isFrozen(view.devices['e1000']?.sections['e1000']?.subsections)).toBe(true);
  });

  it('folding does not alter the base view', () => {
    const before = getBuild('2.12');
    const snapshot = structuredClone(before);
    applyDelta(before, getDelta('3.0'));
    expect(before).toEqual(snapshot);
  });

  it('the folded machine list is the one the machine ranges give for that release', () => {
    for (const v of listBuilds()) {
      expect(machinesOf(v).map((m) => m.name).sort(), v).toEqual(machinesOffered(v).map((m) => m.name).sort());
    }
  });

  it('the view records every change of the chain, tagged with its build', () => {
    const view = getBuild('2.4');
    expect(view.chain).toEqual(['1.7', '2.0', '2.1', '2.2', '2.3', '2.4']);
    const total = view.chain.reduce((n, v) => n + getDelta(v).changes.length, 0);
    expect(view.changes.length).toBe(total);
  });

  it('RAM rules follow seed 000 and 001: fixed blocks until 2.3, RAM_MIGRATABLE from 3.0', () => {
    expect(getBuild('2.2').ram['resizeable-blocks']).toBe(false);
    expect(getBuild('2.2').ramBlocks['/rom@etc/acpi/tables']).toMatchObject({ resizeable: false, since: '1.7' });
    expect(getBuild('2.3').ramBlocks['/rom@etc/acpi/tables']).toMatchObject({ resizeable: true, maxLength: 0x200000, since: '1.7', changedIn: '2.3' });
    expect(getBuild('5.2').ramBlocks['/rom@etc/table-loader']?.maxLength).toBe(0x1000);
    // 868270f23d8d (2.1) pads tables to ACPI_BUILD_TABLE_SIZE 0x20000; 1.7/2.0 have legacy sizes.
    expect(getBuild('2.0').ramBlocks['/rom@etc/acpi/tables']?.padding).toBeUndefined();
    expect(getBuild('2.1').ramBlocks['/rom@etc/acpi/tables']).toMatchObject({ resizeable: false, padding: 0x20000 });
    // Observed on real 7.2: table-loader max_length 0x10000, rsdp 0x1000, tables 0x200000.
    expect(getBuild('7.2').ramBlocks['/rom@etc/table-loader']?.maxLength).toBe(0x10000);
    expect(getBuild('7.2').ramBlocks['/rom@etc/acpi/rsdp']?.maxLength).toBe(0x1000);
    expect(getBuild('2.12').ram['migratable-flag']).toBe(false);
    expect(getBuild('3.0').ram['migratable-flag']).toBe(true);
  });

  it('devices arrive when history says: vmgenid 2.9 (needs fw_cfg DMA), pvpanic-pci 6.0', () => {
    expect(getBuild('2.6').devices['vmgenid']).toBeUndefined();
    expect(getBuild('2.9').devices['vmgenid']).toMatchObject({ since: '2.9', declared: true });
    expect(getBuild('2.9').devices['vmgenid']?.requires).toMatchObject({ array: 'hw_compat_2_4', property: 'dma_enabled', value: 'off' });
    expect(getBuild('5.2').devices['pvpanic-pci']).toBeUndefined();
    expect(getBuild('6.0').devices['pvpanic-pci']?.sections['pvpanic-pci']).toMatchObject({ version_id: 1, minimum_version_id: 1 });
  });

  it('e1000 subsections accumulate with the compat property that hides each (as 7.2 -dump-vmstate lists them)', () => {
    const e1000 = getBuild('7.2').devices['e1000']?.sections['e1000'];
    expect(Object.keys(e1000?.subsections ?? {}).sort()).toEqual(['e1000/full_mac_state', 'e1000/mit_state', 'e1000/tx_tso_state']);
    expect(e1000?.subsections['e1000/tx_tso_state']).toMatchObject({ since: '2.12', compat: { array: 'hw_compat_2_11', property: 'migrate_tso_props' } });
    expect(Object.keys(getBuild('2.9').devices['e1000']?.sections['e1000']?.subsections ?? {}).sort()).toEqual(['e1000/full_mac_state', 'e1000/mit_state']);
  });

  it('the UNCOR_MASK story: unconditional in 8.0, behind x-pcie-err-unc-mask from 8.0.1', () => {
    const uncor = (v: string) => getBuild(v).pciConfig.filter((p) => p.register === 'PCI_ERR_UNCOR_MASK');
    expect(uncor('7.2')).toEqual([]);
    expect(uncor('8.0')).toEqual([expect.objectContaining({ since: '8.0' })]);
    expect(uncor('8.0')[0]?.controlledBy).toBeUndefined();
    expect(getBuild('8.0').pciCapPresent['QEMU_PCIE_ERR_UNC_MASK']).toBeUndefined();
    expect(getBuild('8.0.1').pciCapPresent['QEMU_PCIE_ERR_UNC_MASK']).toMatchObject({ bitnr: 11, default: true });
    expect(getBuild('8.0.1').compatAdditions).toContainEqual(expect.objectContaining({ array: 'hw_compat_7_2', since: '8.0.1' }));
  });

  it('stream features: vmdesc from 2.3; configuration, footers and global state from 2.4', () => {
    const s = (v: string) => getBuild(v).stream;
    expect(s('2.2').vmdesc.enabled).toBe(false);
    expect(s('2.3').vmdesc.enabled).toBe(true);
    expect(s('2.3')['configuration-section'].enabled).toBe(false);
    expect(s('2.4')['configuration-section']).toMatchObject({ enabled: true, since: '2.4', compat: { array: 'hw_compat_2_3' } });
    expect(s('2.4')['section-footer'].enabled).toBe(true);
    expect(s('9.2')['switchover-start'].enabled).toBe(false);
    expect(s('10.0')['switchover-start'].enabled).toBe(true);
  });
});

describe('expected breaks', () => {
  const builds = new Set(listBuilds());
  const setBuilds = (s: (typeof EXPECTED_BREAKS)[number]['a']): string[] =>
    'only' in s ? [...s.only] : 'except' in s ? [...s.except] : [s.from, s.upTo].filter((v): v is string => v !== undefined);

  it('name existing builds, machines, check codes, with a reason and a source', () => {
    for (const br of EXPECTED_BREAKS) {
      for (const v of [...setBuilds(br.a), ...setBuilds(br.b)]) expect(builds.has(v), `${br.id}: build ${v}`).toBe(true);
      expect(br.reason.length).toBeGreaterThan(10);
      expect(br.source.ref.length).toBeGreaterThan(5);
      const manifests = Object.values(br.manifests);
      expect(manifests.length, br.id).toBeGreaterThan(0);
      for (const m of manifests) if (m.kind === 'refused') expect(isCheckCode(m.code), `${br.id}: ${m.code}`).toBe(true);
      const anyBuildOffers = (name: string) => listBuilds().some((v) => machinesOf(v).some((m) => m.name === name) || getBuild(v).boards.some((b) => b.board === name));
      for (const b of br.machines.boards ?? []) expect(anyBuildOffers(b), `${br.id}: board ${b}`).toBe(true);
      for (const f of br.machines.families ?? []) expect(listBuilds().some((v) => machinesOf(v).some((m) => m.family === f)), `${br.id}: family ${f}`).toBe(true);
      for (const d of br.requires?.devices ?? []) expect(listBuilds().some((v) => getBuild(v).devices[d]?.declared), `${br.id}: device ${d}`).toBe(true);
    }
  });
});

describe('the root port breaks, worded as get_pci_config_device words them', () => {
  // hw/pci/pci.c (7.2) get_pci_config_device reads the stream's config into `config` and compares
  // it with the destination's own s->config, printing
  //   "%s: Bad config data: i=0x%x read: %x device: %x cmask: %x wmask: %x w1cmask:%x",
  //   __func__, i, config[i], s->config[i], s->cmask[i], s->wmask[i], s->w1cmask[i]
  // so `read` is the source's byte and `device` the destination's.
  const line = (i: number, source: number, dest: number): string =>
    `get_pci_config_device: Bad config data: i=0x${i.toString(16)} read: ${source.toString(16)} device: ${dest.toString(16)} cmask: ff wmask: 0 w1cmask:0`;
  const manifest = (id: string, dir: 'a-to-b' | 'b-to-a') => {
    const m = EXPECTED_BREAKS.find((b) => b.id === id)!.manifests[dir];
    return m?.kind === 'refused' ? m.message : undefined;
  };

  it('pcie-acs-4.0: a (4.0, ACS) sends 0x82 at 0x102, b holds 0x02; the other way round from b', () => {
    // AER's extended capability header at 0x100 is PCI_EXT_CAP(id 1, version 2, next): with 4.0's
    // ACS at 0x148 next = 0x148, without it 0; little-endian, byte 0x102 = (header >> 16) & 0xff.
    // pcie_add_capability sets cmask 0xff and wmask/w1cmask 0 over the header.
    const header = (next: number): number => 0x0001 | (2 << 16) | (next << 20);
    const withAcs = (header(0x148) >>> 16) & 0xff;
    const without = (header(0) >>> 16) & 0xff;
    expect([withAcs, without]).toEqual([0x82, 0x02]);
    // Bytes 0x100 and 0x101 (the capability id) are the same on both sides: 0x102 is the first that differs.
    expect(header(0x148) & 0xffff).toBe(header(0) & 0xffff);
    expect(manifest('pcie-acs-4.0', 'a-to-b')).toBe(line(0x102, withAcs, without));
    expect(manifest('pcie-acs-4.0', 'b-to-a')).toBe(line(0x102, without, withAcs));
  });

  it('pcie-err-unc-mask-8.0: a (8.0) sends PCI_ERR_UNCOR_MASK 0x02400000, b holds 0', () => {
    // AER at 0x100, PCI_ERR_UNCOR_MASK at +8: byte 0x10a = (0x02400000 >> 16) & 0xff.
    expect(manifest('pcie-err-unc-mask-8.0', 'a-to-b')).toBe(line(0x100 + 8 + 2, (0x02400000 >>> 16) & 0xff, 0));
  });
});

describe('compat entries appended later', () => {
  it('every `since` is a real release, later than the array it was appended to', () => {
    for (const a of [...HW_COMPAT, ...PC_COMPAT]) {
      for (const e of a.entries) {
        if (e.since === undefined) continue;
        expect(compareVersions(e.since, a.version), `${a.name} ${e.driver}.${e.property}`).toBeGreaterThan(0);
      }
    }
  });

  it('catalog compat-entry-added changes match the data and its `since`', () => {
    for (const delta of CATALOG) {
      for (const c of delta.changes) {
        if (c.kind !== 'compat-entry-added') continue;
        const entry = [...HW_COMPAT, ...PC_COMPAT].find((a) => a.name === c.array)?.entries
          .find((e) => e.driver === c.entry.driver && e.property === c.entry.property);
        expect(entry, `${delta.version} ${c.array}`).toMatchObject({ value: c.entry.value, since: delta.version });
      }
    }
  });

  it('machinesOf returns a copy callers may sort', () => {
    expect(() => machinesOf('7.2').sort()).not.toThrow();
  });
});
