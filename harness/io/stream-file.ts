import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Streams on disk: raw, or gzipped (the committed corpus is). The gzip magic
 * decides, not the file name, so a renamed file still reads.
 */
export function readStreamFile(path: string): Uint8Array {
  const raw = readFileSync(path);
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes atomically (temp file then rename); gzips when the name ends in .gz. */
export function writeStreamFile(path: string, bytes: Uint8Array): void {
  const data = path.endsWith('.gz') ? gzipSync(bytes) : bytes;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function readJsonFile(path: string): unknown {
  const raw = readFileSync(path);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  return JSON.parse(text);
}
