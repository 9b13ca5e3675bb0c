// Seed 002: a device whose version expands into configuration parameters.
export * from './parameters.js';
export * from './implementations.js';
export * from './compatible.js';
export * from './vmstate.js';
export * from './vnic.js';
