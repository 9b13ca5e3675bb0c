import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { DestinationPool } from '../../harness/targets/qemu-pool.js';
import { liveQemuPids } from '../../harness/targets/qemu-registry.js';
import { loadIntoQemu } from '../../harness/targets/qemu-target.js';
import { QEMU_EVENT_LIMIT_MS, describeQemu, isAlive, q35ProcessSuite, waitFor } from './qemu-env.js';

/**
 * The destination pool: loads through it get the verdicts a fresh
 * destination gives, it stays within its bound, and every QEMU it started is
 * gone after close(), after its idle time, or when its Node process ends.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const spec = { machine: 'pc-q35-7.2' };

describeQemu(
  'real QEMU target: destination pool',
  (qemu) => {
    const { tmpRoot, stream } = q35ProcessSuite(qemu, 'mc-pool-');

    it('gives the verdicts a fresh destination gives, accepted and refused', async () => {
      const pool = new DestinationPool({ qemuPath: qemu, spec, tmpRoot });
      const badMagic = stream.slice();
      badMagic[2] = badMagic[2]! ^ 0xff;
      const truncated = stream.subarray(0, 4096);
      try {
        for (const bytes of [stream, badMagic, truncated]) {
          const [pooled, fresh] = [await pool.load(bytes), await loadIntoQemu(qemu, spec, bytes, { tmpRoot })];
          expect(pooled.verdict).toEqual(fresh.verdict);
        }
        expect((await pool.load(stream)).verdict).toEqual({ kind: 'accepted' });
        expect((await pool.load(badMagic)).verdict).toMatchObject({ kind: 'refused', code: 'stream.bad-magic' });
      } finally {
        await pool.close();
      }
      expect(liveQemuPids()).toEqual([]);
      expect(readdirSync(tmpRoot)).toEqual([]);
    });

    it('starts at most `size` ahead, and close() kills them and removes their dirs', async () => {
      const pool = new DestinationPool({ qemuPath: qemu, spec, tmpRoot, size: 2, idleMs: 60_000 });
      await pool.load(stream);
      expect(pool.pending).toBe(2);
      await pool.fill();
      expect(pool.waiting).toBe(2);
      const pids = liveQemuPids();
      expect(pids).toHaveLength(2);
      expect(readdirSync(tmpRoot)).toHaveLength(2);
      await pool.close();
      expect(liveQemuPids()).toEqual([]);
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
      expect(readdirSync(tmpRoot)).toEqual([]);
      await expect(pool.take()).rejects.toThrow(/closed/);
    });

    it('never hands out a destination that died while waiting', async () => {
      const pool = new DestinationPool({ qemuPath: qemu, spec, tmpRoot, size: 1, idleMs: 60_000 });
      try {
        await pool.fill();
        const [pid] = liveQemuPids();
        process.kill(pid!, 'SIGKILL');
        expect(await waitFor(() => (isAlive(pid!) ? undefined : true), QEMU_EVENT_LIMIT_MS)).toBe(true);
        await new Promise((r) => setTimeout(r, 50)); // the exit event reaches the process
        expect((await pool.load(stream)).verdict).toEqual({ kind: 'accepted' });
      } finally {
        await pool.close();
      }
      expect(readdirSync(tmpRoot)).toEqual([]);
    });

    it('kills destinations nobody takes within idleMs', async () => {
      // Each idles from its own arrival: the limit must outlast the gap between the two starts under load (200 ms did not at load 12).
      const pool = new DestinationPool({ qemuPath: qemu, spec, tmpRoot, size: 2, idleMs: 1_500 });
      await pool.fill();
      expect(pool.waiting).toBe(2);
      expect(await waitFor(() => (liveQemuPids().length === 0 ? true : undefined), QEMU_EVENT_LIMIT_MS)).toBe(true);
      expect(pool.waiting).toBe(0);
      expect(await waitFor(() => (readdirSync(tmpRoot).length === 0 ? true : undefined), QEMU_EVENT_LIMIT_MS)).toBe(true);
      await pool.close();
    });

    it('reports a QEMU that cannot start as a harness error in its words, and stops starting ahead', async () => {
      const pool = new DestinationPool({ qemuPath: qemu, spec: { machine: 'no-such-machine' }, tmpRoot });
      try {
        const r = await pool.load(stream);
        expect(r.verdict.kind).toBe('harness-error');
        expect(r.verdict.kind === 'harness-error' && r.verdict.message).toContain('unsupported machine type');
        await pool.fill();
        expect(pool.pending).toBe(0);
      } finally {
        await pool.close();
      }
      expect(readdirSync(tmpRoot)).toEqual([]);
    });

    // The built module (npm test builds first); a stale or missing dist skips rather than tests old code.
    const built = join(ROOT, 'dist/harness/targets/qemu-pool.js');
    const fresh = existsSync(built) && statSync(built).mtimeMs >= statSync(join(ROOT, 'harness/targets/qemu-pool.ts')).mtimeMs;

    it.skipIf(!fresh).each([['forked', {}], ['exec', { zygote: false }]])('lets a program await close() to its end (%s): the QEMUs it kills are awaited while nothing else keeps Node alive', async (_, mode) => {
      // close() awaits the exits of destinations that waited unref'd; if they stay unref'd, the loop drains
      // first and Node ends mid-await (exit code 13 for a top-level await, silently 0 for a .then chain).
      const script = `
        const { DestinationPool } = await import(${JSON.stringify(built)});
        const pool = new DestinationPool({ qemuPath: ${JSON.stringify(qemu)}, spec: { machine: 'pc-q35-7.2' }, tmpRoot: ${JSON.stringify(tmpRoot)}, idleMs: 600000, ...${JSON.stringify(mode)} });
        await pool.fill();
        await pool.close();
        process.stdout.write('closed');
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect({ code, out }).toEqual({ code: 0, out: 'closed' });
      expect(readdirSync(tmpRoot).filter((n) => n !== 'child')).toEqual([]);
    });

    it.skipIf(!fresh)('does not keep a finished program alive; its exit takes the waiting QEMUs along', async () => {
      const childRoot = join(tmpRoot, 'child');
      const registry = join(ROOT, 'dist/harness/targets/qemu-registry.js');
      const script = `
        const { DestinationPool } = await import(${JSON.stringify(built)});
        const { liveQemuPids } = await import(${JSON.stringify(registry)});
        const { mkdirSync } = await import('node:fs');
        mkdirSync(${JSON.stringify(childRoot)}, { recursive: true });
        const pool = new DestinationPool({ qemuPath: ${JSON.stringify(qemu)}, spec: { machine: 'pc-q35-7.2' }, tmpRoot: ${JSON.stringify(childRoot)}, idleMs: 600000 });
        await pool.fill();
        process.stdout.write(JSON.stringify({ waiting: pool.waiting, pids: liveQemuPids() }));
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(0);
      const { waiting, pids } = JSON.parse(out) as { waiting: number; pids: number[] };
      expect(waiting).toBe(2);
      expect(pids).toHaveLength(2);
      // The registry's exit hook SIGKILLs them synchronously; the kernel reaps them just after.
      for (const pid of pids) expect(await waitFor(() => (isAlive(pid) ? undefined : true), QEMU_EVENT_LIMIT_MS)).toBe(true);
      expect(readdirSync(childRoot)).toEqual([]);
    });
  },
  { series: '7.2' },
);
