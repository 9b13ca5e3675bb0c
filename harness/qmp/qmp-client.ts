import { createConnection, type Socket } from 'node:net';

/**
 * A small QMP client over a unix socket.
 *
 * QMP is line-delimited JSON: a greeting, then `qmp_capabilities`, then
 * commands answered in order (we tag each with an id anyway, so a late answer
 * can never be mistaken for another's) interleaved with asynchronous events.
 * Every wait has a timeout so a wedged QEMU shows up as an error, never as a
 * stuck test.
 *
 * Commands may be written before the greeting has arrived: QEMU's monitor
 * greets when its chardev opens and only then reads what is queued on the
 * socket, one command at a time in order, so `qmp_capabilities` and the
 * commands after it can go out in one write with no round trip between them.
 * Those go without an id (their replies come back in the order sent): QEMU
 * 7.2's monitor reads its socket one byte at a time, each byte a poll, a
 * recvmsg and an eventfd round trip between its threads, ~16 us of QEMU CPU
 * a byte on this VM, so every destination pays for every byte it is sent.
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

/** One command for `negotiate`'s pipeline. */
export interface QmpCommand {
  execute: string;
  arguments?: Record<string, unknown>;
}

/** A QMP `error` reply, or a transport failure (closed, timed out). */
export class QmpError extends Error {
  override readonly name = 'QmpError';
  /** QMP's error class (`GenericError`, ...) or `closed` / `timeout` / `protocol` for transport failures. */
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
  /** Per-command timeout in ms, also the limit for the greeting (default 10 s). */
  timeoutMs?: number;
}

export class QmpClient {
  /** Every event received so far, in order; waits look here first so no event is lost to a race. */
  readonly events: QmpEvent[] = [];
  private readonly socket: Socket;
  private readonly pending = new Map<string, Pending>();
  /** Commands sent without an id, in order; an entry stays until its reply comes, even once timed out, so a late reply is never another's. */
  private readonly unnamed: Pending[] = [];
  private readonly waiters = new Set<EventWaiter>();
  private nextId = 1;
  private closedError: QmpError | undefined;
  private readonly timeoutMs: number;
  private greetingValue: QmpGreeting | undefined;
  /** Settles with the greeting (the first line), or rejects: not QMP, closed first, or too late. */
  private readonly greeted: Promise<QmpGreeting>;
  private failGreeting: (err: QmpError) => void = () => undefined;

  private constructor(socket: Socket, timeoutMs: number) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    let onGreeting!: (line: string) => void;
    this.greeted = new Promise<QmpGreeting>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new QmpError('timeout', `no QMP greeting within ${timeoutMs} ms`)), timeoutMs);
      onGreeting = (line) => {
        clearTimeout(timer);
        const greeting = parseGreeting(line);
        if (!greeting) return this.fail(new QmpError('protocol', `not a QMP greeting: ${line.slice(0, 80)}`));
        this.greetingValue = greeting;
        resolve(greeting);
      };
      this.failGreeting = (err) => {
        clearTimeout(timer);
        reject(err);
      };
    });
    this.greeted.catch(() => undefined); // observed by negotiate(); a later failure must not be unhandled
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        if (this.greetingValue) this.dispatch(line);
        else if (!this.closedError) onGreeting(line);
      }
    });
    socket.on('close', () => this.failAll(new QmpError('closed', this.greetingValue ? 'QMP connection closed' : 'QMP closed before the greeting')));
    socket.on('error', (err) => this.failAll(new QmpError('closed', `QMP socket error: ${err.message}`)));
  }

  /** The server's greeting; set once `connect` / `handshake` / `negotiate` resolved. */
  get greeting(): QmpGreeting {
    if (!this.greetingValue) throw new QmpError('protocol', 'QMP greeting not received yet');
    return this.greetingValue;
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
    return (await QmpClient.negotiate(socket, [], opts)).client;
  }

  /**
   * `handshake`, with `pipeline` written right behind `qmp_capabilities` in
   * the same burst. Resolves once the greeting and the capabilities reply are
   * in (QEMU's start-up is over then); `replies` settle later, in order, each
   * with its command's return value or QmpError, and are never unhandled.
   */
  static async negotiate(socket: Socket, pipeline: readonly QmpCommand[], opts: QmpOptions = {}): Promise<{ client: QmpClient; replies: Promise<unknown>[] }> {
    const client = new QmpClient(socket, opts.timeoutMs ?? 10_000);
    const caps = client.send('qmp_capabilities', undefined, undefined);
    const replies = pipeline.map((c) => client.send(c.execute, c.arguments, undefined));
    for (const p of [caps, ...replies]) p.catch(() => undefined);
    try {
      await client.greeted;
      await caps;
    } catch (e) {
      client.close();
      throw e;
    }
    return { client, replies };
  }

  /** Runs a command; resolves with its `return` value, rejects with QmpError on `error`. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = this.timeoutMs): Promise<T> {
    return this.send(command, args, `mc-${this.nextId++}`, timeoutMs);
  }

  /** Writes one command, tagged with `id` or, without one, answered in its turn among the unnamed. */
  private send<T>(command: string, args: Record<string, unknown> | undefined, id: string | undefined, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const msg = JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), ...(id !== undefined ? { id } : {}) });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (id !== undefined) this.pending.delete(id);
        reject(new QmpError('timeout', `QMP command ${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const entry: Pending = { resolve: resolve as (v: unknown) => void, reject, timer };
      if (id !== undefined) this.pending.set(id, entry);
      else this.unnamed.push(entry);
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

  /** Whether the open connection alone keeps the Node process alive (it does by default). */
  keepAlive(on: boolean): void {
    if (on) this.socket.ref();
    else this.socket.unref();
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
    const p = id === undefined ? this.unnamed.shift() : this.pending.get(id);
    if (!p) return;
    if (id !== undefined) this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const e = msg.error as { class?: string; desc?: string };
      p.reject(new QmpError(e.class ?? 'GenericError', e.desc ?? 'QMP error'));
    } else {
      p.resolve(msg.return);
    }
  }

  /** A protocol failure: everything pending fails and the connection is dropped. */
  private fail(err: QmpError): void {
    this.failAll(err);
    this.socket.destroy();
  }

  private failAll(err: QmpError): void {
    if (this.closedError) return;
    this.closedError = err;
    if (!this.greetingValue) this.failGreeting(err);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    for (const p of this.unnamed.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiters.clear();
  }
}

/** The greeting object of QMP's first line, or undefined when the line is not one. */
function parseGreeting(line: string): QmpGreeting | undefined {
  try {
    const msg = JSON.parse(line) as { QMP?: QmpGreeting };
    return msg.QMP && typeof msg.QMP === 'object' ? msg.QMP : undefined;
  } catch {
    return undefined;
  }
}
