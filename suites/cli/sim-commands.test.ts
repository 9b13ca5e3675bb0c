/**
 * The --build paths of the CLI, run as a user runs them (the built binary):
 * exit 0 accepted / success, 1 refused, 2 usage (unknown build, machine or
 * device), and "refused: <code>: <message>" on stderr.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'migcompat-sim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('migcompat builds', () => {
  it('--json lists every build with machine types and modelled devices', async () => {
    const r = await runCli(['builds', '--json']);
    expect(r.exitCode).toBe(0);
    const builds = JSON.parse(r.stdout) as { version: string; machines: string[]; modelledDevices: string[] }[];
    const b72 = builds.find((b) => b.version === '7.2')!;
    expect(b72.machines).toContain('pc-q35-7.2');
    expect(b72.modelledDevices).toContain('vmgenid');
    // vmgenid arrived in 2.9 (catalog v2.9.ts).
    expect(builds.find((b) => b.version === '2.6')!.modelledDevices).not.toContain('vmgenid');
  });

  it('prints one line per build without --json', async () => {
    const r = await runCli(['builds']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^7\.2 .*pc-q35-7\.2|7\.2 .*machine types/m);
  });
});

describe('migcompat save / load --build', () => {
  const out = join(tmp, 'q35-e1000.bin');

  it('save writes a stream (exit 0)', async () => {
    const r = await runCli(['save', '--build', '7.2', '--machine', 'pc-q35-7.2', '--device', 'e1000', '--seed', '3', '-o', out]);
    expect(r.stderr).toMatch(/saved \d+ bytes from sim:7\.2 pc-q35-7\.2/);
    expect(r.exitCode).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(100_000);
  });

  it('load into the same configuration: accepted (exit 0)', async () => {
    const r = await runCli(['load', '--build', '8.0', '--machine', 'pc-q35-7.2', '--device', 'e1000', out]);
    expect(r.stderr.trim()).toBe('accepted');
    expect(r.exitCode).toBe(0);
  });

  it('load without the NIC: refused with QEMU wording (exit 1)', async () => {
    const r = await runCli(['load', '--build', '7.2', '--machine', 'pc-q35-7.2', out]);
    expect(r.stderr.trim()).toBe('refused: ram.unknown-block: Unknown ramblock "0000:00:01.0/e1000.rom", cannot accept migration');
    expect(r.exitCode).toBe(1);
  });

  it('load --json gives the verdict on stdout', async () => {
    const r = await runCli(['load', '--json', '--build', '7.2', '--machine', 'pc-q35-7.1', '--device', 'e1000', out]);
    expect(r.exitCode).toBe(1);
    const v = JSON.parse(r.stdout) as { verdict: { kind: string; code: string } };
    expect(v.verdict).toMatchObject({ kind: 'refused', code: 'stream.machine-mismatch' });
  });

  it('unknown build, machine type or device: exit 2', async () => {
    expect((await runCli(['save', '--build', '6.6', '--machine', 'pc-q35-7.2', '-o', join(tmp, 'x.bin')])).exitCode).toBe(2);
    expect((await runCli(['save', '--build', '7.2', '--machine', 'pc-q35-9.9', '-o', join(tmp, 'x.bin')])).exitCode).toBe(2);
    const r = await runCli(['load', '--build', '2.6', '--machine', 'pc-i440fx-2.6', '--device', 'vmgenid', out]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/build 2\.6 has no device 'vmgenid'/);
  });
});

describe('migcompat migrate', () => {
  it('7.2 -> 8.0 on pc-q35-7.2: accepted with equal state (exit 0)', async () => {
    const r = await runCli(['migrate', '--from', '7.2', '--to', '8.0', '--machine', 'pc-q35-7.2', '--device', 'e1000']);
    expect(r.stdout).toMatch(/accepted: 7\.2 -> 8\.0 pc-q35-7\.2, \d+ bytes, guest-visible state equal/);
    expect(r.exitCode).toBe(0);
  });

  it('--json: verdict, stream size, state equality', async () => {
    const r = await runCli(['migrate', '--json', '--from', '4.2', '--to', '7.2', '--machine', 'pc-i440fx-4.2']);
    expect(r.exitCode).toBe(0);
    const v = JSON.parse(r.stdout) as { verdict: { kind: string }; stateEqual: boolean; streamBytes: number };
    expect(v.verdict.kind).toBe('accepted');
    expect(v.stateEqual).toBe(true);
    expect(v.streamBytes).toBeGreaterThan(0);
  });

  it('a destination build without the machine type: exit 2', async () => {
    const r = await runCli(['migrate', '--from', '7.2', '--to', '2.0', '--machine', 'pc-q35-7.2']);
    expect(r.exitCode).toBe(2);
  });
});
