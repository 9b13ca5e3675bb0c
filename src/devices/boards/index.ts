// Seed 001: boards whose RAM was never registered for migration.
export * from './board-ram.js';
export * from './block-snapshot.js';
export * from './board-vm.js';
