import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { QmpClient } from '../qmp/index.js';
import type { MachineSpec } from './target.js';
import { TEMP_PREFIX, sweepStaleTempDirs, trackQemu, untrackQemu } from './qemu-registry.js';

/**
 * One running qemu-system-* process with QMP, in a private temp dir.
 *
 * QEMU connects to *our* QMP socket (`-chardev socket,path=...` without
 * server=on), so there is no polling for a socket file to appear: either QEMU
 * connects or it exits, and we see both.
 */

export interface QemuExit {
  exitCode?: number;
  signal?: string;
}

export interface StartOptions {
  qemuPath: string;
  spec: MachineSpec;
  /** Extra QEMU words: `-S`, `-incoming defer`, ... */
  extraArgs?: readonly string[];
  /** Limit for QEMU to start and greet on QMP (default 15 s). */
  startTimeoutMs?: number;
  /** Where the private temp dir is made (default os.tmpdir()); keep it short, unix socket paths are limited to 107 bytes. */
  tmpRoot?: string;
}

/** QEMU could not be started (bad binary, unknown machine, bad -device...). */
export class QemuStartError extends Error {
  override readonly name = 'QemuStartError';
  readonly log: string[];
  constructor(message: string, log: string[]) {
    super(message);
    this.log = log;
  }
}

const SETPRIV = '/usr/bin/setpriv';

/** The QEMU words for a spec: the same for source and destination. */
export function machineArgs(spec: MachineSpec): string[] {
  const args = ['-machine', spec.machine, '-accel', 'tcg', '-nodefaults', '-display', 'none', '-m', spec.ram ?? '32M'];
  for (const o of spec.objects ?? []) args.push('-object', o);
  if (spec.smp) args.push('-smp', spec.smp);
  for (const d of spec.devices ?? []) args.push('-device', d);
  return args;
}

export class QemuProcess {
  readonly dir: string;
  readonly qmp: QmpClient;
  /** Every stderr line, in order. */
  readonly log: string[];
  /** Resolves when the process is gone (never rejects). */
  readonly exited: Promise<QemuExit>;
  readonly pid: number;
  private readonly child: ResultPromise;
  private exitInfo: QemuExit | undefined;
  private readonly programName: string;

  private constructor(dir: string, child: ResultPromise, qmp: QmpClient, log: string[], exited: Promise<QemuExit>, programName: string) {
    this.dir = dir;
    this.child = child;
    this.qmp = qmp;
    this.log = log;
    this.exited = exited.then((e) => (this.exitInfo = e));
    this.pid = child.pid ?? -1;
    this.programName = programName;
  }

  static async start(opts: StartOptions): Promise<QemuProcess> {
    const root = opts.tmpRoot ?? tmpdir();
    sweepStaleTempDirs(root);
    const dir = await mkdtemp(join(root, `${TEMP_PREFIX}${process.pid}-`));
    const qmpPath = join(dir, 'qmp.sock');
    let server: Server | undefined;
    let child: ResultPromise | undefined;
    const log: string[] = [];
    try {
      server = await listenUnix(qmpPath);
      const accepted = acceptOne(server);
      const args = [
        ...machineArgs(opts.spec),
        ...(opts.extraArgs ?? []),
        '-chardev', `socket,id=mcqmp,path=${qmpPath}`,
        '-mon', 'chardev=mcqmp,mode=control',
      ];
      child = spawnQemu(opts.qemuPath, args);
      if (child.pid !== undefined) trackQemu(child.pid, dir);
      collectLines(child, log);
      const exited = waitExit(child);
      const timeoutMs = opts.startTimeoutMs ?? 15_000;
      const first = await Promise.race([
        accepted.then((s) => ({ socket: s })),
        exited.then((e) => ({ exit: e })),
        deadline(timeoutMs).then(() => ({ timeout: true as const })),
      ]);
      if (!('socket' in first)) {
        const why = 'exit' in first ? `exited (${describeExit(first.exit)})` : `did not connect to QMP within ${timeoutMs} ms`;
        child.kill('SIGKILL');
        await exited;
        await settleLog();
        throw new QemuStartError(`QEMU ${why}: ${errorLines(log, basename(opts.qemuPath)).join(' / ') || 'no output'}`, log);
      }
      let qmp: QmpClient;
      try {
        qmp = await QmpClient.handshake(first.socket, { timeoutMs });
      } catch (e) {
        // QEMU connects to QMP early in its start-up and may still fail afterwards (a bad
        // -device or -object): its own words are on stderr once it has exited.
        const exit = await Promise.race([exited, deadline(2_000).then(() => undefined)]);
        await settleLog();
        const lines = errorLines(log, basename(opts.qemuPath));
        const why = exit ? `exited (${describeExit(exit)})` : `failed on QMP (${(e as Error).message})`;
        throw new QemuStartError(`QEMU ${why}: ${lines.join(' / ') || (e as Error).message}`, log);
      }
      return new QemuProcess(dir, child, qmp, log, exited, basename(opts.qemuPath));
    } catch (e) {
      if (child) {
        child.kill('SIGKILL');
        await waitExit(child);
      }
      await rm(dir, { recursive: true, force: true });
      throw e;
    } finally {
      server?.close();
    }
  }

