// The migration stream: model, parser, encoder, loader, destinations, summaries.
export * from './constants.js';
export type * from './model.js';
export { parseStream } from './parse-stream.js';
export type { ParseOptions } from './parse-stream.js';
export { encodeStream } from './encode-stream.js';
export { loadStream } from './load-stream.js';
export type { LoadVerdict, LoadStreamOptions } from './load-stream.js';
export { findSection, sectionKey, ramDestinationSection } from './destination.js';
export type { Destination, DestinationSection } from './destination.js';
export {
  profileFromCapture,
  destinationFromProfile,
  versionsFromDumpVmstate,
  isResizeableIdstr,
  NON_QDEV_VERSIONS,
} from './profile.js';
export type { QemuProfile, ProfileSection, ProfileRamBlock, RamBlockInfo, CaptureInputs } from './profile.js';
export { machineNameMatches } from './configuration.js';
export { locateVmdesc } from './vmdesc-section.js';
export { buildStream, passFromDirtyLog, passAllPages } from './build-stream.js';
export type { SourceSpec, RamSource, DeviceSource, RamPass, PassPage } from './build-stream.js';
export { summarizeStream, formatSummary } from './summarize.js';
export type { StreamSummary, SectionSummary, RamSummary } from './summarize.js';
export { readRamRecords, writeRamRecords, foldZeroRuns } from './ram-records.js';
export type { RamTarget, RamTargetBlock, RamReadOptions } from './ram-records.js';
