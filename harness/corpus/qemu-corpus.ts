import { join } from 'node:path';
import { parseStream, profileFromCapture, destinationFromProfile, type Destination, type QemuProfile } from '../../src/migration/index.js';
import { readJsonFile, readStreamFile } from '../io/stream-file.js';
import { packageRoot } from './package-root.js';

/**
 * The committed real-QEMU captures (corpus/qemu-7.2, see its manifest.json)
 * as the codec suites and benchmarks use them: the stream bytes, and a
 * destination profile of the machine that wrote it (sections and versions
 * from the stream and -dump-vmstate, RAM blocks from `info ramblock`).
 */
export interface CorpusEntry {
  name: string;
  file: string;
  machine: string;
  devices: string[];
  ram: string;
  sha256: string;
  size: number;
  ramBlocks: { idstr: string; pageSize: number; used: number; max: number }[];
}

interface Manifest {
  qemuVersion: string;
  streams: CorpusEntry[];
  vmstateDumps?: { file: string; machine: string }[];
}

export function corpusDir(name = 'qemu-7.2'): string {
  return join(packageRoot(), 'corpus', name);
}

export function readManifest(dir = corpusDir()): Manifest {
  return readJsonFile(join(dir, 'manifest.json')) as Manifest;
}

export function corpusEntries(dir = corpusDir()): CorpusEntry[] {
  return readManifest(dir).streams;
}

export function corpusEntry(name: string, dir = corpusDir()): CorpusEntry {
  const e = corpusEntries(dir).find((s) => s.name === name);
  if (!e) throw new Error(`no corpus stream named '${name}' in ${dir}`);
  return e;
}

export function corpusStream(entry: CorpusEntry, dir = corpusDir()): Uint8Array {
  return readStreamFile(join(dir, entry.file));
}

/**
 * The -dump-vmstate of the same binary for the entry's machine family:
 * section versions do not depend on the machine type, and the dump lists
 * every device class, so the family's newest dump serves every version.
 */
export function dumpFor(entry: CorpusEntry, dir = corpusDir()): unknown {
  const dumps = readManifest(dir).vmstateDumps ?? [];
  const family = entry.machine.startsWith('pc-q35') ? 'pc-q35' : 'pc-i440fx';
  const dump = dumps.find((d) => d.machine.startsWith(family)) ?? dumps[0];
  return dump ? readJsonFile(join(dir, dump.file)) : undefined;
}

export function corpusProfile(entry: CorpusEntry, dir = corpusDir()): QemuProfile {
  const capture = parseStream(corpusStream(entry, dir));
  return profileFromCapture({ capture, ramBlocks: entry.ramBlocks, dumpVmstate: dumpFor(entry, dir), machine: entry.machine });
}

export function corpusDestination(entry: CorpusEntry, dir = corpusDir()): Destination {
  return destinationFromProfile(corpusProfile(entry, dir));
}
