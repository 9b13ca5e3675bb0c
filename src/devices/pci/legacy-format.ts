import { LoadError, type CheckLog, type WireReader, type WireWriter } from '../../wire/index.js';
import { PCI_CONFIG_HEADER_SIZE, PCI_CONFIG_SPACE_SIZE, PCI_NUM_PINS } from './constants.js';
import { hex } from './config-bytes.js';
import { updateMappings } from './bars.js';
import { clonePciDevice, assignPciDevice, type PciDevice } from './pci-device.js';

/**
 * The hand-written pci_device_save / pci_device_load of 2009 (seed 003,
 * "[PATCHv3 03/13] qemu: add routines to manage PCI capabilities"), before
 * VMState:
 *
 *   v1: be32 version, config[256]
 *   v2: be32 version, config[256], irq_state[4] (be32 each)
 *   v3: be32 version, cap_present (be32), config[256], irq_state[4]
 *
 * The save writes `version = cap_present ? 3 : 2`. The patch moved
 * cap_present in front of the config ("cap-first"); its previous revision
 * wrote it after irq_state ("cap-last"), so a device with unsupported
 * capabilities had its config overwritten before the refusal. Glauber
 * Costa's review: "You should just do it right in the first patch". Both
 * layouts are modelled so the difference can be shown; cap-first is the one
 * that was merged.
 *
 * Load refuses version > 3 and `cap_present & ~cap_supported` with -EINVAL
 * (QEMU printed nothing; the messages here are ours). After a load the
 * capability bytes are made writable and unclaimed again (used cleared,
 * wmask 0xff above the header) because "capabilities can be placed anywhere
 * in config space": the device re-reserves them after looking up what was
 * loaded (reserveCapability). Unlike QEMU's function, this load is
 * transactional: nothing changes unless the whole record is accepted.
 *
 * For v1 (and version 0) cap_present is 0: the `else` of the version test is
 * outside the patch's hunk; 0 is what the saver implies (v2 means no caps).
 *
 * In 2009 cap_present held only real capabilities (MSI-X); today it also
 * carries property bits (x-pcie-lnksta-dllla ...). Model a 2009 device with
 * `createPciDevice({ ..., capPresent: 0, capSupported: QEMU_PCI_CAP_MSIX })`,
 * or the saver writes v3 for a device without capabilities. irq_state words
 * were not range-checked then; any non-zero word reads as asserted.
 */

export type LegacyV3Layout = 'cap-first' | 'cap-last';

export interface LegacyOptions {
  /** Where v3 puts cap_present; default 'cap-first' (the merged patch). */
  layout?: LegacyV3Layout;
  /** Told of every check evaluated. */
  log?: CheckLog;
}

export interface LegacySaveOptions extends LegacyOptions {
  /** Force a version (1, 2, 3); default cap_present ? 3 : 2 as the seed does. */
  version?: 1 | 2 | 3;
}

export function saveLegacyPciDevice(dev: PciDevice, w: WireWriter, o: LegacySaveOptions = {}): void {
  const version = o.version ?? (dev.capPresent ? 3 : 2);
  const layout = o.layout ?? 'cap-first';
  w.u32(version);
  if (version >= 3 && layout === 'cap-first') w.u32(dev.capPresent);
  w.bytes(dev.config.subarray(0, PCI_CONFIG_SPACE_SIZE));
  if (version >= 2) for (let i = 0; i < PCI_NUM_PINS; i++) w.u32((dev.irqState >> i) & 1);
  if (version >= 3 && layout === 'cap-last') w.u32(dev.capPresent);
}

function checkCapPresent(dev: PciDevice, capPresent: number, at: number, path: string, log?: CheckLog): void {
  log?.reached('pci.cap-present-unsupported');
  const extra = (capPresent & ~dev.capSupported) >>> 0;
  if (extra === 0) return;
  throw new LoadError(
    'pci.cap-present-unsupported',
    `pci_device_load: cap_present 0x${hex(capPresent >>> 0)} has bits 0x${hex(extra)} outside cap_supported 0x${hex(dev.capSupported >>> 0)} (-EINVAL)`,
    at,
    `${path}/cap_present`,
  );
}

/** pci_device_load() of the seed, transactional. Throws LoadError on refusal. */
export function loadLegacyPciDevice(dev: PciDevice, r: WireReader, o: LegacyOptions = {}, path = dev.name): void {
  const layout = o.layout ?? 'cap-first';
  const versionAt = r.pos;
  const version = r.u32();
  o.log?.reached('pci.legacy-version-unsupported');
  if (version > 3) {
    throw new LoadError('pci.legacy-version-unsupported', `pci_device_load: version_id ${version} > 3 (-EINVAL)`, versionAt, `${path}/version_id`);
  }
  let capPresent = 0;
  if (version >= 3 && layout === 'cap-first') {
    const at = r.pos;
    capPresent = r.u32();
    checkCapPresent(dev, capPresent, at, path, o.log);
  }
  const config = r.bytes(PCI_CONFIG_SPACE_SIZE, 'PCI config');
  let irqState = 0;
  if (version >= 2) {
    for (let i = 0; i < PCI_NUM_PINS; i++) if (r.u32() !== 0) irqState |= 1 << i;
  }
  if (version >= 3 && layout === 'cap-last') {
    const at = r.pos;
    capPresent = r.u32();
    checkCapPresent(dev, capPresent, at, path, o.log);
  }
  const next = clonePciDevice(dev);
  next.capPresent = capPresent;
  next.config.set(config);
  updateMappings(next);
  if (version >= 2) next.irqState = irqState;
  next.used.fill(0);
  next.wmask.fill(0xff, PCI_CONFIG_HEADER_SIZE, PCI_CONFIG_SPACE_SIZE);
  assignPciDevice(dev, next);
}
