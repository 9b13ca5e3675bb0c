// RAM blocks: lengths, flags, sparse pages, dirty log, resize.
export * from './ram-block.js';
export * from './pages.js';
export * from './dirty-log.js';
export * from './resize.js';
export * from './ram-list.js';
