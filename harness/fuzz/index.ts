// The property fuzzer for incoming streams: seeds, plans and mutators
// (arbitraries), targets, the oracle, campaigns, corpus and replay.
export { loadSeed, seedDestination, seedNames } from './seed.js';
export type { FuzzSeed, SeedBlock } from './seed.js';
export { streamPlanArb, buildFromPlan, pageBytes } from './plan.js';
export type { StreamPlan, PageWrite } from './plan.js';
export { fuzzCaseArb, materialize, mutationArb } from './fuzz-case.js';
export type { FuzzCase, Materialized, CaseArbOptions } from './fuzz-case.js';
export { MUTATORS, mutatorByName } from './mutators/index.js';
export type { Mutator, Mutated, MutationSpec, Expectation } from './mutators/index.js';
export { layoutStream, boundaries } from './layout.js';
export type { FuzzTarget, FuzzLoad } from './target.js';
export { ProfileTarget, profileTarget, disabledChecksSupported, allocationBound } from './profile-target.js';
export type { ProfileTargetOptions, WeakenedLoadOptions, Loader } from './profile-target.js';
export { QemuFuzzTarget } from './qemu-fuzz-target.js';
export { targetFromId, seedFor, simulatedAvailable } from './targets.js';
export { judge, invariantBreaks } from './oracle.js';
export type { Violation, Property } from './oracle.js';
export { snapshotDestination, diffSnapshots } from './snapshot.js';
export { runCampaign, claimViolation, REPLAY_COMMAND } from './campaign.js';
export type { CampaignOptions, CampaignResult, CampaignFailure } from './campaign.js';
export { coverageLines, unreachableReason } from './coverage.js';
export { saveFailure, readRecord, listRecords, verdictMatches } from './corpus-store.js';
export type { CorpusRecord, ExpectedVerdict } from './corpus-store.js';
export { replayFile } from './replay.js';
export type { ReplayResult } from './replay.js';
export { mutationScore, WEAKENED_CHECKS } from './mutation-score.js';
export type { MutationScore, MutantResult } from './mutation-score.js';
export { formatCampaign, formatMutationScore } from './report.js';
