import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { liveQemuPids, sweepStaleTempDirs } from '../../harness/targets/qemu-registry.js';
import { QemuTarget, loadInto, loadIntoQemu, startDestination } from '../../harness/targets/qemu-target.js';
import { withQemuSlot } from '../../harness/targets/qemu-slots.js';
import { QEMU_EVENT_LIMIT_MS, QEMU_SERIES, QEMU_SLOT_WAIT_MS, describeQemu, isAlive, q35ProcessSuite, waitFor } from './qemu-env.js';

/**
 * The target's promises about processes: a stalled load is a `hang`, a QEMU
 * killed by a signal is a `crash`, a QEMU that cannot start is a
 * `harness-error`, and whatever happens no QEMU and no temp dir is left,
 * even when the Node process driving it is killed.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const spec = { machine: 'pc-q35-7.2' };
const seenPids = new Set<number>();

/** QEMU children of `pid` (QEMU runs under setpriv, which execs, so it is a direct child). */
function qemuChildren(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid), 'qemu-system'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describeQemu('real QEMU target: process lifecycle', (qemu) => {
  const { tmpRoot, stream } = q35ProcessSuite(qemu, 'mc-life-');

  it('is a Target: save then load through the interface', async () => {
    const target = new QemuTarget(qemu);
    expect(target.id).toBe(`qemu:${qemu}`);
    const saved = await target.save(spec);
    if (!saved.ok) throw new Error(saved.verdict.message);
    const loaded = await target.load(spec, saved.stream);
    expect(loaded.verdict).toEqual({ kind: 'accepted' });
  });

  it('classifies a source that stalls mid-stream as a hang and cleans up', async () => {
    // The 800 ms run from the moment the stream is written (start-up is not counted) and a
    // stalled stream never gets a verdict, so load on the machine cannot turn this into a pass or a failure.
    // The QEMU appears once the load has a slot (queued behind other files' QEMUs) and has spawned it.
    const watch = waitFor(() => liveQemuPids()[0], QEMU_SLOT_WAIT_MS + QEMU_EVENT_LIMIT_MS);
    const r = await loadIntoQemu(qemu, spec, stream.subarray(0, 4096), { keepOpen: true, timeoutMs: 800, tmpRoot });
    const pid = await watch;
    expect(pid).toBeDefined();
    seenPids.add(pid!);
    expect(r.verdict).toEqual({ kind: 'hang', message: 'no migration verdict within 800 ms' });
    expect(isAlive(pid!)).toBe(false);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('classifies a QEMU killed by a signal as a crash', async () => {
    // The signal is sent once QEMU reports the incoming migration `active` (7.2's
    // process_incoming_migration_co sets ACTIVE just before qemu_loadvm_state), so it lands
    // in the load, waiting for the rest of a stalled stream, however slowly QEMU started;
    // a fixed sleep sent it during start-up on a loaded machine (then a harness error).
    const r = await withQemuSlot(async () => {
      const dest = await startDestination(qemu, spec, tmpRoot);
      seenPids.add(dest.pid);
      const load = loadInto(dest, stream.subarray(0, 4096), { keepOpen: true, timeoutMs: QEMU_EVENT_LIMIT_MS });
      const active = await dest.qmp
        .waitForEvent((ev) => ev.event === 'MIGRATION' && ev.data?.status === 'active', QEMU_EVENT_LIMIT_MS)
        .catch((e: unknown) => e as Error);
      if (active instanceof Error) {
        await load; // ends as a hang (or an early exit) and removes the QEMU
        throw active;
      }
      process.kill(dest.pid, 'SIGSEGV');
      return load;
    });
    expect(r.verdict).toMatchObject({ kind: 'crash', signal: 'SIGSEGV' });
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('reports an unknown machine type as a harness error with QEMU\'s words', async () => {
    const r = await loadIntoQemu(qemu, { machine: 'no-such-machine' }, stream, { tmpRoot });
    expect(r.verdict.kind).toBe('harness-error');
    expect(r.verdict.kind === 'harness-error' && r.verdict.message).toContain("unsupported machine type");
    expect(readdirSync(tmpRoot)).toEqual([]);
    const saved = await new QemuTarget(qemu).save({ machine: 'no-such-machine' });
    expect(saved.ok).toBe(false);
  });

  it.skipIf(QEMU_SERIES !== '7.2')('reports a bad -device as a harness error in QEMU\'s words, even when QEMU fails after connecting to QMP', async () => {
    const saved = await new QemuTarget(qemu).save({ machine: 'pc-q35-7.2', devices: ['ivshmem-plain,memdev=hmem'] });
    expect(saved.ok).toBe(false);
    expect(!saved.ok && saved.verdict).toEqual({ kind: 'harness-error', message: "QEMU exited (exit code 1): -device ivshmem-plain,memdev=hmem: Device 'hmem' not found" });
  });

  it.skipIf(QEMU_SERIES !== '7.2')('classifies a migration blocker on the source as refused', async () => {
    // hw/misc/ivshmem.c: a non-master ivshmem registers this blocker; QMP migrate fails with it.
    const saved = await new QemuTarget(qemu).save({
      machine: 'pc-q35-7.2',
      objects: ['memory-backend-ram,id=hmem,size=4M,share=on'],
      devices: ['ivshmem-plain,memdev=hmem'],
    });
    expect(!saved.ok && saved.verdict).toEqual({
      kind: 'refused',
      code: 'qemu.migration-blocked',
      message: "Migration is disabled when using feature 'peer mode' in device 'ivshmem'",
    });
  });

  it('reports a missing binary as a harness error', async () => {
    const r = await loadIntoQemu('/nonexistent/qemu-system-x86_64', spec, stream, { tmpRoot });
    expect(r.verdict.kind).toBe('harness-error');
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it.skipIf(QEMU_SERIES !== '7.2')('prints warnings on a successful load and still says accepted', async () => {
    // QEMU 7.2 warns "Expected vmdescription section, but got 0" when the vmdesc is missing,
    // and accepts: the verdict must come from the MIGRATION event, not from stderr.
    const map = (await import('./stream-map.js')).mapStream(stream);
    const r = await loadIntoQemu(qemu, spec, stream.subarray(0, map.eofOffset + 1), { tmpRoot });
    expect(r.verdict).toEqual({ kind: 'accepted' });
    expect(r.log).toContain('qemu-system-x86_64: Expected vmdescription section, but got 0');
  });

  // The built CLI path (npm test builds first); a stale or missing dist skips rather than tests old code.
  const built = join(ROOT, 'dist/harness/targets/qemu-target.js');
  const fresh = existsSync(built) && statSync(built).mtimeMs >= statSync(join(ROOT, 'harness/targets/qemu-target.ts')).mtimeMs;

  describe.skipIf(!fresh)('when the Node process driving QEMU dies', () => {
    const childRoot = join(tmpRoot, 'child');
    const script = `
      const { loadIntoQemu } = await import(${JSON.stringify(built)});
      const { mkdirSync } = await import('node:fs');
      mkdirSync(${JSON.stringify(childRoot)}, { recursive: true });
      await loadIntoQemu(${JSON.stringify(qemu)}, { machine: 'pc-q35-7.2' }, new Uint8Array([0x51, 0x45, 0x56, 0x4d, 0, 0, 0, 3]),
        { keepOpen: true, timeoutMs: 60000, tmpRoot: ${JSON.stringify(childRoot)} });
    `;
    it.each(['SIGKILL', 'SIGTERM'] as const)('QEMU goes with it (%s)', async (signal) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'inherit'] });
      const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (c, s) => r(s ?? (String(c) as NodeJS.Signals))));
      // The child starts Node, imports dist/, may queue for a QEMU slot, then spawns QEMU: seconds on a loaded machine.
      const qemuPid = await waitFor(() => qemuChildren(child.pid!)[0], QEMU_SLOT_WAIT_MS + QEMU_EVENT_LIMIT_MS);
      expect(qemuPid).toBeDefined();
      seenPids.add(qemuPid!);
      child.kill(signal);
      // Killed by the signal, or (when the re-raised signal lost a race with the event loop draining) 128 + 15.
      expect([signal, signal === 'SIGTERM' ? '143' : signal]).toContain(await exited);
      // SIGKILL: the kernel's parent-death signal (setpriv --pdeathsig); SIGTERM: the registry.
      const gone = await waitFor(() => (isAlive(qemuPid!) ? undefined : true), QEMU_EVENT_LIMIT_MS);
      expect(gone).toBe(true);
      if (signal === 'SIGTERM') {
        // The registry removed the temp dir on the way out.
        expect(readdirSync(childRoot)).toEqual([]);
      } else {
        // Nothing runs after SIGKILL; the next start sweeps the dead owner's dir.
        expect(readdirSync(childRoot)).toHaveLength(1);
        expect(sweepStaleTempDirs(childRoot)).toBe(1);
        expect(readdirSync(childRoot)).toEqual([]);
      }
    });
  });

  it('leaves no QEMU behind', () => {
    expect(liveQemuPids()).toEqual([]);
    expect(qemuChildren(process.pid)).toEqual([]);
    for (const pid of seenPids) expect(isAlive(pid)).toBe(false);
    expect(seenPids.size).toBeGreaterThan(0);
  });
});
