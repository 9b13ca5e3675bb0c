// Public surface of the VMState engine. The walker and the JSON converters
// live in their own files; this barrel is what other layers import.
export * from './description.js';
export { loadVMState, isStateObject, subsectionsLoaded, QEMU_VM_SUBSECTION } from './walker-load.js';
export type { LoadOptions } from './walker-load.js';
export { saveVMState, SaveError } from './walker-save.js';
export { saveFast } from './walker-save-fast.js';
export type { SaveOptions } from './walker-save.js';
export {
  parseVmdesc,
  stringifyVmdesc,
  stringifyVmdescDevice,
  descriptionFromVmdesc,
  vmdescFromDescription,
  DEFAULT_VMDESC_LIMITS,
} from './vmdesc.js';
export type { Vmdesc, VmdescDevice, VmdescField, VmdescStruct, VmdescWriter, VmdescLimits } from './vmdesc.js';
export { descriptionsFromDumpVmstate, dumpVmstate } from './dump-vmstate.js';
export type { DumpVmstate, DumpImportOptions, FieldExistsResolver } from './dump-vmstate.js';
export { stateKey, vmdescFieldName, elementTypeName, fieldExists, INT_WIDTH } from './field-info.js';
