import { afterAll, describe, expect, it } from 'vitest';
import { loadIntoQemu } from '../../harness/targets/qemu-target.js';
import type { Verdict } from '../../harness/targets/target.js';
import { parseStream } from '../../src/migration/index.js';
import { readCorpusJson, readCorpusStream, readManifest } from './corpus-files.js';
import { ourVerdict, rootCause, simulatedVerdict } from './loader-vs-qemu.js';
import { assertNoQemuLeft, describeQemu } from './qemu-env.js';

/**
 * QEMU_VM_COMMAND records inserted before the first section of the committed
 * pc-q35-7.2 stream, loaded by real QEMU 7.2 over a unix socket and by our
 * loader (profiled from the capture, and the simulated 7.2 machine). The
 * expected lines are what QEMU 7.2 printed (migration/savevm.c
 * loadvm_process_command and its handlers; errno text from
 * process_incoming_migration_co). Command numbers are 7.2's enum qemu_vm_cmd:
 * 1 OPEN_RETURN_PATH, 2 PING, 3 POSTCOPY_ADVISE, 4 POSTCOPY_LISTEN,
 * 5 POSTCOPY_RUN, 6 POSTCOPY_RAM_DISCARD, 7 PACKAGED, 8 ENABLE_COLO,
 * 9 POSTCOPY_RESUME, 10 RECV_BITMAP; 11 is MIG_CMD_MAX.
 */
const MACHINE = 'pc-q35-7.2';
const EINVAL = 'load of migration failed: Invalid argument';
const EPERM = 'load of migration failed: Operation not permitted';
const ERANGE = 'load of migration failed: Numerical result out of range';
const EAGAIN = 'load of migration failed: Resource temporarily unavailable';

type Cmd = [cmd: number, len: number, data?: number[]];

interface Case {
  name: string;
  cmds: Cmd[];
  /** QEMU's verdict: accepted (with these warning lines), or refused with these lines. */
  qemu: { kind: 'accepted'; warnings?: string[] } | { kind: 'refused'; lines: string[] };
  /** Our check code for a refusal. */
  code?: string;
}

const pcRam = [6, ...Buffer.from('pc.ram')];
const refused = (code: string, ...lines: string[]): Pick<Case, 'qemu' | 'code'> => ({ qemu: { kind: 'refused', lines }, code });

function cases(base: Uint8Array): Case[] {
  // After the PACKAGED command's length field, what remains is the stream from its first section on.
  const rest = base.length - firstSectionOffset(base);
  return [
  { name: 'open-return-path', cmds: [[1, 0]], qemu: { kind: 'accepted' } },
  { name: 'open-return-path-twice', cmds: [[1, 0], [1, 0]], qemu: { kind: 'accepted', warnings: ['CMD_OPEN_RETURN_PATH called when RP already open'] } },
  { name: 'open-return-path-bad-length', cmds: [[1, 1, [0]]], ...refused('stream.command-length', 'OPEN_RETURN_PATH received with bad length - expecting 0, got 1', ERANGE) },
  { name: 'invalid-0', cmds: [[0, 0]], ...refused('stream.command-unknown', 'MIG_CMD 0x0 unknown (len 0x0)', EINVAL) },
  { name: 'max-11', cmds: [[11, 0]], ...refused('stream.command-unknown', 'MIG_CMD 0xb unknown (len 0x0)', EINVAL) },
  { name: 'unknown-12', cmds: [[12, 3, [1, 2, 3]]], ...refused('stream.command-unknown', 'MIG_CMD 0xc unknown (len 0x3)', EINVAL) },
  { name: 'ping-without-return-path', cmds: [[2, 4, [0, 0, 0, 7]]], ...refused('stream.command-state', 'CMD_PING (0x7) received with no return path', EPERM) },
  { name: 'ping-after-return-path', cmds: [[1, 0], [2, 4, [0, 0, 0, 7]]], qemu: { kind: 'accepted' } },
  { name: 'ping-bad-length', cmds: [[2, 0]], ...refused('stream.command-length', 'PING received with bad length - expecting 4, got 0', ERANGE) },
  { name: 'advise-empty', cmds: [[3, 0]], qemu: { kind: 'accepted' } },
  { name: 'advise-twice', cmds: [[3, 0], [3, 0]], ...refused('stream.command-state', 'CMD_POSTCOPY_ADVISE in wrong postcopy state (1)', EPERM) },
  { name: 'advise-16', cmds: [[3, 16, [0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 16, 0]]], ...refused('stream.command-invalid', 'RAM postcopy is disabled but have 16 byte advise', EINVAL) },
  { name: 'advise-8', cmds: [[3, 8, [0, 0, 0, 0, 0, 0, 0, 0]]], ...refused('stream.command-invalid', 'CMD_POSTCOPY_ADVISE invalid length (8)', EINVAL) },
  { name: 'listen-without-advise', cmds: [[4, 0]], ...refused('stream.command-state', 'CMD_POSTCOPY_LISTEN in wrong postcopy state (0)', EPERM) },
  { name: 'run-without-listen', cmds: [[5, 0]], ...refused('stream.command-state', 'CMD_POSTCOPY_RUN in wrong postcopy state (0)', EPERM) },
  { name: 'discard-without-advise', cmds: [[6, 0]], ...refused('stream.command-state', 'CMD_POSTCOPY_RAM_DISCARD in wrong postcopy state (0)', EPERM) },
  { name: 'discard-short', cmds: [[3, 0], [6, 3, [0, 0, 0]]], ...refused('stream.command-invalid', 'CMD_POSTCOPY_RAM_DISCARD invalid length (3)', EPERM) },
  { name: 'packaged-bad-length', cmds: [[7, 0]], ...refused('stream.command-length', 'PACKAGED received with bad length - expecting 4, got 0', ERANGE) },
  // The package is the next `length` bytes: here the rest of the stream plus one, so the read comes up short.
  { name: 'packaged-beyond-stream', cmds: [[7, 4, [1, 0, 0, 1]]], ...refused('stream.command-invalid', `CMD_PACKAGED: Buffer receive fail ret=${rest} length=16777217`, EAGAIN) },
  { name: 'enable-colo-bad-length', cmds: [[8, 1, [0]]], ...refused('stream.command-length', '(null) received with bad length - expecting 0, got 1', ERANGE) },
  { name: 'resume-outside-recovery', cmds: [[9, 0]], qemu: { kind: 'accepted', warnings: ['loadvm_postcopy_handle_resume: illegal resume received'] } },
  { name: 'resume-bad-length', cmds: [[9, 1, [0]]], ...refused('stream.command-length', 'POSTCOPY_RESUME received with bad length - expecting 0, got 1', ERANGE) },
  { name: 'recv-bitmap', cmds: [[10, 7, pcRam]], qemu: { kind: 'accepted', warnings: ['migrate_send_rp_recv_bitmap: MSG_RP_RECV_BITMAP only used for recovery'] } },
  { name: 'recv-bitmap-unknown-block', cmds: [[1, 0], [10, 4, [3, 120, 120, 120]]], ...refused('stream.command-invalid', "loadvm_handle_recv_bitmap: block 'xxx' not found", EINVAL) },
  // len 0, but the name is read anyway: the next section's type byte (START, 1) counts one byte.
  { name: 'recv-bitmap-bad-length', cmds: [[10, 0]], ...refused('stream.command-invalid', 'loadvm_handle_recv_bitmap: invalid payload length (0)', EINVAL) },
  ];
}

