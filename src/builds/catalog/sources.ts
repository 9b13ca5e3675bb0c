/**
 * Source helpers for the catalog. A compat entry "for machine types <= X.Y
 * keep the old value" dates the change to the release after X.Y: that is
 * how most changes below are dated, and the Source says so.
 */
import { HW_COMPAT, PC_COMPAT, type Source } from '../../machines/index.js';
import type { CompatSwitch } from '../change.js';

/** The compat entry `driver.property` of `array`, checked to exist in src/machines data. */
export function compatSwitch(array: string, driver: string, property: string): CompatSwitch {
  const arr = [...HW_COMPAT, ...PC_COMPAT].find((a) => a.name === array);
  const entry = arr?.entries.find((e) => e.driver === driver && e.property === property);
  if (entry === undefined) throw new Error(`catalog refers to a compat entry that is not in the data: ${array} ${driver}.${property}`);
  return { array, driver, property, value: entry.value };
}

/** A change dated by the compat array that switches it off for older machine types. */
export function datedByCompat(array: string, landedIn: string, note?: string): Source {
  const file = array.startsWith('hw_') ? 'hw/core/machine.c' : 'hw/i386/pc.c';
  return {
    ref: `${file} ${array}`,
    qemu: landedIn,
    confidence: 'inferred',
    note: note ?? `the entry keeps machine types up to ${array.replace(/^[a-z]+_compat_/, '').replace(/_/g, '.')} on the old behaviour, so the change landed in ${landedIn}`,
  };
}

export function commit(subject: string, qemu: string, hash?: string, note?: string): Source {
  return {
    ref: `commit "${subject}"`,
    ...(hash === undefined ? {} : { commit: hash }),
    qemu,
    confidence: 'verified',
    ...(note === undefined ? {} : { note }),
  };
}

export const OBSERVED_72: Source = {
  ref: 'real QEMU 7.2 streams and "info ramblock" (-nodefaults -m 32M) compared machine type by machine type',
  qemu: '7.2',
  confidence: 'verified',
};

export const SEED_000: Source = {
  ref: 'seed 000: "[2/5] exec: qemu_ram_alloc_device, qemu_ram_resize" (Michael S. Tsirkin, 2014-11-17) and its thread',
  confidence: 'verified',
};

export const SEED_001: Source = {
  ref: 'seed 001: Peter Maydell, "Re: [PATCH v2] migration: discard non-migratable RAMBlocks" (2018-04-20)',
  confidence: 'verified',
};

export const SEED_004: Source = {
  ref: 'seed 004: "[PATCH v19 3/9] pc: add a Virtual Machine Generation ID device" (2016)',
  confidence: 'verified',
};

export const MIGRATION_RST_UNC_MASK: Source = {
  ref: 'docs/devel/migration.rst "How to mitigate when we have a backward compatibility error" (Juan Quintela)',
  commit: '5ed3dabe57dd',
  qemu: '8.1',
  confidence: 'verified',
  note: 'the document lists qemu-7.2 -M pc-7.2 <-> qemu-8.0 -M pc-7.2 as failing both ways, 8.0.1 restoring 7.2 <-> 8.0.1 and 8.0 <-> 8.0.1 then failing; by the config check only the directions into a destination that holds the register read-only fail (see the pcie-err-unc-mask-8.0 break)',
};

export const ACS_FIX_4_1: Source = {
  ref: 'Dr. David Alan Gilbert, commits "pcie_root_port: Allow ACS to be disabled" (a58dfba201) and "pcie_root_port: Disable ACS on older machines" (pcie-root-port-base disable-acs=true in hw_compat_3_1; Message-Id 20190730093719.12958-3-dgilbert@redhat.com, merged by mst for 4.1.0-rc3): "PCIe ACS (Access Control services) got added in 4.0 and broke migration to and from 3.1 and earlier. Fix it here for older machine types, at the cost of breaking that compatibility with 4.0"',
  commit: 'c8557f1b4873',
  qemu: '4.1',
  confidence: 'verified',
  note: 'its table: 3.1 machine, 3.1 -> 4.0 broken; 3.1 -> 4.1 OK; 4.0 -> 4.1 broken; 4.0 machine unaffected. The 4.0 commit that added ACS is dated by this message, not read',
};

/** A device that long predates the catalog's oldest build. */
export function predates(file: string): Source {
  return { ref: file, confidence: 'verified', note: 'present before QEMU 1.7, the oldest simulated build' };
}
