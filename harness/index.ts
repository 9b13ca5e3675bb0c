/**
 * migcompat as a library: `import { runMatrix, boot, ... } from 'migcompat'`.
 * The same engine the command line runs, typed, so a suite can state its
 * own scenario (builds, machine types, devices, expectations) in code.
 */

// The emulator core: simulated builds, machines, one VM.
export { boot, incoming, loadInto, snapshotText, snapshotDifferences, canonicalState, BootError, isBootError, MigrationBlockedError, modelledDevices } from '../src/vm.js';
export type { Vm, BootVmOptions, BootOptions, LoadIntoResult, VmSnapshot } from '../src/vm.js';
export { listBuilds, getBuild, machinesOf, sharedMachines, expectedBreaks, EXPECTED_BREAKS } from '../src/builds/index.js';
export type { ExpectedBreak, BreakManifest, MatchedBreak, BuildView } from '../src/builds/index.js';
export { LoadError, isLoadError } from '../src/wire/index.js';

// Targets: one interface for a simulated build and a real binary.
export { SimTarget } from './targets/sim-target.js';
export { QemuTarget, captureStream, loadIntoQemu, queryVersion, listMachines, dumpVmstate, describeVerdict } from './targets/index.js';
export type { Target, MachineSpec, Verdict, VerdictKind, LoadOutcome, SaveOutcome } from './targets/index.js';

// The matrix.
export {
  runMatrix,
  planMatrix,
  runCells,
  classifyCell,
  simulatedBuilds,
  selectBuilds,
  qemuBuild,
  parseShard,
  shardCells,
  mergeResults,
  parseDeviceSet,
  engineFromTargets,
  createEngine,
  defaultWorkerCount,
} from './matrix/index.js';
export { simEngine, migrateSimulated } from './matrix/sim-engine.js';
export type {
  RunMatrixOptions,
  PlanOptions,
  Plan,
  PlannedCell,
  CellResult,
  CellOutcome,
  CellClass,
  BuildRef,
  Direction,
  MigrationEngine,
  EngineSpec,
} from './matrix/index.js';

// Reports and the gate.
export { renderJunit, renderMarkdown, renderHtml, renderTerminalSummary, writeReports, readResult, validateResult, totalsOf, RESULT_SCHEMA, RESULT_SCHEMA_VERSION } from './report/index.js';
export type { MatrixResult, Totals } from './report/index.js';
export { compareWithBaseline, gateExitCode, writeBaseline, loadGateFile, staticCheck, staticCheckExitCode } from './gate/index.js';
export type { GateReport, GateFinding, StaticCheckResult, StaticFinding } from './gate/index.js';

// The fuzzer.
export { runCampaign, replayFile, targetFromId } from './fuzz/index.js';
export type { CampaignOptions, CampaignResult, ReplayResult } from './fuzz/index.js';
