/** Loads the real-QEMU fixtures committed next to the platform data. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Vmdesc } from '../../../../src/devices/platform/index.js';

const DIR = new URL('../../../../src/devices/platform/qemu-7.2/vmdesc/', import.meta.url);

export function realVmdesc(name: string): Vmdesc {
  return JSON.parse(gunzipSync(readFileSync(new URL(`${name}.json.gz`, DIR))).toString('utf8')) as Vmdesc;
}

export interface RamblockFixtures {
  /** `plain M` / `devs M` -> the parsed `info ramblock` table. */
  ramblock: Record<string, { idstr: string; used: number; max: number }[]>;
  /** MEM_SIZE order of the real streams. */
  plainOrder: Record<string, string[]>;
  devsOrder: Record<string, string[]>;
}

export function ramblockFixtures(): RamblockFixtures {
  return JSON.parse(readFileSync(new URL('ramblocks.json', DIR), 'utf8')) as RamblockFixtures;
}

/** The exact -device list (in order) the with-devices captures used. */
export const CAPTURE_DEVICES = ['e1000', 'virtio-net-pci', 'virtio-rng-pci', 'pvpanic-pci', 'ivshmem-plain,memdev=hmem,master=on', 'vmgenid'];
