// The migration stream: model, parser, encoder, loader, destinations, summaries.
export * from './constants.js';
export type * from './model.js';
export { parseStream } from './parse-stream.js';
export type { ParseOptions } from './parse-stream.js';
export { encodeStream } from './encode-stream.js';
export { machineNameMatches } from './configuration.js';
export { locateVmdesc } from './vmdesc-section.js';
