import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { basename, join } from 'node:path';
import { QmpClient, type QmpCommand } from '../qmp/index.js';
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
  /** Its status is unknown: the zygote it was forked from died first (qemu-zygote.ts). Never QEMU's verdict. */
  lost?: string;
}

export interface StartOptions {
  qemuPath: string;
  spec: MachineSpec;
  /** Extra QEMU words: `-S`, `-incoming defer`, ... */
  extraArgs?: readonly string[];
  /** Limit for QEMU to start and greet on QMP (default 15 s). */
  startTimeoutMs?: number;
  /** Where the private temp dir is made (default `defaultTempRoot()`); keep it short, unix socket paths are limited to 107 bytes. */
  tmpRoot?: string;
  /**
   * QMP commands written in the same burst as `qmp_capabilities` (given the
   * private dir, for socket paths); their replies are `QemuProcess.replies`.
   * They run after start-up is over, so their failures are the caller's to classify.
   */
  pipeline?: (dir: string) => readonly QmpCommand[];
  /**
   * Fork from this zygote instead of spawning (qemu-zygote.ts): its argv is
   * fixed, built by `qemuArgs(spec, extraArgs, QMP_SOCKET)`; `qemuPath`,
   * `spec` and `extraArgs` must be those it was started with.
   */
  zygote?: { fork(dir: string): Promise<QemuHandle> };
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
/** The QMP socket's name in a QEMU's private dir. */
export const QMP_SOCKET = 'qmp.sock';
const SHM = '/dev/shm';
let tempRoot: string | undefined;

/**
 * Where QEMU's private dirs (its sockets) go: $TMPDIR when set, else
 * /dev/shm when it is a writable directory (tmpfs), else os.tmpdir(). Making
 * and removing a dir costs ~5 ms on an ext4 /tmp mounted with `discard`
 * against ~1 ms on tmpfs, once per QEMU.
 */
export function defaultTempRoot(): string {
  if (tempRoot === undefined) {
    tempRoot = tmpdir();
    if (!process.env.TMPDIR) {
      try {
        accessSync(SHM, constants.W_OK | constants.X_OK);
        if (statSync(SHM).isDirectory()) tempRoot = SHM;
      } catch {
        // no usable /dev/shm: os.tmpdir()
      }
    }
  }
  return tempRoot;
}

/** The QEMU words for a spec: the same for source and destination. */
export function machineArgs(spec: MachineSpec): string[] {
  const args = ['-machine', spec.machine, '-accel', 'tcg', '-nodefaults', '-display', 'none', '-m', spec.ram ?? '32M'];
  for (const o of spec.objects ?? []) args.push('-object', o);
  if (spec.smp) args.push('-smp', spec.smp);
  for (const d of spec.devices ?? []) args.push('-device', d);
  return args;
}

/** QEMU's whole command line after the program; `qmpPath` may be relative to its working directory. */
export function qemuArgs(spec: MachineSpec, extraArgs: readonly string[], qmpPath: string): string[] {
  return ['-no-user-config', ...machineArgs(spec), ...extraArgs, '-chardev', `socket,id=mcqmp,path=${qmpPath}`, '-mon', 'chardev=mcqmp,mode=control'];
}

/** A started QEMU process, spawned or forked. */
export interface QemuHandle {
  readonly pid: number;
  signal(sig: 'SIGKILL' | 'SIGTERM'): void;
  /** Whether it keeps the Node process alive (it does at first). */
  keepAlive(on: boolean): void;
  /** Resolves when the process is gone (never rejects); untracks it. */
  readonly exited: Promise<QemuExit>;
  /** Every stderr line, in order. */
  readonly log: string[];
  /** Resolves when stderr has closed. */
  readonly logEnded: Promise<void>;
}

export class QemuProcess {
  readonly dir: string;
  readonly qmp: QmpClient;
  /** Every stderr line, in order. */
  readonly log: string[];
  /** Resolves when the process is gone (never rejects). */
  readonly exited: Promise<QemuExit>;
  readonly pid: number;
  /** Replies to `StartOptions.pipeline`, in its order (never unhandled). */
  readonly replies: Promise<unknown>[];
  private readonly child: QemuHandle;
  private exitInfo: QemuExit | undefined;
  private readonly programName: string;
  private readonly logEnded: Promise<void>;

