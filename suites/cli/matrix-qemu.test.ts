/**
 * Real QEMU joins the matrix (`--qemu`): the installed 7.2 binary is a
 * build named by its version; cells between it and the simulated 7.2 build
 * carry simulated streams into real QEMU and real streams into the
 * simulator. One QEMU at a time (the target's slots).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const QEMU = '/usr/bin/qemu-system-x86_64';
const tmp = mkdtempSync(join(tmpdir(), 'migcompat-matrix-qemu-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!existsSync(QEMU))('migcompat matrix --qemu', () => {
  it('simulated 7.2 and real QEMU 7.2 migrate pc-q35-7.2 both ways', async () => {
    const out = join(tmp, 'q');
    const r = await runCli(['matrix', '--qemu', QEMU, '--builds', '7.2', '--machines', 'pc-q35-7.2', '--out', out, '--no-progress'], { timeoutMs: 180_000 });
    expect(r.exitCode).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    const real = result.builds.find((b: { kind: string }) => b.kind === 'qemu');
    expect(real.name).toMatch(/^qemu-7\.2\.\d+$/);
    expect(real.catalogVersion).toBe('7.2');
    const ids = result.cells.map((c: { id: string }) => c.id);
    expect(ids).toEqual([
      'pc-q35-7.2:7.2>7.2',
      `pc-q35-7.2:7.2>${real.name}`,
      `pc-q35-7.2:${real.name}>7.2`,
      `pc-q35-7.2:7.2>${real.name}>7.2`,
      `pc-q35-7.2:${real.name}>${real.name}`,
    ]);
    expect(result.totals.pass).toBe(5);
    // Streams really crossed: the real binary's are its own size, not the simulator's.
    expect(result.cells.every((c: { streamBytes: number }) => c.streamBytes > 100_000)).toBe(true);
  }, 200_000);
});
