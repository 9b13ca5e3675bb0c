import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { dumpVmstateText, listMachines, queryVersion, type RamBlockInfo } from './qemu-info.js';
import { machineArgs } from './qemu-process.js';
import { captureStream } from './qemu-target.js';
import type { MachineSpec } from './target.js';

/**
 * Captures real QEMU streams: every machine type the binary lists, and
 * pc-q35-7.2 with each optional device the seeds are about. The qemu suite
 * runs the full set live; `writeCorpus` commits a representative subset with a
 * manifest saying exactly how each file was made.
 *
 *   node dist/harness/targets/capture-corpus.js [--qemu PATH] [--out DIR] [--all]
 */

export const VMGENID_GUID = '324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87';

/** The device variants of issue 2, on pc-q35-7.2. */
export const DEVICE_VARIANTS: ReadonlyArray<{ name: string; devices: string[] }> = [
  { name: 'e1000', devices: ['e1000'] },
  { name: 'e1000-no-rom', devices: ['e1000,romfile='] },
  { name: 'virtio-net-pci', devices: ['virtio-net-pci'] },
  { name: 'vmgenid', devices: [`vmgenid,guid=${VMGENID_GUID}`] },
  { name: 'pvpanic-pci', devices: ['pvpanic-pci'] },
  { name: 'virtio-rng-pci', devices: ['virtio-rng-pci'] },
  {
    name: 'all-devices',
    devices: ['e1000', 'virtio-net-pci', `vmgenid,guid=${VMGENID_GUID}`, 'pvpanic-pci', 'virtio-rng-pci'],
  },
];

export const VARIANT_MACHINE = 'pc-q35-7.2';

/** The subset committed under corpus/qemu-7.2: both stream layouts, every board family, the device variants. */
export const COMMITTED = [
  'pc-q35-7.2',
  'pc-i440fx-7.2',
  'pc-i440fx-1.4',
  'pc-i440fx-2.0',
  'pc-i440fx-2.3',
  'pc-i440fx-2.4',
  'pc-q35-2.4',
  'isapc',
  'microvm',
  ...DEVICE_VARIANTS.map((v) => `${VARIANT_MACHINE}+${v.name}`),
];

export interface CaptureCase {
  /** `pc-q35-7.2`, or `pc-q35-7.2+e1000` for a device variant. */
  name: string;
  spec: MachineSpec;
}

export interface CapturedStream extends CaptureCase {
  stream: Uint8Array;
  ramBlocks: RamBlockInfo[];
  sha256: string;
}

export interface FailedCapture extends CaptureCase {
  error: string;
}

/** Every case: each machine type `-machine help` lists (aliases included), then the device variants. */
export async function captureCases(qemuPath: string): Promise<CaptureCase[]> {
  const machines = await listMachines(qemuPath);
  return [
    ...machines.map((m) => ({ name: m.name, spec: { machine: m.name } })),
    ...DEVICE_VARIANTS.map((v) => ({ name: `${VARIANT_MACHINE}+${v.name}`, spec: { machine: VARIANT_MACHINE, devices: v.devices } })),
  ];
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function captureCase(qemuPath: string, c: CaptureCase): Promise<CapturedStream | FailedCapture> {
  try {
    const r = await captureStream(qemuPath, c.spec);
    return { ...c, stream: r.stream, ramBlocks: r.ramBlocks, sha256: sha256(r.stream) };
  } catch (e) {
    return { ...c, error: (e as Error).message };
  }
}

/** Runs cases with at most `jobs` at once (the slot cap holds across processes as well). */
export async function captureAll(qemuPath: string, cases: readonly CaptureCase[], jobs = 2): Promise<Array<CapturedStream | FailedCapture>> {
  const out: Array<CapturedStream | FailedCapture> = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      out[i] = await captureCase(qemuPath, cases[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, cases.length) }, worker));
  return out;
}

