// Public surface of the VMState engine. The walker and the JSON converters
// live in their own files; this barrel is what other layers import.
export * from './description.js';
export { loadVMState, isStateObject, QEMU_VM_SUBSECTION } from './walker-load.js';
export type { LoadOptions } from './walker-load.js';
export { saveVMState, SaveError } from './walker-save.js';
export type { SaveOptions } from './walker-save.js';
export type { Vmdesc, VmdescDevice, VmdescField, VmdescStruct, VmdescWriter } from './vmdesc-types.js';
export { stateKey, vmdescFieldName, elementTypeName, fieldExists } from './field-info.js';
