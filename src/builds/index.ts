// Public surface of the build catalog: the change vocabulary, the deltas,
// the fold and the query API (listBuilds, getBuild, machinesOf,
// sharedMachines, expectedBreaks, streamLayoutFor).
export * from './change.js';
export * from './build-view.js';
export * from './fold.js';
export * from './expected-breaks.js';
export * from './query.js';
export { CATALOG } from './catalog/index.js';
export { machineChanges } from './machine-changes.js';
export * from './summary.js';
