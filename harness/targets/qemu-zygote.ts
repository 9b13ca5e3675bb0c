import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { acceptOne, collectLines, deadline, listenUnix, qemuEnv, QemuStartError, type QemuExit, type QemuHandle } from './qemu-process.js';
import { trackQemu, untrackQemu } from './qemu-registry.js';

/**
 * A fork server for identical QEMU destinations (qemu-zygote.c): one QEMU
 * process of the pool's binary and argv that runs up to its fork point and
 * forks a child per destination. Each child goes on from there with that
 * argv, in the destination's private dir (the QMP socket path is relative),
 * its stderr on `err.sock` there. The fork point is QEMU's first call that
 * would give it a thread or kernel object of its own (7.2: the iohandler
 * AioContext's io_uring, once every QOM type is registered), where the
 * zygote also initializes every QOM class as select_machine() would; a
 * binary whose start-up does not get there as the shim expects is served
 * from the entry of main() instead. What it saves is the work every start
 * repeats: exec, mapping and relocating 51 libraries, constructors, QOM
 * type registration and class initialization.
 *
 * Optional: without a C compiler (the shim is built once, cached under
 * os.tmpdir() by its source's hash) or with MIGCOMPAT_QEMU_ZYGOTE=0,
 * `QemuZygote.start` resolves undefined and the caller spawns as before.
 */

/** Where a zygote child's stderr connects, in its private dir. */
const ERR_SOCKET = 'err.sock';
/** A child that exited without ever connecting its stderr: how long its connection may still sit in the backlog. */
const ERR_GRACE_MS = 200;
/** How long a zygote may take to reach QEMU's main() (exec and dynamic linking: ~50 ms quiet, seconds under heavy load). */
const READY_TIMEOUT_MS = 15_000;

let library: Promise<string | undefined> | undefined;

/** The shim's path, built on first use; undefined if it cannot be. */
export function zygoteLibrary(): Promise<string | undefined> {
  library ??= buildLibrary().catch(() => undefined);
  return library;
}

async function buildLibrary(): Promise<string | undefined> {
  // dist/harness/targets/*.js and harness/targets/*.ts (vitest) both find the source.
  const source = ['../../../harness/targets/qemu-zygote.c', './qemu-zygote.c'].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));
  if (!source) return undefined;
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const out = join(tmpdir(), `migcompat-qemu-zygote-${hash}.so`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  await new Promise<void>((resolve, reject) =>
    // -z now: the shim's own calls in a child (its fork handler) must not each resolve a symbol lazily.
    execFile('cc', ['-O2', '-shared', '-fPIC', '-Wl,-z,now', '-o', tmp, source, '-ldl'], { timeout: 60_000 }, (err) => (err ? reject(err) : resolve())),
  );
  await rename(tmp, out); // atomic: a concurrent build of the same source writes the same bytes
  return out;
}

interface PendingFork {
  resolve: (pid: number) => void;
  reject: (e: Error) => void;
}

interface Child {
  exited: (e: QemuExit) => void;
  kept: boolean;
}

