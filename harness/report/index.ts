export * from './model.js';
export * from './io.js';
export * from './junit.js';
export * from './markdown.js';
export * from './html.js';
export * from './terminal.js';
export * from './write.js';
export { routeOf, verdictText, formatBytes } from './cell-text.js';
