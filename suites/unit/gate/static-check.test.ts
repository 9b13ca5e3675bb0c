/**
 * The static checker on real -dump-vmstate output of QEMU 7.2: the
 * committed corpus dumps, dumps made live from the installed binary, and
 * hand edits of a real dump whose effect is known from the edit itself.
 * Expected messages are the wording of QEMU's scripts/vmstate-static-checker.py.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { staticCheck, staticCheckExitCode } from '../../../harness/gate/static-check.js';
import { corpusDir } from '../../../harness/corpus/qemu-corpus.js';

type Dump = Record<string, any>;
const corpusDump = (name: string): Dump => JSON.parse(gunzipSync(readFileSync(join(corpusDir(), name))).toString('utf8'));
const q35 = corpusDump('pc-q35-7.2.vmstate.json.gz');
const i440fx = corpusDump('pc-i440fx-7.2.vmstate.json.gz');
const copy = (d: Dump): Dump => structuredClone(d);
const errors = (r: ReturnType<typeof staticCheck>) => r.findings.filter((f) => f.severity === 'error').map((f) => f.message);

describe('real QEMU 7.2 dumps', () => {
  it('a dump against itself: nothing', () => {
    const r = staticCheck(q35, q35);
    expect(r.findings).toEqual([]);
    expect(staticCheckExitCode(r)).toBe(0);
  });

  it('pc-i440fx-7.2 vs pc-q35-7.2 of the same binary: only the machine type warning (the dump is per class, not per board)', () => {
    const r = staticCheck(i440fx, q35);
    expect(r.incompatibilities).toBe(0);
    expect(r.findings.map((f) => f.message)).toEqual(['Warning: checking incompatible machine types: "pc-i440fx-7.2", "pc-q35-7.2"']);
  });
});

const QEMU = '/usr/bin/qemu-system-x86_64';
describe.skipIf(!existsSync(QEMU))('dumps made live from the installed QEMU', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'migcompat-dump-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const dump = async (machine: string): Promise<Dump> => {
    const file = join(tmp, `${machine}.json`);
    await execa(QEMU, ['-machine', machine, '-nodefaults', '-display', 'none', '-dump-vmstate', file], { timeout: 30_000 });
    return JSON.parse(readFileSync(file, 'utf8'));
  };

  it('pc-i440fx-2.4 vs pc-i440fx-7.2: the same descriptions; what differs is compat properties', async () => {
    const old = await dump('pc-i440fx-2.4');
    const cur = await dump('pc-i440fx-7.2');
    const r = staticCheck(old, cur, { sourceRelease: '7.2', destinationRelease: '7.2' });
    expect(r.incompatibilities).toBe(0);
    expect(r.findings.filter((f) => f.kind !== 'compat-property').map((f) => f.kind)).toEqual(['machine-type-mismatch']);
    const compat = new Map(r.findings.filter((f) => f.kind === 'compat-property').map((f) => [f.field, f.message]));
    // hw_compat_2_4 (hw/core/machine.c): fw_cfg DMA off and e1000 without the extra MAC registers.
    expect(compat.get('fw_cfg_io.dma_enabled')).toBe('compat property fw_cfg_io.dma_enabled: off on pc-i440fx-2.4 (7.2), (default) on pc-i440fx-7.2 (7.2)');
    expect(compat.get('e1000.extra_mac_registers')).toContain('off on pc-i440fx-2.4');
    // hw_compat_2_3 does not apply to 2.4: the configuration section is sent.
    expect(compat.has('migration.send-configuration')).toBe(false);
  });
});

describe('edits of the real pc-q35-7.2 dump (expected findings follow from the edit)', () => {
  it('a section the destination lacks', () => {
    const dst = copy(q35);
    delete dst.e1000;
    expect(errors(staticCheck(q35, dst))).toEqual(['Section "e1000" does not exist in dest']);
  });

  it('version and minimum version errors', () => {
    const dst = copy(q35);
    // e1000 is version 2, minimum 1: a destination at version 1 cannot take 2.
    dst.e1000.version_id = 1;
    dst.e1000.Description.version_id = 1;
    const r = staticCheck(q35, dst);
    expect(errors(r)).toEqual(['Section "e1000" version error: 2 > 1', 'Section "e1000" Description "e1000": version error: 2 > 1']);
    const newer = copy(q35);
    newer.e1000.Description.minimum_version_id = 3;
    newer.e1000.Description.version_id = 3;
    expect(errors(staticCheck(q35, newer))).toEqual(['Section "e1000" Description "e1000": minimum version error: 2 < 3']);
  });

  it('a renamed field stops the comparison of that description', () => {
    const dst = copy(q35);
    dst.e1000.Description.Fields[3].field = 'rx_buffer_size';
    expect(errors(staticCheck(q35, dst))).toEqual(['Section "e1000", Description "e1000": expected field "rxbuf_size", got "rx_buffer_size"; skipping rest']);
  });

  it('a field of another size', () => {
    const dst = copy(q35);
    dst.e1000.Description.Fields[3].size = 8;
    expect(errors(staticCheck(q35, dst))).toEqual(['Section "e1000" Description "e1000" Field "rxbuf_size" size mismatch: 4 , 8']);
  });

  it('the destination runs out of fields', () => {
    const dst = copy(q35);
    dst.e1000.Description.Fields.pop();
    expect(errors(staticCheck(q35, dst))).toEqual(['Section "e1000", Description "e1000": expected field "mac_reg", while dest has no further fields']);
  });

  it('a missing subsection; with `needed` known to be always true it is called out as always sent', () => {
    const dst = copy(q35);
    dst.e1000.Description.Subsections = dst.e1000.Description.Subsections.filter((s: { name: string }) => s.name !== 'e1000/full_mac_state');
    expect(errors(staticCheck(q35, dst))).toEqual(['Section "e1000", Description "e1000": Subsection "e1000/full_mac_state" not found']);
    const r = staticCheck(q35, dst, { subsectionNeeded: (_sec, _desc, sub) => (sub === 'e1000/full_mac_state' ? 'always' : undefined) });
    expect(r.findings.map((f) => f.kind)).toEqual(['subsection-always-sent']);
    expect(r.incompatibilities).toBe(1);
  });

  it('extras: a field only the destination has, judged by its version', () => {
    const dst = copy(q35);
    dst.e1000.Description.Fields.push({ field: 'new_reg', version_id: 0, field_exists: false, size: 4 });
    expect(errors(staticCheck(q35, dst))).toEqual(['Section "e1000", Description "e1000": destination expects field "new_reg" (version 0) that the source never sends']);
    const versioned = copy(q35);
    // A field from version 3 on is not read from a version 2 stream.
    versioned.e1000.Description.Fields.push({ field: 'new_reg', version_id: 3, field_exists: false, size: 4 });
    const r = staticCheck(q35, versioned);
    expect(r.incompatibilities).toBe(0);
    expect(r.findings.map((f) => [f.kind, f.severity])).toEqual([['field-only-on-destination', 'info']]);
  });

  it('extras: a subsection only the destination has is optional on load', () => {
    const src = copy(q35);
    src.e1000.Description.Subsections = src.e1000.Description.Subsections.filter((s: { name: string }) => s.name !== 'e1000/tx_tso_state');
    const r = staticCheck(src, q35);
    expect(r.incompatibilities).toBe(0);
    expect(r.findings.map((f) => f.message)).toEqual(['Section "e1000", Description "e1000": Subsection "e1000/tx_tso_state" only on the destination (optional on load)']);
    // The other way round it is a missing subsection.
    expect(staticCheck(src, q35, { reverse: true }).incompatibilities).toBe(1);
  });
});

describe('the script\'s tolerances', () => {
  const desc = (fields: Array<[string, number]>) => ({
    vmschkmachine: { Name: 'm' },
    dev: { Name: 'dev', version_id: 1, minimum_version_id: 1, Description: { name: 'dev', version_id: 1, minimum_version_id: 1, Fields: fields.map(([field, size]) => ({ field, version_id: 0, field_exists: false, size })) } },
  });

  it('unused padding matched by several fields of the same total size', () => {
    // 8 bytes of `unused` on the source are 4 + 4 bytes of real fields on the destination.
    expect(staticCheck(desc([['a', 4], ['unused', 8], ['b', 4]]), desc([['a', 4], ['x', 4], ['y', 4], ['b', 4]])).findings).toEqual([]);
    expect(staticCheck(desc([['a', 4], ['x', 4], ['y', 4], ['b', 4]]), desc([['a', 4], ['unused', 8], ['b', 4]])).findings).toEqual([]);
  });

  it('unused padding that does not add up', () => {
    const r = staticCheck(desc([['a', 4], ['unused', 8], ['b', 4]]), desc([['a', 4], ['x', 4], ['y', 8], ['b', 4]]));
    expect(errors(r)).toEqual(['Section "dev", Description "dev": unused size mismatch near "y"']);
  });

  it('known renames (e1000: dev -> parent_obj) are not errors', () => {
    const src = copy(q35);
    src.e1000.Description.Fields[0].field = 'dev';
    expect(staticCheck(src, q35).findings).toEqual([]);
  });

  it('fields moved into a substruct keep the wire format', () => {
    const flat = desc([['a', 4], ['b', 4], ['c', 4]]);
    const nested = copy(flat);
    nested.dev.Description.Fields = [
      { field: 'a', version_id: 0, field_exists: false, size: 4 },
      { field: 'inner', version_id: 0, field_exists: false, size: 8, Description: { name: 'inner', version_id: 1, Fields: [{ field: 'b', version_id: 0, field_exists: false, size: 4 }, { field: 'c', version_id: 0, field_exists: false, size: 4 }] } },
    ];
    expect(staticCheck(flat, nested).findings).toEqual([]);
    expect(staticCheck(nested, flat).findings).toEqual([]);
  });
});
