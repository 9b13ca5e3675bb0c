import type { RamList } from '../memory/index.js';
import type { StateObject, VMStateDescription } from '../vmstate/index.js';

/**
 * What a destination VM is, as far as loading a stream is concerned: the
 * savevm handlers it registered (QEMU's savevm_state.handlers), its RAM
 * blocks, and the migration properties of its machine type.
 */
export interface Destination {
  /** MACHINE_GET_CLASS(current_machine)->name, e.g. "pc-q35-7.2". */
  machine: string;
  /** migration property send-configuration (off for machine types <= 2.3). */
  sendConfiguration: boolean;
  /** migration property send-section-footer (off for machine types <= 2.3). */
  sendSectionFooter: boolean;
  /** should_send_vmdesc: the loader then also reads the trailing vmdesc (a miss is only a warning). Default true. */
  expectVmdesc?: boolean;
  /** Enabled validatable capabilities (QEMU 7.2 validates only x-ignore-shared). */
  capabilities?: string[];
  /** qemu_target_page_bits(); 12 on x86. */
  targetPageBits?: number;
  /** Builds after 7.2 refuse a ZERO record with a non-zero fill ("Found a zero page with value %d"). */
  refuseNonZeroFill?: boolean;
  sections: DestinationSection[];
  ram: RamList;
}

export interface DestinationSection {
  /** se->idstr, e.g. "0000:00:1f.0/ICH9LPC", "timer", "ram". */
  idstr: string;
  instanceId: number;
  /** se->alias_id: a second instance id find_se accepts (-1 / absent: none). */
  aliasId?: number;
  /** se->version_id. */
  versionId: number;
  /** vmsd->minimum_version_id (0 for old-style handlers). */
  minimumVersionId: number;
  /** The vmsd name, for vmstate.c's messages ("%s: incoming version_id ..."). */
  vmsdName?: string;
  /** The RAM iterable ("ram"): its body is RAM records loaded into `Destination.ram`. */
  ram?: boolean;
  /**
   * The local description. Without one (a profile of a real QEMU build),
   * the body is read with the stream's vmdesc or with `ParseOptions`-style
   * descriptions, and only versions and framing are checked.
   */
  vmsd?: VMStateDescription;
  /** Local state the load starts from; replaced (not mutated) on commit. */
  state?: StateObject;
  /** What the description's post_load hooks are given (QEMU: the opaque registered with the handler). */
  opaque?: unknown;
}

export function sectionKey(idstr: string, instanceId: number): string {
  return `${idstr}#${instanceId}`;
}

/** find_se: idstr and instance (or alias) id. */
export function findSection(dest: Destination, idstr: string, instanceId: number): DestinationSection | undefined {
  return dest.sections.find(
    (s) => s.idstr === idstr && (s.instanceId === instanceId || (s.aliasId !== undefined && s.aliasId >= 0 && s.aliasId === instanceId)),
  );
}

/** The "ram" handler every destination with migratable RAM registers (register_savevm_live("ram", 0, 4)). */
export function ramDestinationSection(): DestinationSection {
  return { idstr: 'ram', instanceId: 0, versionId: 4, minimumVersionId: 4, ram: true };
}
