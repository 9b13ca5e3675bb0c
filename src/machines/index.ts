// Public surface of the machine-type layer: plain data (compat arrays,
// machine ranges, seed 001 boards) and small pure queries over it.
export * from './version.js';
export * from './source.js';
export * from './compat-property.js';
export * from './hw-compat.js';
export * from './pc-compat.js';
export * from './machine-types.js';
export * from './compat-properties.js';
export * from './machine-options.js';
export * from './boards-without-registered-ram.js';
