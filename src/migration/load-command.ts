/**
 * QEMU_VM_COMMAND on a precopy incoming stream, as QEMU 7.2's
 * loadvm_process_command (migration/savevm.c) handles it on a socket
 * destination with no migration capabilities set. Checked against real
 * QEMU 7.2 (suites/qemu/commands.test.ts):
 *
 * - the command number and, for fixed-length commands, the length first
 *   ("MIG_CMD 0x%x unknown (len 0x%x)", "%s received with bad length -
 *   expecting %zu, got %d"; 7.2's table has no name for ENABLE_COLO, so
 *   glibc prints "(null)");
 * - OPEN_RETURN_PATH opens the return path (again: a warning, not fatal);
 *   PING needs it; POSTCOPY_ADVISE with no payload moves the postcopy state
 *   to ADVISE (postcopy-ram is off, so a 16-byte advise is refused);
 *   LISTEN, RUN and RAM_DISCARD need their postcopy states; POSTCOPY_RESUME
 *   outside recovery is only a warning; RECV_BITMAP reads a counted RAMBlock
 *   name and answers on the return path (only a warning outside recovery);
 *   PACKAGED runs the loader over the next `length` bytes.
 *
 * Not modelled (refused as stream.unsupported-command): postcopy listening
 * (7.2 hands the rest of the stream to its listen thread), a RAM_DISCARD
 * that would discard pages, and ENABLE_COLO (7.2 finishes the load and then
 * waits for COLO checkpoints forever: "Can't receive COLO message").
 */
import { LoadError, WireReader, latin1, type CheckCode, type CheckLog } from '../wire/index.js';
import type { Destination } from './destination.js';

/** enum qemu_vm_cmd of QEMU 7.2 (migration/savevm.c), with mig_cmd_args' lengths (-1: variable). */
export const MigCmd = {
  OPEN_RETURN_PATH: 1,
  PING: 2,
  POSTCOPY_ADVISE: 3,
  POSTCOPY_LISTEN: 4,
  POSTCOPY_RUN: 5,
  POSTCOPY_RAM_DISCARD: 6,
  PACKAGED: 7,
  ENABLE_COLO: 8,
  POSTCOPY_RESUME: 9,
  RECV_BITMAP: 10,
  MAX: 11,
} as const;

const ARGS: Record<number, { len: number; name: string }> = {
  1: { len: 0, name: 'OPEN_RETURN_PATH' },
  2: { len: 4, name: 'PING' },
  3: { len: -1, name: 'POSTCOPY_ADVISE' },
  4: { len: 0, name: 'POSTCOPY_LISTEN' },
  5: { len: 0, name: 'POSTCOPY_RUN' },
  6: { len: -1, name: 'POSTCOPY_RAM_DISCARD' },
  7: { len: 4, name: 'PACKAGED' },
  // 7.2's mig_cmd_args has no ENABLE_COLO entry: length 0, name NULL.
  8: { len: 0, name: '(null)' },
  9: { len: 0, name: 'POSTCOPY_RESUME' },
  10: { len: -1, name: 'RECV_BITMAP' },
};

/** PostcopyState: the only states a precopy load can reach here. */
const POSTCOPY_NONE = 0;
const POSTCOPY_ADVISE = 1;

/** MigrationIncomingState as far as commands go. */
export interface CommandState {
  returnPath: boolean;
  postcopy: number;
}

export interface CommandCtx {
  r: WireReader;
  dest: Destination;
  warnings: string[];
  commands: CommandState;
  log?: CheckLog;
  /** qemu_loadvm_state_main over a package: the loader's section loop on a reader of just those bytes. */
  loadPackage(r: WireReader): void;
}

function refuse(code: 'stream.command-unknown' | 'stream.command-length' | 'stream.command-state' | 'stream.command-invalid' | 'stream.unsupported-command', message: string, offset: number): never {
  throw new LoadError(code, message, offset, 'command');
}

