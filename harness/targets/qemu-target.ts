import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { QmpError, type QmpCommand, type QmpEvent } from '../qmp/index.js';
import { classifyQemuRefusal } from './qemu-classify.js';
import { ramBlocks, type RamBlockInfo } from './qemu-info.js';
import {
  QemuProcess,
  QemuStartError,
  acceptOne,
  describeExit,
  listenUnix,
  deadline,
  qemuArgs,
  QMP_SOCKET,
  type QemuExit,
} from './qemu-process.js';
import { QemuZygote } from './qemu-zygote.js';
import { withQemuSlot } from './qemu-slots.js';
import type { LoadOptions, LoadOutcome, MachineSpec, SaveOptions, SaveOutcome, Target, Verdict } from './target.js';

/**
 * Real QEMU as a target. The stream travels over unix sockets only (never an
 * `exec:` URI, which would run a shell): as source we listen and QEMU
 * connects; as destination QEMU listens (`migrate-incoming`) and we connect,
 * write the bytes and half-close.
 *
 * The verdict comes from QMP MIGRATION events and the exit status, never from
 * stderr alone: QEMU prints warnings on loads that succeed, and a failed load
 * in 7.2 exits 1 after printing `load of migration failed: ...`.
 */

export const DEFAULT_LOAD_TIMEOUT_MS = 30_000;
export const DEFAULT_SAVE_TIMEOUT_MS = 60_000;

/** QEMU-specific knobs on top of the generic load options. */
export interface QemuLoadOptions extends LoadOptions {
  /**
   * Keep the stream connection open after writing, as a stalled source would;
   * QEMU then waits for more bytes and the load ends as a `hang`.
   */
  keepOpen?: boolean;
  /** Parent of the private temp dir (default: qemu-process.ts defaultTempRoot). */
  tmpRoot?: string;
  /** After an accepted load, read the destination's `info ramblock` (to see resizes). */
  withRamBlocks?: boolean;
}

export interface QemuLoadOutcome extends LoadOutcome {
  /** The destination's `info ramblock` after an accepted load, when asked for. */
  ramBlocks?: RamBlockInfo[];
}

export interface QemuSaveOptions extends SaveOptions {
  tmpRoot?: string;
  /**
   * Source `max-bandwidth` in bytes/s. QEMU 7.2 defaults to 128 MiB/s, which
   * makes a large guest with non-zero RAM slow to capture; unset keeps QEMU's
   * default so the stream is chunked exactly as a default migration is.
   */
  maxBandwidth?: number;
}

export interface CaptureResult {
  stream: Uint8Array;
  /** `info ramblock` on the source after the migration. */
  ramBlocks: RamBlockInfo[];
  log: string[];
  durationMs: number;
}

/** The source refused to migrate at all (a migration blocker): QMP `migrate` answered with an error. */
export class QemuMigrateRefused extends Error {
  override readonly name = 'QemuMigrateRefused';
  readonly log: string[];
  constructor(message: string, log: string[]) {
    super(message);
    this.log = log;
  }
}

const isMigration = (status: string) => (ev: QmpEvent) => ev.event === 'MIGRATION' && ev.data?.status === status;

async function enableMigrationEvents(qemu: QemuProcess): Promise<void> {
  await qemu.qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'events', state: true }] });
}

/**
 * Boots `spec` paused (-S), migrates it to a socket we listen on, reads the
 * stream to EOF. Throws QemuStartError when QEMU cannot start the machine and
 * Error on timeouts or a failed migration; `QemuTarget.save` turns those into verdicts.
 */
export async function captureStream(qemuPath: string, spec: MachineSpec, opts: QemuSaveOptions = {}): Promise<CaptureResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SAVE_TIMEOUT_MS;
  return withQemuSlot(async () => {
    const started = Date.now();
    const qemu = await QemuProcess.start({ qemuPath, spec, extraArgs: ['-S'], ...(opts.tmpRoot ? { tmpRoot: opts.tmpRoot } : {}) });
    try {
      await enableMigrationEvents(qemu);
      if (opts.maxBandwidth !== undefined) await qemu.qmp.execute('migrate-set-parameters', { 'max-bandwidth': opts.maxBandwidth });
      const path = join(qemu.dir, 'out.sock');
      const server = await listenUnix(path);
      try {
        const accepted = acceptOne(server);
        await qemu.qmp.execute('migrate', { uri: `unix:${path}` }).catch((e: unknown) => {
          throw e instanceof QmpError && e.errorClass !== 'closed' && e.errorClass !== 'timeout' ? new QemuMigrateRefused(e.message, qemu.log) : e;
        });
        const read = accepted.then(readToEnd);
        read.catch(() => undefined); // if another branch wins the race, a late socket error is not unhandled
        const failed = orNever(qemu.qmp.waitForEvent(isMigration('failed'), timeoutMs)).then(() => 'failed' as const);
        const died = qemu.exited.then(() => 'died' as const);
        const stream = await Promise.race([read, failed, died, deadline(timeoutMs).then(() => 'timeout' as const)]);
        if (stream === 'failed') throw new Error(`QEMU migration out failed: ${qemu.errorLines().join(' / ')}`);
        if (stream === 'died') throw new Error(`QEMU exited while migrating out: ${qemu.errorLines().join(' / ')}`);
        if (stream === 'timeout') throw new Error(`QEMU did not finish migrating out within ${timeoutMs} ms`);
        await qemu.qmp.waitForEvent(isMigration('completed'), timeoutMs);
        const blocks = await ramBlocks(qemu.qmp);
        return { stream, ramBlocks: blocks, log: qemu.log, durationMs: Date.now() - started };
      } finally {
        server.close();
      }
    } finally {
      await qemu.quit();
    }
  });
}

