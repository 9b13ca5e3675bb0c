/**
 * The one interface the matrix and the fuzzer drive, whether the build is
 * simulated in-process or a real QEMU binary.
 *
 * A target boots a machine and saves it to a stream, or loads a stream into a
 * fresh machine and says what happened. The verdict is data, never an
 * exception: a refusal is the destination doing its job, and a hang or a crash
 * is a finding, not a harness failure.
 */

/** What to run: QEMU's own words, so the same spec drives a simulated build and a real binary. */
export interface MachineSpec {
  /** Machine type, e.g. `pc-q35-7.2`, `isapc`. */
  machine: string;
  /** `-device` words, e.g. `e1000`, `vmgenid,guid=...`. */
  devices?: readonly string[];
  /** `-m` syntax, e.g. `32M`; default 32M. */
  ram?: string;
  /** `-smp` words, e.g. `1,maxcpus=12`; default one CPU. */
  smp?: string;
  /** `-object` words, e.g. `memory-backend-ram,id=hmem,size=4M,share=on` for `ivshmem-plain,memdev=hmem`. */
  objects?: readonly string[];
}

export type VerdictKind = 'accepted' | 'refused' | 'hang' | 'crash' | 'harness-error';

export type Verdict =
  | { kind: 'accepted' }
  /** The destination refused: a check code and its message (for QEMU, its own error lines). */
  | { kind: 'refused'; code: string; message: string }
  /** Nothing decided within the time limit; the target was killed. */
  | { kind: 'hang'; message: string }
  /** The target died by a signal or an abort, or exited in a way that is not a clean refusal. */
  | { kind: 'crash'; message: string; signal?: string; exitCode?: number }
  /** The harness could not run the case (bad binary, unknown machine type, socket failure...). */
  | { kind: 'harness-error'; message: string };

export interface LoadOutcome {
  verdict: Verdict;
  /** Wall time of the load, in ms. */
  durationMs: number;
  /** Diagnostic text the target printed (QEMU's stderr), kept for reports. */
  log: string[];
}

export type SaveOutcome =
  | { ok: true; stream: Uint8Array; durationMs: number; log: string[] }
  | { ok: false; verdict: Exclude<Verdict, { kind: 'accepted' }>; durationMs: number; log: string[] };

export interface LoadOptions {
  /** Give up after this many ms and classify as `hang` (default chosen by the target). */
  timeoutMs?: number;
}

export interface SaveOptions {
  timeoutMs?: number;
}

export interface Target {
  /** Stable name for reports: `qemu:/usr/bin/qemu-system-x86_64`, `sim:7.2`. */
  readonly id: string;
  /** Boots `spec` (paused), migrates it out and returns the stream. */
  save(spec: MachineSpec, opts?: SaveOptions): Promise<SaveOutcome>;
  /** Starts a fresh destination for `spec` and feeds it `stream`. */
  load(spec: MachineSpec, stream: Uint8Array, opts?: LoadOptions): Promise<LoadOutcome>;
}

/** Human one-liner, the form `migcompat load` prints. */
export function describeVerdict(v: Verdict): string {
  switch (v.kind) {
    case 'accepted':
      return 'accepted';
    case 'refused':
      return `refused: ${v.code}: ${v.message}`;
    case 'hang':
      return `hang: ${v.message}`;
    case 'crash':
      return `crash: ${v.message}`;
    case 'harness-error':
      return `harness-error: ${v.message}`;
  }
}

/**
 * The exit status `migcompat load` uses: 0 accepted, 1 refused or a finding
 * about the target (hang, crash), 2 when the harness could not run the case.
 */
export function exitCodeFor(v: Verdict): 0 | 1 | 2 {
  if (v.kind === 'accepted') return 0;
  return v.kind === 'harness-error' ? 2 : 1;
}