export interface ManifestEntry {
  file: string;
  name: string;
  machine: string;
  devices: string[];
  ram: string;
  /** The QEMU words the source ran with (plus -S and the QMP chardev). */
  qemuArgs: string[];
  qemuVersion: string;
  qemuPackage: string;
  /** Of the uncompressed stream. */
  sha256: string;
  size: number;
  ramBlocks: Array<{ idstr: string; pageSize: number; used: number; max: number }>;
}

export interface Manifest {
  description: string;
  qemuVersion: string;
  qemuPackage: string;
  streams: ManifestEntry[];
  vmstateDumps: Array<{ file: string; machine: string; sha256: string }>;
}

export function fileNameFor(name: string): string {
  return `${name.replace(/[^A-Za-z0-9.+-]/g, '_')}.bin.gz`;
}

/** Writes the selected captures (gzipped), the -dump-vmstate JSON of the two 7.2 machine types and the manifest. */
export async function writeCorpus(
  qemuPath: string,
  outDir: string,
  captured: ReadonlyArray<CapturedStream | FailedCapture>,
  select: readonly string[] = COMMITTED,
): Promise<Manifest> {
  await mkdir(outDir, { recursive: true });
  const version = await queryVersion(qemuPath);
  const streams: ManifestEntry[] = [];
  for (const c of captured) {
    if (!('stream' in c) || !select.includes(c.name)) continue;
    const file = fileNameFor(c.name);
    await writeFile(join(outDir, file), gzipSync(c.stream, { level: 9 }));
    streams.push({
      file,
      name: c.name,
      machine: c.spec.machine,
      devices: [...(c.spec.devices ?? [])],
      ram: c.spec.ram ?? '32M',
      qemuArgs: [...machineArgs(c.spec), '-S'],
      qemuVersion: version.text,
      qemuPackage: version.package,
      sha256: c.sha256,
      size: c.stream.length,
      ramBlocks: c.ramBlocks.map((b) => ({ idstr: b.idstr, pageSize: b.pageSize, used: b.used, max: b.max })),
    });
  }
  const vmstateDumps: Manifest['vmstateDumps'] = [];
  for (const machine of ['pc-q35-7.2', 'pc-i440fx-7.2']) {
    const text = await dumpVmstateText(qemuPath, machine);
    const file = `${machine}.vmstate.json.gz`;
    await writeFile(join(outDir, file), gzipSync(Buffer.from(text, 'utf8'), { level: 9 }));
    vmstateDumps.push({ file, machine, sha256: sha256(Buffer.from(text, 'utf8')) });
  }
  const manifest: Manifest = {
    description:
      'Streams captured from a paused (-S) real QEMU guest with -nodefaults -m 32M, migrated to a unix socket; ' +
      'made by harness/targets/capture-corpus.ts. Files are gzipped; sha256 and size are of the uncompressed stream. ' +
      'ramBlocks is HMP info ramblock on the source (used = used_length, max = max_length).',
    qemuVersion: version.text,
    qemuPackage: version.package,
    streams,
    vmstateDumps,
  };
  await writeFile(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

async function main(argv: string[]): Promise<number> {
  const arg = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const qemuPath = arg('--qemu') ?? 'qemu-system-x86_64';
  const outDir = resolve(arg('--out') ?? 'corpus/qemu-7.2');
  const all = argv.includes('--all');
  const cases = (await captureCases(qemuPath)).filter((c) => all || COMMITTED.includes(c.name));
  const captured = await captureAll(qemuPath, cases);
  for (const c of captured) {
    process.stderr.write('error' in c ? `FAILED ${c.name}: ${c.error}\n` : `ok ${c.name} ${c.stream.length} bytes\n`);
  }
  const manifest = await writeCorpus(qemuPath, outDir, captured, all ? captured.map((c) => c.name) : COMMITTED);
  process.stderr.write(`wrote ${manifest.streams.length} streams and ${manifest.vmstateDumps.length} dumps to ${outDir}\n`);
  return captured.some((c) => 'error' in c && COMMITTED.includes(c.name)) ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`capture-corpus: ${(e as Error).message}\n`);
      process.exit(2);
    },
  );
}
