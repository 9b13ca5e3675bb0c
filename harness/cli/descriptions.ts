import type { Command } from 'commander';
import { descriptionFromVmdesc, descriptionsFromDumpVmstate, parseVmdesc, type VMStateDescription } from '../../src/vmstate/index.js';
import { readJsonFile } from '../io/stream-file.js';
import { UsageError } from './usage-error.js';

/** `--vmstate FILE` (repeatable), shared by analyze and rewrite. */
export function addVmstateOption(cmd: Command): Command {
  return cmd.option(
    '--vmstate <file>',
    'decode device sections with a -dump-vmstate JSON or a vmdesc JSON from another stream (repeatable; for streams without a vmdesc)',
    (v: string, prev: string[]) => [...prev, v],
    [] as string[],
  );
}

/**
 * Descriptions keyed the way the parser looks them up (section idstr, or
 * the vmsd name after the last '/'). A -dump-vmstate file covers qdev
 * devices only (it is keyed by QOM class); sections such as timer, cpu or
 * apic are not devices, so a vmdesc from another stream of the same build
 * can supply them. Earlier files win.
 */
export function descriptionsFromFiles(files: string[]): Map<string, VMStateDescription> {
  const out = new Map<string, VMStateDescription>();
  const add = (key: string, vmsd: VMStateDescription) => {
    if (!out.has(key)) out.set(key, vmsd);
  };
  for (const file of files) {
    const json = readJsonFile(file) as Record<string, unknown>;
    if (json && typeof json === 'object' && 'vmschkmachine' in json) {
      for (const vmsd of descriptionsFromDumpVmstate(json).descriptions.values()) add(vmsd.name, vmsd);
    } else if (json && typeof json === 'object' && 'devices' in json) {
      for (const dev of parseVmdesc(JSON.stringify(json)).devices) {
        const vmsd = descriptionFromVmdesc(dev);
        add(dev.name, vmsd);
        if (dev.vmsd_name) add(dev.vmsd_name, vmsd);
      }
    } else {
      throw new UsageError(`${file}: neither a -dump-vmstate JSON nor a stream vmdesc JSON`);
    }
  }
  return out;
}
