export * from './constants.js';
export * from './fw-cfg.js';
export * from './guest-memory.js';
export * from './machine-defaults.js';
export * from './vmstate.js';