function firstSectionOffset(base: Uint8Array): number {
  return parseStream(base, { decodeDevices: false }).items[0]!.offset;
}

function withCommands(base: Uint8Array, cmds: Cmd[]): Uint8Array {
  const at = firstSectionOffset(base);
  const parts = cmds.map(([cmd, len, data = []]) => {
    const b = new Uint8Array(5 + data.length);
    const v = new DataView(b.buffer);
    b[0] = 0x08; // QEMU_VM_COMMAND
    v.setUint16(1, cmd);
    v.setUint16(3, len);
    b.set(data, 5);
    return b;
  });
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(base.length + n);
  out.set(base.subarray(0, at));
  let o = at;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  out.set(base.subarray(at), o);
  return out;
}

function checkOurs(c: Case, ours: Verdict, qemuLines: string[]): void {
  expect(ours.kind).toBe(c.qemu.kind);
  if (ours.kind !== 'refused') return;
  expect(ours.code).toBe(c.code);
  const cause = rootCause(qemuLines.join('\n'));
  if (cause !== undefined) expect(ours.message).toBe(cause);
}

describe('QEMU_VM_COMMAND: our loader', () => {
  const entry = readManifest().streams.find((s) => s.name === MACHINE)!;
  const base = readCorpusStream(entry);
  const dump = readCorpusJson('pc-q35-7.2.vmstate.json.gz');
  it.each(cases(base).map((c) => [c.name, c] as const))('%s gives 7.2\'s verdict and wording', (_n, c: Case) => {
    const bytes = withCommands(base, c.cmds);
    const lines = c.qemu.kind === 'refused' ? c.qemu.lines : [];
    checkOurs(c, ourVerdict(base, entry, dump, bytes), lines);
    checkOurs(c, simulatedVerdict({ machine: MACHINE }, bytes), lines);
  });
});

describeQemu('QEMU_VM_COMMAND: real QEMU 7.2 on a unix-socket incoming', (qemu) => {
  afterAll(() => {
    assertNoQemuLeft();
  });
  const entry = readManifest().streams.find((s) => s.name === MACHINE)!;
  const base = readCorpusStream(entry);

  describe.concurrent('each', () => {
    it.each(cases(base).map((c) => [c.name, c] as const))('%s', async (_n, c: Case) => {
      const r = await loadIntoQemu(qemu, { machine: MACHINE }, withCommands(base, c.cmds), { timeoutMs: 20_000 });
      const log = r.log.map((l) => l.replace(/^qemu-system-x86_64: /, '')).filter((l) => !/deprecated|has no peer/.test(l));
      expect(r.verdict.kind, log.join('\n')).toBe(c.qemu.kind);
      if (c.qemu.kind === 'accepted') expect(log).toEqual(c.qemu.warnings ?? []);
      else expect(log).toEqual(c.qemu.lines);
    });
  });

  it('ENABLE_COLO: 7.2 loads the stream, then waits for COLO checkpoints that never come (a hang; ours refuses)', async () => {
    const bytes = withCommands(base, [[8, 0]]);
    const r = await loadIntoQemu(qemu, { machine: MACHINE }, bytes, { timeoutMs: 8_000 });
    expect(r.verdict.kind).toBe('hang');
    expect(r.log.some((l) => l.includes("Can't receive COLO message"))).toBe(true);
    const ours = simulatedVerdict({ machine: MACHINE }, bytes);
    expect(ours.kind === 'refused' && ours.code).toBe('stream.unsupported-command');
  });
});