  private constructor(dir: string, spawned: QemuHandle, qmp: QmpClient, replies: Promise<unknown>[], programName: string) {
    this.dir = dir;
    this.child = spawned;
    this.qmp = qmp;
    this.replies = replies;
    this.log = spawned.log;
    this.logEnded = spawned.logEnded;
    this.exited = spawned.exited.then((e) => (this.exitInfo = e));
    this.pid = spawned.pid;
    this.programName = programName;
  }

  static async start(opts: StartOptions): Promise<QemuProcess> {
    const root = opts.tmpRoot ?? defaultTempRoot();
    sweepStaleTempDirs(root);
    const dir = await mkdtemp(join(root, `${TEMP_PREFIX}${process.pid}-`));
    const qmpPath = join(dir, QMP_SOCKET);
    const program = basename(opts.qemuPath);
    let server: Server | undefined;
    let spawned: QemuHandle | undefined;
    try {
      server = await listenUnix(qmpPath);
      const accepted = acceptOne(server);
      spawned = opts.zygote ? await opts.zygote.fork(dir) : spawnQemu(opts.qemuPath, qemuArgs(opts.spec, opts.extraArgs ?? [], qmpPath), dir);
      const { exited, log } = spawned;
      const timeoutMs = opts.startTimeoutMs ?? 15_000;
      const first = await Promise.race([
        accepted.then((s) => ({ socket: s })),
        exited.then((e) => ({ exit: e })),
        deadline(timeoutMs).then(() => ({ timeout: true as const })),
      ]);
      if (!('socket' in first)) {
        const why = 'exit' in first ? `exited (${describeExit(first.exit)})` : `did not connect to QMP within ${timeoutMs} ms`;
        spawned.signal('SIGKILL');
        await exited;
        await settle(spawned.logEnded);
        throw new QemuStartError(`QEMU ${why}: ${errorLines(log, program).join(' / ') || 'no output'}`, log);
      }
      try {
        const { client, replies } = await QmpClient.negotiate(first.socket, opts.pipeline?.(dir) ?? [], { timeoutMs });
        return new QemuProcess(dir, spawned, client, replies, program);
      } catch (e) {
        // QEMU connects to QMP early in its start-up and may still fail afterwards (a bad
        // -device or -object): its own words are on stderr once it has exited.
        const exit = await Promise.race([exited, deadline(2_000).then(() => undefined)]);
        if (exit) await settle(spawned.logEnded);
        const lines = errorLines(log, program);
        const why = exit ? `exited (${describeExit(exit)})` : `failed on QMP (${(e as Error).message})`;
        throw new QemuStartError(`QEMU ${why}: ${lines.join(' / ') || (e as Error).message}`, log);
      }
    } catch (e) {
      if (spawned) {
        spawned.signal('SIGKILL');
        await spawned.exited;
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

  /**
   * Whether this QEMU keeps the Node process alive (it does by default). A
   * destination idling in a pool does not: a program that is done exits, and
   * the registry's exit hook kills what is left.
   */
  keepAlive(on: boolean): void {
    this.child.keepAlive(on);
    this.qmp.keepAlive(on);
  }

  /** QEMU's error lines (its program-name prefix removed, warnings dropped). */
  errorLines(): string[] {
    return errorLines(this.log, this.programName);
  }

  /** Resolves once QEMU's stderr has closed (it has exited and every line is in `log`), or after a short grace. */
  settled(): Promise<void> {
    return settle(this.logEnded);
  }

  /**
   * SIGKILL at once, for a destination whose verdict is already decided:
   * nothing it would do on a clean `quit` matters any more. Removes the temp dir.
   */
  async kill(): Promise<QemuExit> {
    // Its exit is awaited now: an unref'd one (waiting in a pool) could let Node's loop drain first and end the program mid-await.
    if (!this.exitInfo) {
      this.keepAlive(true);
      this.child.signal('SIGKILL');
    }
    const exit = await this.exited;
    this.qmp.close();
    await rm(this.dir, { recursive: true, force: true });
    return exit;
  }

  /** Asks QEMU to quit, then makes sure it is gone and the temp dir removed. */
  async quit(graceMs = 3_000): Promise<QemuExit> {
    if (!this.exitInfo) this.keepAlive(true); // as in kill(): its exit is awaited
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
    if (!this.exitInfo) this.keepAlive(true); // as in kill(): its exit is awaited
    const done = await Promise.race([this.exited, deadline(this.exitInfo ? 0 : 50).then(() => undefined)]);
    let exit = done;
    if (!exit) {
      this.child.signal('SIGTERM');
      exit = await Promise.race([this.exited, deadline(graceMs).then(() => undefined)]);
      if (!exit) {
        this.child.signal('SIGKILL');
        exit = await this.exited;
      }
    }
    this.qmp.close();
    await rm(this.dir, { recursive: true, force: true });
    return exit;
  }
}

/**
 * QEMU's environment: ours, C locale (its messages are classified by their
 * English wording), and glibc's malloc asked to back its heap with
 * transparent huge pages (`glibc.malloc.hugetlb=1`, madvise: honoured where
 * THP is `madvise` or `always`). A 7.2 destination start mallocs and
 * touches ~8 MB (QOM types, TCG tables): in 4 KiB pages that was 1,900 of its
 * 4,700 page faults and 15-20% of its start-up CPU (perf stat). Allocation placement
 * only: nothing QEMU computes or sends depends on it. A GLIBC_TUNABLES of
 * the caller's own is kept as it is.
 */
export function qemuEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', GLIBC_TUNABLES: process.env.GLIBC_TUNABLES ?? 'glibc.malloc.hugetlb=1' };
}

function spawnQemu(qemuPath: string, args: string[], dir: string): QemuHandle {
  // With setpriv the kernel SIGKILLs QEMU when our process dies, whatever killed us.
  const [file, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', qemuPath, ...args]] : [qemuPath, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: qemuEnv() });
  if (child.pid !== undefined) trackQemu(child.pid, dir);
  const log: string[] = [];
  const exited = new Promise<QemuExit>((resolve) => {
    const done = (e: QemuExit): void => {
      if (child.pid !== undefined) untrackQemu(child.pid);
      resolve(e);
    };
    child.once('exit', (code, signal) => done({ ...(code !== null ? { exitCode: code } : {}), ...(signal !== null ? { signal } : {}) }));
    // Spawning itself failed (no such file without setpriv): there is no process and no 'exit'.
    child.on('error', (err) => {
      if (child.pid === undefined) {
        log.push(`${basename(qemuPath)}: ${err.message}`);
        done({});
      }
    });
  });
  const logEnded = child.stderr ? collectLines(child.stderr, log) : Promise.resolve();
  // stderr is a pipe, a net.Socket at run time (typed as a bare Readable).
  const handles = [child, child.stderr as unknown as { ref(): void; unref(): void } | null];
  return {
    pid: child.pid ?? -1,
    signal: (sig) => child.kill(sig),
    keepAlive: (on) => {
      for (const h of handles) {
        if (on) h?.ref();
        else h?.unref();
      }
    },
    exited,
    log,
    logEnded,
  };
}

/** Splits a stream into `log` lines; resolves when it has closed. */
export function collectLines(stderr: Readable, log: string[]): Promise<void> {
  let partial = '';
  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) log.push(l.replace(/\r$/, ''));
  });
  return new Promise((resolve) => {
    stderr.once('close', () => {
      if (partial) log.push(partial);
      partial = '';
      resolve();
    });
  });
}

/**
 * Waits for stderr to close after an exit ('close' may come just after the
 * exit event). The limit only matters if something else still holds the
 * pipe; QEMU's own lines are in by then either way.
 */
function settle(logEnded: Promise<void>): Promise<void> {
  return Promise.race([logEnded, deadline(500)]);
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

/**
 * A time limit for a race. Unref'd so a long limit that lost its race does
 * not hold a CLI open; only use it against something that itself keeps the
 * process alive (a running QEMU, an open socket).
 */
export function deadline(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
