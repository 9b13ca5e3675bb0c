import { readFileSync, readdirSync } from 'node:fs';
import { expect, it, vi } from 'vitest';
import { liveQemuPids } from '../../harness/targets/qemu-registry.js';
import { destinationZygote, loadInto, loadIntoQemu, startDestination } from '../../harness/targets/qemu-target.js';
import { QemuZygote } from '../../harness/targets/qemu-zygote.js';
import { QEMU_EVENT_LIMIT_MS, describeQemu, q35ProcessSuite } from './qemu-env.js';

/**
 * The zygote (qemu-zygote.ts): destinations forked from it are children of
 * one QEMU stopped at its late fork point, and give the verdicts exec'd ones give
 * (stderr lines included: the refusal messages come from them); when it
 * dies, what it had forked is a harness error, never a finding; close()
 * leaves nothing behind.
 */

const spec = { machine: 'pc-q35-7.2' };

function parentOf(pid: number): number {
  // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its ')'.
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
}

describeQemu(
  'real QEMU target: destination zygote',
  (qemu) => {
    const { tmpRoot, stream } = q35ProcessSuite(qemu, 'mc-zygote-');

    it('forks destinations that give the verdicts and messages of spawned ones', async () => {
      const zygote = await destinationZygote(qemu, spec);
      expect(zygote).toBeInstanceOf(QemuZygote);
      // 7.2 gets to the late fork point (qemu-zygote.c): the children skip QOM type registration and class init too.
      expect(zygote!.forkPoint).toBe('late');
      const badMagic = stream.slice();
      badMagic[2] = badMagic[2]! ^ 0xff;
      const noConfig = stream.slice(0, 8); // magic and version, then EOF: 7.2 wants its configuration section first
      try {
        for (const bytes of [stream, badMagic, noConfig, stream.subarray(0, 4096)]) {
          const forked = await startDestination(qemu, spec, tmpRoot, zygote);
          expect(parentOf(forked.pid)).toBe(zygote!.pid);
          const [a, b] = [await loadInto(forked, bytes), await loadIntoQemu(qemu, spec, bytes, { tmpRoot })];
          expect(a.verdict).toEqual(b.verdict);
          expect(a.log).toEqual(b.log);
        }
      } finally {
        await zygote?.close();
      }
      expect(liveQemuPids()).toEqual([]);
      expect(readdirSync(tmpRoot)).toEqual([]);
    });

    it('makes what it had forked a harness error when it dies, and forks no more', async () => {
      const zygote = (await destinationZygote(qemu, spec))!;
      const forked = await startDestination(qemu, spec, tmpRoot, zygote);
      process.kill(zygote.pid, 'SIGKILL');
      // Load once Node has seen the zygote go: its children die with it (PR_SET_PDEATHSIG), but on a
      // loaded machine a zygote not yet scheduled to die left the child time to load the stream and
      // report MIGRATION completed, QEMU's own verdict, not the lost exit this test is about.
      await vi.waitFor(() => expect(zygote.alive).toBe(false), { timeout: QEMU_EVENT_LIMIT_MS, interval: 10 });
      const r = await loadInto(forked, stream);
      expect(r.verdict).toMatchObject({ kind: 'harness-error', message: expect.stringContaining('qemu-zygote exited') });
      expect(zygote.alive).toBe(false);
      await expect(startDestination(qemu, spec, tmpRoot, zygote)).rejects.toThrow(/qemu-zygote exited/);
      await zygote.close();
      expect(readdirSync(tmpRoot)).toEqual([]);
    });

    it('is not used for a binary the shim cannot wrap (static: it runs instead of serving)', async () => {
      // ldconfig is static-pie on Debian: LD_PRELOAD does not apply, it prints the cache and exits.
      expect(await QemuZygote.start('/sbin/ldconfig', ['-p'])).toBeUndefined();
    });

    it('is not used when MIGCOMPAT_QEMU_ZYGOTE=0', async () => {
      process.env.MIGCOMPAT_QEMU_ZYGOTE = '0';
      try {
        expect(await destinationZygote(qemu, spec)).toBeUndefined();
      } finally {
        delete process.env.MIGCOMPAT_QEMU_ZYGOTE;
      }
    });
  },
  { series: '7.2' },
);