/** loadvm_process_command; `offset` is the QEMU_VM_COMMAND byte's. */
export function loadCommand(ctx: CommandCtx, offset: number): void {
  const r = ctx.r;
  const cmd = r.u16();
  const len = r.u16();
  for (const code of checksOf(cmd)) ctx.log?.reached(code);
  if (cmd >= MigCmd.MAX || cmd === 0) refuse('stream.command-unknown', `MIG_CMD 0x${cmd.toString(16)} unknown (len 0x${len.toString(16)})`, offset);
  const args = ARGS[cmd]!;
  if (args.len !== -1 && args.len !== len) refuse('stream.command-length', `${args.name} received with bad length - expecting ${args.len}, got ${len}`, offset);
  const st = ctx.commands;
  switch (cmd) {
    case MigCmd.OPEN_RETURN_PATH:
      if (st.returnPath) ctx.warnings.push('CMD_OPEN_RETURN_PATH called when RP already open');
      st.returnPath = true;
      return;
    case MigCmd.PING: {
      const value = r.u32();
      if (!st.returnPath) refuse('stream.command-state', `CMD_PING (0x${value.toString(16)}) received with no return path`, offset);
      return;
    }
    case MigCmd.POSTCOPY_ADVISE:
      return advise(ctx, len, offset);
    case MigCmd.POSTCOPY_LISTEN:
      if (st.postcopy !== POSTCOPY_ADVISE) refuse('stream.command-state', `CMD_POSTCOPY_LISTEN in wrong postcopy state (${st.postcopy})`, offset);
      return refuse('stream.unsupported-command', 'CMD_POSTCOPY_LISTEN: postcopy listening (the rest of the stream loaded by the listen thread) is not modelled by migcompat', offset);
    case MigCmd.POSTCOPY_RUN:
      // Only a listening destination may run, and listening is refused above.
      return refuse('stream.command-state', `CMD_POSTCOPY_RUN in wrong postcopy state (${st.postcopy})`, offset);
    case MigCmd.POSTCOPY_RAM_DISCARD:
      if (st.postcopy !== POSTCOPY_ADVISE) refuse('stream.command-state', `CMD_POSTCOPY_RAM_DISCARD in wrong postcopy state (${st.postcopy})`, offset);
      // version, counted RAMBlock name, nil, then at least one (start, length) pair.
      if (len < 1 + 1 + 1 + 1 + 2 * 8) refuse('stream.command-invalid', `CMD_POSTCOPY_RAM_DISCARD invalid length (${len})`, offset);
      return refuse('stream.unsupported-command', 'CMD_POSTCOPY_RAM_DISCARD: discarding pages during postcopy advise is not modelled by migcompat', offset);
    case MigCmd.PACKAGED:
      return packaged(ctx, offset);
    case MigCmd.ENABLE_COLO:
      return refuse('stream.unsupported-command', "ENABLE_COLO: QEMU 7.2 would load the stream and then wait for COLO checkpoints (\"Can't receive COLO message\"); COLO is not modelled by migcompat", offset);
    case MigCmd.POSTCOPY_RESUME:
      // Outside postcopy recovery: "Don't fail the load, only for this."
      ctx.warnings.push('loadvm_postcopy_handle_resume: illegal resume received');
      return;
    case MigCmd.RECV_BITMAP:
      return recvBitmap(ctx, len, offset);
  }
}

/** The checks a command goes through (for the fuzzer's coverage). */
function checksOf(cmd: number): CheckCode[] {
  const out: CheckCode[] = ['stream.command-unknown', 'stream.command-length'];
  if (cmd === MigCmd.PING || (cmd >= MigCmd.POSTCOPY_ADVISE && cmd <= MigCmd.POSTCOPY_RAM_DISCARD)) out.push('stream.command-state');
  if (cmd === MigCmd.POSTCOPY_ADVISE || cmd === MigCmd.POSTCOPY_RAM_DISCARD || cmd === MigCmd.PACKAGED || cmd === MigCmd.RECV_BITMAP) out.push('stream.command-invalid');
  if (cmd === MigCmd.POSTCOPY_LISTEN || cmd === MigCmd.POSTCOPY_RAM_DISCARD || cmd === MigCmd.ENABLE_COLO) out.push('stream.unsupported-command');
  return out;
}

/** loadvm_postcopy_handle_advise with postcopy-ram off. */
function advise(ctx: CommandCtx, len: number, offset: number): void {
  const st = ctx.commands;
  const was = st.postcopy;
  st.postcopy = POSTCOPY_ADVISE;
  if (was !== POSTCOPY_NONE) refuse('stream.command-state', `CMD_POSTCOPY_ADVISE in wrong postcopy state (${was})`, offset);
  if (len === 0) return;
  if (len === 16) refuse('stream.command-invalid', 'RAM postcopy is disabled but have 16 byte advise', offset);
  refuse('stream.command-invalid', `CMD_POSTCOPY_ADVISE invalid length (${len})`, offset);
}

/**
 * loadvm_handle_cmd_packaged: the package is read whole first (a short one
 * fails like a short socket read, EAGAIN), then loaded as a stream of
 * sections of its own up to its EOF; bytes after that EOF are dropped.
 */
function packaged(ctx: CommandCtx, offset: number): void {
  const r = ctx.r;
  const length = r.u32();
  if (length > r.remaining) refuse('stream.command-invalid', `CMD_PACKAGED: Buffer receive fail ret=${r.remaining} length=${length}`, offset);
  const end = r.pos + length;
  // Offsets inside the package stay stream offsets; reading past it is a truncation.
  const pkg = new WireReader(r.buf.subarray(0, end), r.pos);
  pkg.budget = r.budget;
  ctx.loadPackage(pkg);
  r.pos = end;
}

/** loadvm_handle_recv_bitmap: the RAMBlock name is a counted string read whatever `len` says. */
function recvBitmap(ctx: CommandCtx, len: number, offset: number): void {
  const r = ctx.r;
  const n = r.atEnd() ? 0 : r.u8();
  const cnt = n > 0 && r.remaining >= n ? n : 0;
  if (cnt === 0) refuse('stream.command-invalid', 'loadvm_handle_recv_bitmap: failed to read block name', offset);
  const name = latin1(r.bytes(cnt, 'RECV_BITMAP block name'));
  if (len !== cnt + 1) refuse('stream.command-invalid', `loadvm_handle_recv_bitmap: invalid payload length (${len})`, offset);
  if (!ctx.dest.ram.blocks.some((b) => b.idstr === name)) refuse('stream.command-invalid', `loadvm_handle_recv_bitmap: block '${name}' not found`, offset);
  ctx.warnings.push('migrate_send_rp_recv_bitmap: MSG_RP_RECV_BITMAP only used for recovery');
}
