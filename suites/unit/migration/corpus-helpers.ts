import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The committed real QEMU 7.2 captures (corpus/qemu-7.2, made by the QEMU-target helper). */
export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../corpus/qemu-7.2');

export interface ManifestStream {
  file: string;
  name: string;
  machine: string;
  devices: string[];
  size: number;
  ramBlocks: { idstr: string; pageSize: number; used: number; max: number }[];
}

export function manifest(): { streams: ManifestStream[] } {
  return JSON.parse(readFileSync(join(CORPUS_DIR, 'manifest.json'), 'utf8')) as { streams: ManifestStream[] };
}

export function corpusStream(file: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(CORPUS_DIR, file))));
}

export function corpusText(file: string): string {
  const raw = readFileSync(join(CORPUS_DIR, file));
  return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

export const haveCorpus = existsSync(join(CORPUS_DIR, 'manifest.json'));