export class QemuZygote {
  private readonly pendingForks: PendingFork[] = [];
  private readonly children = new Map<number, Child>();
  private readonly log: string[] = [];
  private dead: string | undefined;
  private readonly gone: Promise<void>;
  private readonly ready: Promise<boolean>;
  private onReady: (() => void) | undefined;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly control: Socket,
    /** Where its children start: QEMU's late fork point (qemu-zygote.c) or the entry of main(). */
    readonly forkPoint: 'late' | 'main',
  ) {
    void collectLines(proc.stderr!, this.log);
    let partial = '';
    control.setEncoding('utf8');
    control.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) this.onLine(l);
    });
    control.on('error', () => undefined);
    this.gone = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        this.die(`qemu-zygote exited (${signal ?? `exit code ${code ?? '?'}`}): ${this.log.join(' / ')}`.trim());
        resolve();
      }),
    );
    this.ready = new Promise<boolean>((resolve) => (this.onReady = () => resolve(true)));
    this.updateRef();
  }

  /**
   * A zygote for `qemuPath` with `args` (qemu-process.ts qemuArgs with a
   * relative QMP path), or undefined where there is none: forking at QEMU's
   * late fork point where the binary gets there, else at main().
   */
  static async start(qemuPath: string, args: readonly string[]): Promise<QemuZygote | undefined> {
    if (process.env.MIGCOMPAT_QEMU_ZYGOTE === '0' || process.platform !== 'linux') return undefined;
    const lib = await zygoteLibrary();
    if (!lib) return undefined;
    return (await QemuZygote.startAt(qemuPath, args, lib, true)) ?? QemuZygote.startAt(qemuPath, args, lib, false);
  }

  private static async startAt(qemuPath: string, args: readonly string[], lib: string, late: boolean): Promise<QemuZygote | undefined> {
    // LD_BIND_NOW: every library's symbols resolved once in the zygote, not lazily again in each child.
    const env = { ...qemuEnv(), LD_PRELOAD: lib, LD_BIND_NOW: '1', MIGCOMPAT_ZYGOTE_FD: '3', MIGCOMPAT_ZYGOTE_PARENT: String(process.pid), ...(late ? { MIGCOMPAT_ZYGOTE_LATE: '1' } : {}) };
    const proc = spawn(qemuPath, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env });
    const control = proc.stdio[3] as Socket | null;
    if (proc.pid === undefined || !control) {
      proc.on('error', () => undefined);
      return undefined;
    }
    // Not in the registry, which lists destinations: it dies with Node (parent-death signal) and on EOF.
    const zygote = new QemuZygote(proc, control, late ? 'late' : 'main');
    // A binary the shim cannot wrap (static, not glibc) runs QEMU instead of serving, one whose start-up differs exits: no zygote then.
    proc.ref(); // the wait is real work: nothing else may keep Node alive meanwhile
    const ready = await Promise.race([zygote.ready, zygote.gone.then(() => false), deadline(READY_TIMEOUT_MS).then(() => false)]);
    zygote.updateRef();
    if (ready) return zygote;
    await zygote.close();
    return undefined;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Whether it still forks. */
  get alive(): boolean {
    return this.dead === undefined;
  }

  /**
   * A destination forked into `dir` (absolute; `qmp.sock` of the argv is
   * there, QEMU connects to it): listens on `dir/err.sock` for its stderr.
   */
  async fork(dir: string): Promise<QemuHandle> {
    if (this.dead) throw new QemuStartError(this.dead, []);
    const server = await listenUnix(join(dir, ERR_SOCKET));
    // Listening for the child's connection before it exists: it may come before our "P <pid>".
    const connection = acceptOne(server);
    const pid = await new Promise<number>((resolve, reject) => {
      this.pendingForks.push({ resolve, reject });
      this.control.write(`F ${dir}\n`);
    }).catch((e: unknown) => {
      server.close();
      throw e;
    });
    trackQemu(pid, dir);
    return this.handle(pid, server, connection);
  }

  private handle(pid: number, server: Server, connection: Promise<Socket>): QemuHandle {
    const log: string[] = [];
    let err: Socket | undefined;
    let resolveExit!: (e: QemuExit) => void;
    const exited = new Promise<QemuExit>((resolve) => (resolveExit = resolve));
    const child: Child = { exited: resolveExit, kept: true };
    this.children.set(pid, child);
    this.updateRef();
    const connected = connection.then((s) => {
      err = s;
      server.close();
      if (!child.kept) s.unref();
      return collectLines(s, log);
    });
    // No connection within a grace after the exit: it never connected (it died before main, or chdir failed).
    const logEnded = Promise.race([connected, exited.then(() => deadline(ERR_GRACE_MS))]).then(() => {
      server.close();
    });
    return {
      pid,
      signal: (sig) => {
        if (this.children.has(pid) && !this.dead) this.control.write(`K ${pid} ${constants.signals[sig]}\n`);
      },
      keepAlive: (on) => {
        child.kept = on;
        if (on) err?.ref();
        else err?.unref();
        this.updateRef();
      },
      exited,
      log,
      logEnded,
    };
  }

  private onLine(line: string): void {
    const [kind, a, b, c] = line.split(' ');
    if (kind === 'R') this.onReady?.();
    else if (kind === 'P') this.pendingForks.shift()?.resolve(Number(a));
    else if (kind === 'E') this.pendingForks.shift()?.reject(new QemuStartError(`qemu-zygote could not fork (errno ${a ?? '?'})`, []));
    else if (kind === 'X') this.reaped(Number(a), Number(b), Number(c));
  }

  private reaped(pid: number, status: number, _cpuMicros: number): void {
    const child = this.children.get(pid);
    if (!child) return;
    this.children.delete(pid);
    untrackQemu(pid);
    this.updateRef();
    // A wait(2) status: the low 7 bits are the terminating signal, 0 for a normal exit with its code above them.
    const signo = status & 0x7f;
    child.exited(signo === 0 ? { exitCode: (status >> 8) & 0xff } : { signal: signalName(signo) });
  }

  private die(why: string): void {
    if (this.dead) return;
    this.dead = why;
    for (const f of this.pendingForks.splice(0)) f.reject(new QemuStartError(why, []));
    for (const [pid, child] of this.children) {
      untrackQemu(pid);
      child.exited({ lost: why });
    }
    this.children.clear();
    this.updateRef();
  }

  /** The zygote keeps Node alive while a destination that does is forked from it (its exit comes through here). */
  private updateRef(): void {
    const kept = !this.dead && [...this.children.values()].some((c) => c.kept);
    // stderr is a pipe, a net.Socket at run time (typed as a bare Readable).
    for (const h of [this.proc, this.control, this.proc.stderr as unknown as Socket]) {
      if (kept) h.ref();
      else h.unref();
    }
  }

  /** Ends the zygote: it kills and reaps its children and exits; resolves once it is reaped. */
  async close(): Promise<void> {
    if (!this.dead) this.control.end();
    void deadline(2_000).then(() => this.proc.kill('SIGKILL')); // stuck reaping: it has no verdict to give any more
    this.proc.ref();
    await this.gone;
  }
}

function signalName(signo: number): string {
  const hit = Object.entries(constants.signals).find(([, n]) => n === signo);
  return hit ? hit[0] : `signal ${signo}`;
}
