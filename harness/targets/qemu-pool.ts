import type { QemuProcess } from './qemu-process.js';
import { withQemuSlot } from './qemu-slots.js';
import { destinationZygote, loadInto, startDestination, startFailure, type QemuLoadOptions, type QemuLoadOutcome } from './qemu-target.js';
import type { QemuZygote } from './qemu-zygote.js';
import type { MachineSpec } from './target.js';

/**
 * Destinations started ahead of their loads, for a caller that loads many
 * streams into the same binary and machine (the fuzzer). A QEMU start is
 * ~20 ms of CPU and more of wall time, the load itself a few ms: while one
 * destination loads, the next is already starting, and a load takes a ready
 * one (`-S -incoming defer`, QMP negotiated, `migrate-incoming` sent) instead
 * of waiting for its start-up.
 *
 * Where it can (qemu-zygote.ts), destinations are forked from a zygote
 * instead of exec'd: the same binary and argv, going on from QEMU's last
 * point before it owns a thread or kernel object (QOM types registered and
 * classes initialized), without repeating what every start does up to it.
 *
 * Bounded: at most `size` destinations are starting or waiting at a time,
 * besides those a caller has taken. The machine-wide QEMU slots
 * (qemu-slots.ts) are held by loads, as `loadIntoQemu` holds them; the starts
 * ahead of demand run beside them, so a pool of 2 behind 2 loads is at most 4
 * QEMUs. Cleaned up: a waiting destination does
 * not keep Node alive (the registry kills it on exit, setpriv's parent-death
 * signal if Node is killed), is killed after `idleMs` without a take, and
 * `close()` kills them all. A destination that died while waiting is
 * discarded, never handed out: its death says nothing about any input.
 */
export interface DestinationPoolOptions {
  qemuPath: string;
  spec: MachineSpec;
  /** Destinations kept starting or ready (default 2). */
  size?: number;
  /** Parent of the private temp dirs (default: qemu-process.ts defaultTempRoot). */
  tmpRoot?: string;
  /** A ready destination not taken within this many ms is killed (default 1000). */
  idleMs?: number;
  /** Fork destinations from a zygote where one can be had (qemu-zygote.ts; default true). */
  zygote?: boolean;
}

type Waiter = (got: { qemu: QemuProcess } | { error: unknown }) => void;

export class DestinationPool {
  private readonly ready: QemuProcess[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly starts = new Set<Promise<void>>();
  private readonly idleTimers = new Map<QemuProcess, NodeJS.Timeout>();
  private closed = false;
  /** Set when a start failed: no more starts ahead of demand until one succeeds. */
  private failing = false;
  private readonly size: number;
  private readonly idleMs: number;
  private zygote: Promise<QemuZygote | undefined> | undefined;
  private forked: QemuZygote['forkPoint'] | undefined;

  constructor(private readonly o: DestinationPoolOptions) {
    this.size = o.size ?? 2;
    this.idleMs = o.idleMs ?? 1_000;
  }

  /**
   * A destination armed for its stream, now the caller's (it must be loaded
   * into, or killed). A ready one if there is one, else the next one starting,
   * else a fresh start; rejects with the start's error (QemuStartError) when
   * QEMU cannot start. Tops the pool up behind itself.
   */
  async take(): Promise<QemuProcess> {
    if (this.closed) throw new Error('destination pool is closed');
    const got = await this.next();
    this.refill();
    if ('error' in got) throw got.error;
    return got.qemu;
  }

  /**
   * `loadIntoQemu` on a destination from the pool: the same verdict rules, a
   * start failure is a harness-error with QEMU's words, and the destination
   * is gone when this resolves.
   */
  load(stream: Uint8Array, opts: QemuLoadOptions = {}): Promise<QemuLoadOutcome> {
    return withQemuSlot(async () => {
      const started = Date.now();
      let qemu: QemuProcess;
      try {
        qemu = await this.take();
      } catch (e) {
        return startFailure(e, started);
      }
      return loadInto(qemu, stream, opts, started);
    });
  }

  /** Number of destinations starting or waiting (not counting taken ones). */
  get pending(): number {
    return this.ready.length + this.starts.size;
  }

  /** Number of destinations started and waiting for a take. */
  get waiting(): number {
    return this.ready.length;
  }

  /** Starts `size` destinations ahead (if not already) and resolves when every start under way has ended. */
  async fill(): Promise<void> {
    this.refill();
    await Promise.all([...this.starts]);
  }

  /** Kills every waiting destination and those still starting; the pool takes no more. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w({ error: new Error('destination pool is closed') });
    const waiting = this.ready.splice(0);
    for (const t of this.idleTimers.values()) clearTimeout(t);
    this.idleTimers.clear();
    await Promise.all([...waiting.map((q) => q.kill()), ...this.starts]);
    await (await this.zygote)?.close();
  }

  private async next(): Promise<{ qemu: QemuProcess } | { error: unknown }> {
    for (let q = this.ready.shift(); q; q = this.ready.shift()) {
      this.stopIdleTimer(q);
      if (q.exit) {
        await q.kill(); // died waiting (killed from outside): removes its dir
        continue;
      }
      q.keepAlive(true);
      return { qemu: q };
    }
    if (this.starts.size > this.waiters.length) return new Promise<{ qemu: QemuProcess } | { error: unknown }>((resolve) => this.waiters.push(resolve));
    try {
      const qemu = await this.start();
      this.failing = false;
      return { qemu };
    } catch (error) {
      return { error };
    }
  }

  /** One destination: forked from the zygote while it lives, else spawned. */
  private async start(): Promise<QemuProcess> {
    if (this.o.zygote !== false) this.zygote ??= destinationZygote(this.o.qemuPath, this.o.spec);
    const zygote = await this.zygote;
    this.forked = zygote?.alive === true ? zygote.forkPoint : undefined;
    return startDestination(this.o.qemuPath, this.o.spec, this.o.tmpRoot, this.forked ? zygote : undefined);
  }

  /** Where the last destination forked from a zygote started (undefined before any start, or exec'd). */
  get forkPoint(): QemuZygote['forkPoint'] | undefined {
    return this.forked;
  }

  private refill(): void {
    while (!this.closed && !this.failing && this.pending < this.size) this.startOne();
  }

  private startOne(): void {
    const start: Promise<void> = this.start().then(
      async (qemu) => {
        this.starts.delete(start);
        this.failing = false;
        if (this.closed) await qemu.kill(); // close() awaits this start, so the kill too
        else this.arrive(qemu);
      },
      (error: unknown) => {
        this.starts.delete(start);
        this.failing = true;
        this.waiters.shift()?.({ error });
      },
    );
    this.starts.add(start);
  }

  /** A started destination goes to the longest waiting take, else waits itself. */
  private arrive(qemu: QemuProcess): void {
    const waiter = this.waiters.shift();
    if (waiter) return waiter({ qemu });
    qemu.keepAlive(false);
    this.ready.push(qemu);
    const timer = setTimeout(() => {
      const i = this.ready.indexOf(qemu);
      this.idleTimers.delete(qemu);
      if (i < 0) return;
      this.ready.splice(i, 1);
      void qemu.kill();
    }, this.idleMs);
    timer.unref();
    this.idleTimers.set(qemu, timer);
  }

  private stopIdleTimer(q: QemuProcess): void {
    const t = this.idleTimers.get(q);
    if (t) clearTimeout(t);
    this.idleTimers.delete(q);
  }
}
