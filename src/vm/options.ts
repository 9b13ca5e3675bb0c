/**
 * Boot options in QEMU's own words: `-device` strings and `-m` sizes, so a
 * simulated build and a real binary are driven by the same text.
 * (src/ cannot import the CLI's parser in harness/, so the few rules live here.)
 */
import { BootError } from './boot-error.js';

export interface BootOptions {
  /** QEMU -device words: `e1000`, `vmgenid,guid=...`, `e1000,romfile=`. */
  devices?: readonly string[];
  /** QEMU -m words (`32M`, `1G`, `512` = MiB) or bytes. Default 32M. */
  ram?: string | bigint;
  /** Workload seed; default 1. */
  seed?: number;
  /** QEMU -smp words: `1,maxcpus=12` (one vCPU is modelled; maxcpus sizes the ACPI tables). */
  smp?: string;
}

export interface DeviceWord {
  driver: string;
  props: Record<string, string>;
  raw: string;
}

export function parseDeviceWord(raw: string): DeviceWord {
  const [driver = '', ...rest] = raw.split(',');
  if (!/^[A-Za-z0-9_.-]+$/.test(driver)) throw new BootError('bad-option', `invalid -device driver name: '${raw}'`);
  const props: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new BootError('bad-option', `invalid -device property '${part}' in '${raw}' (expected key=value)`);
    props[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { driver, props, raw };
}

const UNIT: Record<string, bigint> = { '': 1n << 20n, b: 1n, k: 1n << 10n, m: 1n << 20n, g: 1n << 30n, t: 1n << 40n };

/** Bytes of guest RAM; QEMU rounds -m up to a whole page and so do we (8 KiB pages are not modelled). */
export function parseRamWords(ram: string | bigint | undefined): number {
  let bytes: bigint;
  if (ram === undefined) bytes = 32n << 20n;
  else if (typeof ram === 'bigint') bytes = ram;
  else {
    const m = /^(\d+)([bkmgtBKMGT]?)$/.exec(ram.trim());
    if (!m) throw new BootError('bad-option', `invalid RAM size '${ram}' (QEMU -m syntax, e.g. 32M or 1G)`);
    bytes = BigInt(m[1]!) * UNIT[m[2]!.toLowerCase()]!;
  }
  if (bytes <= 0n) throw new BootError('bad-option', `RAM size must be positive`);
  // Sparse pages keep a large guest cheap, but lengths stay plain numbers (<= 2^53).
  if (bytes > 1n << 44n) throw new BootError('bad-option', `RAM size ${bytes} is above the 16 TiB the simulator models`);
  const page = 4096n;
  return Number(((bytes + page - 1n) / page) * page);
}