const IN_SOCKET = 'in.sock';

/**
 * The QMP commands that arm a destination started with `-incoming defer`:
 * events on, then listen on `in.sock` in its dir, named relative to QEMU's
 * working directory when that is the dir (a zygote's child: qemu-zygote.c
 * chdirs there), 38 bytes fewer for QEMU to read one at a time (qmp-client.ts).
 */
export function incomingPipeline(dir: string, cwdIsDir = false): QmpCommand[] {
  return [
    { execute: 'migrate-set-capabilities', arguments: { capabilities: [{ capability: 'events', state: true }] } },
    { execute: 'migrate-incoming', arguments: { uri: `unix:${cwdIsDir ? IN_SOCKET : incomingSocket(dir)}` } },
  ];
}

export function incomingSocket(dir: string): string {
  return join(dir, IN_SOCKET);
}

/** Starts a destination with `-incoming defer`, feeds it `stream` and classifies what happened. */
export async function loadIntoQemu(qemuPath: string, spec: MachineSpec, stream: Uint8Array, opts: QemuLoadOptions = {}): Promise<QemuLoadOutcome> {
  return withQemuSlot(async () => {
    const started = Date.now();
    let qemu: QemuProcess;
    try {
      qemu = await startDestination(qemuPath, spec, opts.tmpRoot);
    } catch (e) {
      return startFailure(e, started);
    }
    return loadInto(qemu, stream, opts, started);
  });
}

/**
 * A destination waiting for its stream: `-S -incoming defer` (-S keeps it
 * paused after a completed load: nothing runs the guest), QMP negotiated, the
 * events capability on and `migrate-incoming` sent in the same burst. Their
 * replies are awaited by the load, whose verdict a failure there belongs to.
 */
export function startDestination(qemuPath: string, spec: MachineSpec, tmpRoot?: string, zygote?: QemuZygote): Promise<QemuProcess> {
  return QemuProcess.start({
    qemuPath,
    spec,
    extraArgs: DESTINATION_ARGS,
    pipeline: (dir) => incomingPipeline(dir, zygote !== undefined),
    ...(tmpRoot ? { tmpRoot } : {}),
    ...(zygote ? { zygote } : {}),
  });
}

const DESTINATION_ARGS = ['-S', '-incoming', 'defer'];

/** A zygote that forks destinations for `spec` (`startDestination`'s argv, QMP socket relative), or undefined where there is none. */
export function destinationZygote(qemuPath: string, spec: MachineSpec): Promise<QemuZygote | undefined> {
  return QemuZygote.start(qemuPath, qemuArgs(spec, DESTINATION_ARGS, QMP_SOCKET));
}

/**
 * Feeds `stream` to a destination from `startDestination` and classifies what
 * happened; the destination is gone (killed if still alive) when this resolves.
 */
export async function loadInto(qemu: QemuProcess, stream: Uint8Array, opts: QemuLoadOptions = {}, started = Date.now()): Promise<QemuLoadOutcome> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  try {
    for (const reply of qemu.replies) await reply;
    const socket = await connectUnix(incomingSocket(qemu.dir));
    if (opts.keepOpen) {
      socket.on('error', () => undefined);
      socket.write(stream);
    } else sendAndHalfClose(socket, stream);
    const verdict = await awaitLoadVerdict(qemu, timeoutMs);
    socket.destroy();
    const durationMs = Date.now() - started;
    if (verdict.kind === 'accepted' && opts.withRamBlocks) {
      return { verdict, durationMs, log: qemu.log, ramBlocks: await ramBlocks(qemu.qmp) };
    }
    return { verdict, durationMs, log: qemu.log };
  } catch (e) {
    // A setup step (QMP, the stream socket) failing because QEMU died under
    // us is QEMU's verdict, not ours: a signal is a crash whatever the phase.
    const exit = await Promise.race([qemu.exited, deadline(1_000).then(() => undefined)]);
    if (exit) await qemu.settled();
    const verdict: Verdict = exit ? refusalFromExit(qemu, exit) : { kind: 'harness-error', message: (e as Error).message };
    return { verdict, durationMs: Date.now() - started, log: qemu.log };
  } finally {
    // The verdict is decided: a clean `quit` would only cost QEMU's teardown.
    await qemu.kill();
  }
}

