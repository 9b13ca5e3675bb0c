export { WireReader, cString, latin1 } from './reader.js';
export { WireWriter } from './writer.js';
export { LoadError, isLoadError } from './load-error.js';
export { StepBudget, StepBudgetExceeded, spendSteps } from './step-budget.js';
export { CHECKS, isCheckCode, createCheckCounter } from './checks.js';
export type { CheckCode, CheckLog } from './checks.js';
