import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Manifest, ManifestEntry } from '../../harness/targets/capture-corpus.js';

/** The committed real-QEMU corpus, read the way any suite should read it. */

export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../corpus/qemu-7.2');

export function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(CORPUS_DIR, 'manifest.json'), 'utf8')) as Manifest;
}

export function readCorpusStream(entry: Pick<ManifestEntry, 'file'>): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(CORPUS_DIR, entry.file))));
}

export function readCorpusBytes(file: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(CORPUS_DIR, file))));
}

export function readCorpusJson(file: string): unknown {
  return JSON.parse(Buffer.from(readCorpusBytes(file)).toString('utf8')) as unknown;
}
