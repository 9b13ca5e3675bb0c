export { QmpClient, QmpError } from './qmp-client.js';
export type { QmpCommand } from './qmp-client.js';
export type { QmpEvent, QmpGreeting, QmpOptions } from './qmp-client.js';
