import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { QmpClient } from '../qmp/index.js';

/** What a real binary is and offers, read from the binary itself. */

export interface QemuVersion {
  major: number;
  minor: number;
  micro: number;
  /** Distribution package string, e.g. `Debian 1:7.2+dfsg-7+deb12u18+b3`. */
  package: string;
  /** `7.2.22`. */
  text: string;
}

export interface MachineInfo {
  name: string;
  description: string;
  /** `pc` is an alias of `pc-i440fx-7.2`: the target machine's name. */
  aliasOf?: string;
  isDefault: boolean;
  deprecated: boolean;
}

/** One row of HMP `info ramblock`. Lengths fit a JS number far beyond any guest we run (2^53). */
export interface RamBlockInfo {
  idstr: string;
  pageSize: number;
  offset: number;
  used: number;
  max: number;
}

const RUN_TIMEOUT_MS = 20_000;

export async function queryVersion(qemuPath: string): Promise<QemuVersion> {
  const r = await execa(qemuPath, ['--version'], { timeout: RUN_TIMEOUT_MS, env: { LC_ALL: 'C' } });
  return parseVersion(r.stdout);
}

/** Parses `QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)`. */
export function parseVersion(text: string): QemuVersion {
  const m = /version (\d+)\.(\d+)\.(\d+)(?:\s*\(([^)]*)\))?/.exec(text);
  if (!m) throw new Error(`cannot parse QEMU version from: ${text.split('\n')[0] ?? ''}`);
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    micro: Number(m[3]),
    package: m[4] ?? '',
    text: `${m[1]}.${m[2]}.${m[3]}`,
  };
}

export async function listMachines(qemuPath: string): Promise<MachineInfo[]> {
  const r = await execa(qemuPath, ['-machine', 'help'], { timeout: RUN_TIMEOUT_MS, env: { LC_ALL: 'C' } });
  return parseMachineHelp(r.stdout);
}

/** Parses `-machine help`: a header line, then `name   description [(alias of X)] [(default)] [(deprecated)]`. */
export function parseMachineHelp(text: string): MachineInfo[] {
  const out: MachineInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(.*?)\s*$/.exec(line);
    if (!m || line.startsWith('Supported machines')) continue;
    const name = m[1]!;
    let description = m[2] ?? '';
    const alias = /\(alias of ([^)]+)\)/.exec(description);
    const isDefault = description.includes('(default)');
    const deprecated = description.includes('(deprecated)');
    description = description.replace(/\s*\((alias of [^)]+|default|deprecated)\)/g, '').trim();
    out.push({ name, description, isDefault, deprecated, ...(alias ? { aliasOf: alias[1]! } : {}) });
  }
  return out;
}

export async function ramBlocks(qmp: QmpClient): Promise<RamBlockInfo[]> {
  return parseRamBlockTable(await qmp.hmp('info ramblock'));
}

/**
 * Parses HMP `info ramblock`:
 * `  Block Name    PSize   Offset   Used   Total` then rows like
 * `  pc.ram    4 KiB  0x0000000000000000 0x0000000002000000 0x0000000002000000`.
 * Parsed from the right, since the page size has a space in it and the name comes first.
 */
export function parseRamBlockTable(text: string): RamBlockInfo[] {
  const out: RamBlockInfo[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const words = raw.trim().split(/\s+/);
    if (words.length < 6 || words[0] === 'Block') continue;
    const [sizeNum, unit, offset, used, max] = words.slice(-5) as [string, string, string, string, string];
    if (!/^0x[0-9a-f]+$/i.test(used) || !/^0x[0-9a-f]+$/i.test(max)) continue;
    out.push({
      idstr: words.slice(0, -5).join(' '),
      pageSize: Number(sizeNum) * unitBytes(unit),
      offset: Number(BigInt(offset)),
      used: Number(BigInt(used)),
      max: Number(BigInt(max)),
    });
  }
  return out;
}

function unitBytes(unit: string): number {
  const units: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
  return units[unit] ?? 1;
}

/** `-dump-vmstate FILE` for a machine type: the destination's section versions and fields. */
export async function dumpVmstate(qemuPath: string, machine: string): Promise<unknown> {
  return JSON.parse(await dumpVmstateText(qemuPath, machine)) as unknown;
}

/** The -dump-vmstate file as QEMU wrote it (kept byte for byte in the corpus). */
export async function dumpVmstateText(qemuPath: string, machine: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migcompat-dump-'));
  try {
    const file = join(dir, 'vmstate.json');
    await execa(qemuPath, ['-machine', machine, '-accel', 'tcg', '-nodefaults', '-display', 'none', '-dump-vmstate', file], {
      timeout: RUN_TIMEOUT_MS,
      stdin: 'ignore',
      env: { LC_ALL: 'C' },
    });
    return await readFile(file, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
