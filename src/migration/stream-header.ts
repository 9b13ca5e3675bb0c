import { LoadError, type CheckLog, type WireReader } from '../wire/index.js';
import { QEMU_VM_FILE_MAGIC, QEMU_VM_FILE_VERSION, QEMU_VM_FILE_VERSION_COMPAT } from './constants.js';

/** qemu_loadvm_state_header: magic, then version 3 (2 and others refused with QEMU's words). */
export function readStreamHeader(r: WireReader, log?: CheckLog): number {
  log?.reached('stream.bad-magic');
  const magic = r.u32();
  if (magic !== QEMU_VM_FILE_MAGIC) throw new LoadError('stream.bad-magic', 'Not a migration stream', 0, 'header');
  const version = r.u32();
  log?.reached('stream.v2-obsolete');
  if (version === QEMU_VM_FILE_VERSION_COMPAT) {
    throw new LoadError('stream.v2-obsolete', "SaveVM v2 format is obsolete and don't work anymore", 4, 'header');
  }
  log?.reached('stream.unsupported-version');
  if (version !== QEMU_VM_FILE_VERSION) {
    throw new LoadError('stream.unsupported-version', 'Unsupported migration stream version', 4, 'header');
  }
  return version;
}
