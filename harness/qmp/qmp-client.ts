import { createConnection, type Socket } from 'node:net';

/**
 * A small QMP client over a unix socket.
 *
 * QMP is line-delimited JSON: a greeting, then `qmp_capabilities`, then
 * commands answered in order (we tag each with an id anyway, so a late answer
 * can never be mistaken for another's) interleaved with asynchronous events.
 * Every wait has a timeout so a wedged QEMU shows up as an error, never as a
 * stuck test.
 */

export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

/** A QMP `error` reply, or a transport failure (closed, timed out). */
export class QmpError extends Error {
  override readonly name = 'QmpError';
  /** QMP's error class (`GenericError`, ...) or `closed` / `timeout` for transport failures. */
  readonly errorClass: string;
  constructor(errorClass: string, message: string) {
    super(message);
    this.errorClass = errorClass;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface EventWaiter {
  match(ev: QmpEvent): boolean;
  resolve(ev: QmpEvent): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface QmpOptions {
  /** Per-command timeout in ms (default 10 s). */
  timeoutMs?: number;
}

export class QmpClient {
  readonly greeting: QmpGreeting;
  /** Every event received so far, in order; waits look here first so no event is lost to a race. */
  readonly events: QmpEvent[] = [];
  private readonly socket: Socket;
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<EventWaiter>();
  private nextId = 1;
  private closedError: QmpError | undefined;
  private readonly timeoutMs: number;

  private constructor(socket: Socket, greeting: QmpGreeting, rest: string, timeoutMs: number) {
    this.socket = socket;
    this.greeting = greeting;
    this.timeoutMs = timeoutMs;
    let buffered = rest;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) this.dispatch(line);
      }
    });
    socket.on('close', () => this.failAll(new QmpError('closed', 'QMP connection closed')));
    socket.on('error', (err) => this.failAll(new QmpError('closed', `QMP socket error: ${err.message}`)));
    socket.resume();
  }

  /** Connects to a QMP server socket, reads the greeting and negotiates capabilities. */
  static async connect(path: string, opts: QmpOptions = {}): Promise<QmpClient> {
    const socket = createConnection(path);
    return QmpClient.handshake(socket, opts);
  }

  /**
   * Takes over a socket QEMU opened to us (QEMU as QMP client, `-qmp unix:PATH`
   * without server=on), reads the greeting and negotiates capabilities.
   */
  static async handshake(socket: Socket, opts: QmpOptions = {}): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const { greeting, rest } = await readGreeting(socket, timeoutMs);
    const client = new QmpClient(socket, greeting, rest, timeoutMs);
    await client.execute('qmp_capabilities');
    return client;
  }

  /** Runs a command; resolves with its `return` value, rejects with QmpError on `error`. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `mc-${this.nextId++}`;
    const msg = JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpError('timeout', `QMP command ${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(msg + '\n');
    });
  }

  /** Resolves with the first event (already received or future) that matches. */
  waitForEvent(match: (ev: QmpEvent) => boolean, timeoutMs = this.timeoutMs): Promise<QmpEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<QmpEvent>((resolve, reject) => {
      const waiter: EventWaiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new QmpError('timeout', `no matching QMP event within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Runs an HMP command through `human-monitor-command` and returns its text. */
  hmp(commandLine: string): Promise<string> {
    return this.execute<string>('human-monitor-command', { 'command-line': commandLine });
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  close(): void {
    this.failAll(new QmpError('closed', 'QMP client closed'));
    this.socket.destroy();
  }

  private dispatch(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // QMP never sends partial JSON on a line; ignore garbage rather than crash the harness
    }
    if (typeof msg.event === 'string') {
      const ev = msg as unknown as QmpEvent;
      this.events.push(ev);
      for (const w of this.waiters) {
        if (!w.match(ev)) continue;
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve(ev);
      }
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p || id === undefined) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const e = msg.error as { class?: string; desc?: string };
      p.reject(new QmpError(e.class ?? 'GenericError', e.desc ?? 'QMP error'));
    } else {
      p.resolve(msg.return);
    }
  }

  private failAll(err: QmpError): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiters.clear();
  }
}

/** Reads the first line (the greeting); returns whatever followed it for the line splitter. */
function readGreeting(socket: Socket, timeoutMs: number): Promise<{ greeting: QmpGreeting; rest: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (err?: Error, value?: { greeting: QmpGreeting; rest: string }): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.pause(); // hold further data until the client attaches its line splitter
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(value!);
    };
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        const msg = JSON.parse(buf.slice(0, nl)) as { QMP?: QmpGreeting };
        if (!msg.QMP) return done(new QmpError('protocol', `not a QMP greeting: ${buf.slice(0, 80)}`));
        done(undefined, { greeting: msg.QMP, rest: buf.slice(nl + 1) });
      } catch {
        done(new QmpError('protocol', `not a QMP greeting: ${buf.slice(0, 80)}`));
      }
    };
    const onError = (e: Error): void => done(new QmpError('closed', `QMP socket error: ${e.message}`));
    const onClose = (): void => done(new QmpError('closed', 'QMP closed before the greeting'));
    const timer = setTimeout(() => done(new QmpError('timeout', `no QMP greeting within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}
