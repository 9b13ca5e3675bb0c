export * from './constants.js';
export * from './guid.js';
export * from './ssdt.js';
export * from './vmgenid.js';
export * from './vmstate.js';
