/**
 * Output discipline shared by every command: with `--json` the machine form
 * goes to stdout and human text to stderr; without it human text goes to
 * stdout.
 */
export interface Output {
  json: boolean;
  /** Human-readable line. */
  say(line: string): void;
  /** The machine form (only printed with --json). */
  result(value: unknown): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    say(line) {
      (json ? process.stderr : process.stdout).write(line + '\n');
    },
    result(value) {
      if (json) process.stdout.write(JSON.stringify(value, jsonReplacer, 2) + '\n');
    },
  };
}

/** bigint and byte arrays have no JSON form of their own. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return value;
}
