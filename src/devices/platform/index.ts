export {
  platformSections,
  platformMachines,
  platformStreamInfo,
  platformSchemas,
  ramBlocks,
  PlatformConfigError,
  OPTIONAL_DEVICE_DRIVERS,
  MACHINE_ALIASES,
  resolveMachine,
  parseRamSize,
} from './platform.js';
export type { PlatformSection, PlatformSectionOptions, PlatformRamBlock, PlatformStreamInfo } from './platform.js';
export { descriptionFromSchema, NEEDED_FROM_SOURCE } from './to-description.js';
export { decodeBody, encodeBody, subsectionPresent } from './body-codec.js';
export { schemaFromVmdesc, fieldBytes } from './schema.js';
export type { PlatformSchema, PlatformField, Vmdesc, VmdescSection } from './schema.js';
