export * from './compare.js';
export * from './baseline.js';
export * from './static-check.js';
export * from './simulated-dump.js';