/** Completed event means accepted; process exit or a failed event means refused/crash; neither in time is a hang. */
async function awaitLoadVerdict(qemu: QemuProcess, timeoutMs: number): Promise<Verdict> {
  const outcome = await Promise.race([
    orNever(qemu.qmp.waitForEvent(isMigration('completed'), timeoutMs)).then(() => ({ completed: true as const })),
    orNever(qemu.qmp.waitForEvent(isMigration('failed'), timeoutMs)).then(() => ({ failed: true as const })),
    qemu.exited.then((exit) => ({ exit })),
    deadline(timeoutMs).then(() => ({ pending: true as const })),
  ]);
  if ('completed' in outcome) return confirmCompleted(qemu);
  if ('failed' in outcome) {
    // 7.2 exits right after reporting the failure; wait briefly for the exit and its last lines.
    const exit = await Promise.race([qemu.exited, deadline(5_000).then(() => undefined)]);
    await qemu.settled();
    return refusalFromExit(qemu, exit ?? { exitCode: 1 });
  }
  if ('exit' in outcome) {
    await qemu.settled();
    return refusalFromExit(qemu, outcome.exit);
  }
  return { kind: 'hang', message: `no migration verdict within ${timeoutMs} ms` };
}

/** A QMP wait that fails (socket closed when QEMU exits, or timed out) must not win a race: the exit or the clock decides then. */
function orNever<T>(p: Promise<T>): Promise<T> {
  return p.catch(() => new Promise<T>(() => undefined));
}

async function confirmCompleted(qemu: QemuProcess): Promise<Verdict> {
  const info = await qemu.qmp.execute<{ status?: string }>('query-migrate').catch(() => undefined);
  if (info && info.status !== 'completed') {
    return { kind: 'harness-error', message: `MIGRATION completed event but query-migrate says ${info.status ?? 'nothing'}` };
  }
  return { kind: 'accepted' };
}

function refusalFromExit(qemu: QemuProcess, exit: QemuExit): Verdict {
  if (exit.lost) return { kind: 'harness-error', message: exit.lost };
  const lines = qemu.errorLines();
  if (exit.signal) {
    return { kind: 'crash', message: `QEMU killed by ${exit.signal}: ${lines.join('\n')}`.trim(), signal: exit.signal };
  }
  if (exit.exitCode === 1 && lines.length > 0) {
    return { kind: 'refused', code: classifyQemuRefusal(lines), message: lines.join('\n') };
  }
  const message = `QEMU ${describeExit(exit)} during load: ${lines.join('\n')}`.trim();
  return exit.exitCode === undefined ? { kind: 'crash', message } : { kind: 'crash', message, exitCode: exit.exitCode };
}

export function startFailure(e: unknown, started: number): LoadOutcome {
  const log = e instanceof QemuStartError ? e.log : [];
  return { verdict: { kind: 'harness-error', message: (e as Error).message }, durationMs: Date.now() - started, log };
}

function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Writes and half-closes; QEMU may hang up early on a refused stream, which is not our error. */
function sendAndHalfClose(socket: Socket, stream: Uint8Array): void {
  socket.on('error', () => undefined);
  socket.end(stream);
}

function readToEnd(socket: Socket): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    socket.once('error', reject);
  });
}

/** Boots `spec` paused and returns its `info ramblock`, without migrating. */
export async function ramBlocksOf(qemuPath: string, spec: MachineSpec): Promise<RamBlockInfo[]> {
  return withQemuSlot(async () => {
    const qemu = await QemuProcess.start({ qemuPath, spec, extraArgs: ['-S'] });
    try {
      return await ramBlocks(qemu.qmp);
    } finally {
      await qemu.quit();
    }
  });
}

/** The Target for one real binary. */
export class QemuTarget implements Target {
  readonly id: string;
  readonly qemuPath: string;

  constructor(qemuPath: string) {
    this.qemuPath = qemuPath;
    this.id = `qemu:${qemuPath}`;
  }

  async save(spec: MachineSpec, opts?: SaveOptions): Promise<SaveOutcome> {
    const started = Date.now();
    try {
      const r = await captureStream(this.qemuPath, spec, opts);
      return { ok: true, stream: r.stream, durationMs: r.durationMs, log: r.log };
    } catch (e) {
      if (e instanceof QemuMigrateRefused) {
        return { ok: false, verdict: { kind: 'refused', code: 'qemu.migration-blocked', message: e.message }, durationMs: Date.now() - started, log: e.log };
      }
      const log = e instanceof QemuStartError ? e.log : [];
      const message = (e as Error).message;
      const kind = /within \d+ ms/.test(message) ? 'hang' : 'harness-error';
      return { ok: false, verdict: { kind, message }, durationMs: Date.now() - started, log };
    }
  }

  load(spec: MachineSpec, stream: Uint8Array, opts?: QemuLoadOptions): Promise<QemuLoadOutcome> {
    return loadIntoQemu(this.qemuPath, spec, stream, opts);
  }
}
