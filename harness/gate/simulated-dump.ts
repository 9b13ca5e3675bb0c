/**
 * `migcompat check` on simulated builds: `7.2:pc-q35-7.2` stands for the
 * -dump-vmstate of that machine on that build (its sections' descriptions,
 * booted with the given devices), and the booted guest's state decides
 * which subsections it would send.
 */
import { boot } from '../../src/vm.js';
import { listBuilds } from '../../src/builds/index.js';
import { dumpVmstate } from '../../src/vmstate/index.js';
import type { VMStateDescription } from '../../src/vmstate/index.js';
import type { SubsectionNeeded } from './static-check.js';

export interface SimulatedDump {
  build: string;
  machine: string;
  dump: unknown;
  /** Whether each subsection is sent by the booted guest (by section, description, subsection name). */
  needed: SubsectionNeeded;
}

/** `BUILD:MACHINE` when BUILD is a catalog version; undefined otherwise (then it is a file name). */
export function parseBuildMachine(text: string): { build: string; machine: string } | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const build = text.slice(0, colon);
  const machine = text.slice(colon + 1);
  return listBuilds().includes(build) && machine !== '' ? { build, machine } : undefined;
}

export function simulatedDump(build: string, machine: string, devices: readonly string[] = []): SimulatedDump {
  const vm = boot(build, machine, { devices });
  const descs = new Map<string, VMStateDescription>();
  const sent = new Map<string, 'always' | 'when-needed' | 'never'>();
  const visit = (sec: string, vmsd: VMStateDescription, state: Record<string, unknown>): void => {
    for (const sub of vmsd.subsections ?? []) {
      const verdict = sub.needed === undefined ? 'always' : sub.needed(state as never) ? 'when-needed' : 'never';
      sent.set(`${sec}\0${vmsd.name}\0${sub.name}`, verdict);
    }
  };
  for (const s of vm.sections) {
    // Keyed by the description name: sections of one class share it, as in QEMU's dump.
    if (!descs.has(s.vmsd.name)) descs.set(s.vmsd.name, s.vmsd);
    visit(s.vmsd.name, s.vmsd, s.state);
  }
  return {
    build,
    machine,
    dump: JSON.parse(dumpVmstate(descs, machine)),
    needed: (sec, desc, sub) => sent.get(`${sec}\0${desc}\0${sub}`),
  };
}
