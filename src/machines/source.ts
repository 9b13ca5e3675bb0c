/**
 * Where a fact in the catalog comes from. Every compat array, machine type
 * range, build change and expected break carries one, so a reader can check
 * it against QEMU's history instead of trusting this file.
 */
export interface Source {
  /** Commit subject, document section or file, e.g. 'hw/core/machine.c hw_compat_2_3'. */
  ref: string;
  /** Commit hash (abbreviated is fine) when known. */
  commit?: string;
  /** The QEMU release the fact belongs to (where it landed, or the tree that was read). */
  qemu?: string;
  /**
   * 'verified': read in QEMU source/docs or observed on real QEMU 7.2 here.
   * 'inferred': reasoned from a neighbouring fact (a compat array's existence
   * dates the change to the release after it); say how in `note`.
   */
  confidence: 'verified' | 'inferred';
  note?: string;
}

/** The source snapshots most compat data was read from (public code corpus). */
export const SNAPSHOTS = {
  machineC62: {
    ref: 'qemu/qemu hw/core/machine.c (6.2 development tree: hw_compat_6_1 is the newest array)',
    commit: '003f230e37d7',
    qemu: '6.2-dev',
    confidence: 'verified',
  },
  machineC91: {
    ref: 'farosas/qemu hw/core/machine.c (9.1 development tree: hw_compat_9_0 is the newest array)',
    commit: '39b459ba9e30',
    qemu: '9.1-dev',
    confidence: 'verified',
  },
  pcC71: {
    ref: 'farosas/qemu hw/i386/pc.c (7.1 development tree: pc_compat_7_0 is the newest array)',
    commit: '9361977571b0',
    qemu: '7.1-dev',
    confidence: 'verified',
  },
  pcC101: {
    ref: 'hw/i386/pc.c of the 10.1 development tree (pc_compat_10_0 is the newest, empty array)',
    qemu: '10.1-dev',
    confidence: 'verified',
  },
  qemu72Help: {
    ref: 'qemu-system-x86_64 -machine help (Debian QEMU 7.2 installed on the development machine)',
    qemu: '7.2',
    confidence: 'verified',
  },
} as const satisfies Record<string, Source>;
