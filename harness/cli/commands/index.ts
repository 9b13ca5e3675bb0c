import type { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerLoad } from './load.js';
import { registerMachines } from './machines.js';
import { registerRewrite } from './rewrite.js';
import { registerSave } from './save.js';
import { registerMatrix } from './matrix.js';
import { registerReport } from './report.js';
import { registerGate } from './gate.js';
import { registerCheck } from './check.js';
import { registerBuilds } from './builds.js';
import { registerMigrate } from './migrate.js';
import { registerFuzz } from './fuzz.js';
import { registerReplay } from './replay.js';

/** Each command adds itself to the program and reports its exit code. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const COMMANDS: RegisterCommand[] = [
  registerBuilds,
  registerMachines,
  registerSave,
  registerLoad,
  registerAnalyze,
  registerRewrite,
  registerMigrate,
  registerMatrix,
  registerFuzz,
  registerReplay,
  registerCheck,
  registerReport,
  registerGate,
];