  get exit(): QemuExit | undefined {
    return this.exitInfo;
  }

  /** QEMU's error lines (its program-name prefix removed, warnings dropped). */
  errorLines(): string[] {
    return errorLines(this.log, this.programName);
  }

  /** Asks QEMU to quit, then makes sure it is gone and the temp dir removed. */
  async quit(graceMs = 3_000): Promise<QemuExit> {
    if (!this.exitInfo && !this.qmp.closed) {
      const asked = await this.qmp.execute('quit', undefined, graceMs).then(
        () => true,
        () => false,
      );
      // QEMU answers `quit` before it exits; give it the grace period before any signal.
      if (asked) await Promise.race([this.exited, deadline(graceMs)]);
    }
    return this.dispose(graceMs);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; removes the temp dir. Idempotent. */
  async dispose(graceMs = 2_000): Promise<QemuExit> {
    const done = await Promise.race([this.exited, deadline(this.exitInfo ? 0 : 50).then(() => undefined)]);
    let exit = done;
    if (!exit) {
      this.child.kill('SIGTERM');
      exit = await Promise.race([this.exited, deadline(graceMs).then(() => undefined)]);
      if (!exit) {
        this.child.kill('SIGKILL');
        exit = await this.exited;
      }
    }
    this.qmp.close();
    await rm(this.dir, { recursive: true, force: true });
    return exit;
  }
}

function spawnQemu(qemuPath: string, args: string[]): ResultPromise {
  // With setpriv the kernel SIGKILLs QEMU when our process dies, whatever killed us.
  const [file, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', qemuPath, ...args]] : [qemuPath, args];
  return execa(file, argv, {
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    forceKillAfterDelay: 2_000,
    env: { LC_ALL: 'C' },
  });
}

function waitExit(child: ResultPromise): Promise<QemuExit> {
  return child.then(
    (r) => {
      if (child.pid !== undefined) untrackQemu(child.pid);
      return { exitCode: r.exitCode, signal: r.signal };
    },
    (e: { exitCode?: number; signal?: string }) => {
      if (child.pid !== undefined) untrackQemu(child.pid);
      return { exitCode: e.exitCode, signal: e.signal };
    },
  );
}

function collectLines(child: ResultPromise, log: string[]): void {
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) log.push(l.replace(/\r$/, ''));
  });
  child.stderr?.on('end', () => {
    if (partial) log.push(partial);
    partial = '';
  });
}

/** Lets the stderr pipe drain after exit; 'end' may fire just after the exit promise. */
export function settleLog(): Promise<void> {
  return sleep(20);
}

/** Lines QEMU printed as errors: `prog: message`, with the prefix removed and warnings dropped. */
export function errorLines(log: readonly string[], programName: string): string[] {
  const prefix = `${programName}: `;
  return log
    .filter((l) => l.trim() !== '')
    .map((l) => (l.startsWith(prefix) ? l.slice(prefix.length) : l))
    .filter((l) => !l.startsWith('warning:'));
}

export function describeExit(e: QemuExit): string {
  return e.signal ? `signal ${e.signal}` : `exit code ${e.exitCode ?? '?'}`;
}

export function listenUnix(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function acceptOne(server: Server): Promise<Socket> {
  return new Promise((resolve) => server.once('connection', (s: Socket) => resolve(s)));
}

/** A plain wait; keeps the process alive like any timer. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A time limit for a race. Unref'd so a long limit that lost its race does
 * not hold a CLI open; only use it against something that itself keeps the
 * process alive (a running QEMU, an open socket).
 */
export function deadline(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
