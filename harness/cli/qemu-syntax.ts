import { UsageError } from './usage-error.js';

/**
 * QEMU's own command-line words, so the same `--device` and `--ram` strings
 * drive a simulated build and a real binary.
 */

export interface DeviceSpec {
  driver: string;
  props: Record<string, string>;
  /** The original `-device` argument, passed through verbatim to real QEMU. */
  raw: string;
}

/** `e1000`, `e1000,romfile=`, `vmgenid,guid=...`: driver then key=value pairs. */
export function parseDevice(raw: string): DeviceSpec {
  const parts = raw.split(',');
  const driver = parts[0] ?? '';
  if (!/^[A-Za-z0-9_.-]+$/.test(driver)) throw new UsageError(`invalid -device driver name: '${raw}'`);
  const props: Record<string, string> = {};
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid -device property '${part}' in '${raw}' (expected key=value)`);
    props[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { driver, props, raw };
}

const SUFFIX: Record<string, bigint> = {
  '': 1n << 20n, // QEMU's -m default unit is MiB
  b: 1n,
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
};

/** QEMU's `-m` syntax: `32M`, `1G`, `512` (MiB), `4096K`. Returns bytes. */
export function parseRamSize(raw: string): bigint {
  const m = /^(\d+)([bkmgtBKMGT]?)$/.exec(raw.trim());
  if (!m) throw new UsageError(`invalid RAM size '${raw}' (QEMU -m syntax, e.g. 32M or 1G)`);
  const bytes = BigInt(m[1]!) * SUFFIX[m[2]!.toLowerCase()]!;
  if (bytes === 0n) throw new UsageError(`RAM size must be positive: '${raw}'`);
  return bytes;
}
