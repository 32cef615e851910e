/**
 * The runner: collecting suites, running them in the worker pool, and the result contract
 * (types.ts) with the Reporter interface and its events, which reporters implement.
 */
export { checkInWorker } from './check-in-worker.ts';
export { findFiles, globProblem, globToRegExp } from './glob.ts';
export { collectSuites, filterSuites, modelEntryName, suiteMatches } from './collect.ts';
export { WorkerPool } from './pool.ts';
export { REPORTER_HOOKS, type Reporter } from './reporter-types.ts';
export { assertionSpecsOf, runSuites } from './run.ts';
export { filterByModels } from './assertion-list.ts';
export { baselinePath } from './baseline.ts';
export { scoresCaseNames } from './precomputed.ts';
export type { SourceComparison } from './sources.ts';
export type { Awaitable } from '../plugin/index.ts';
export type {
  CaseProgressEvent,
  CaseResultEvent,
  CaseStartEvent,
  InitEvent,
  RunEndEvent,
  SuiteResultEvent,
  SuitesCollectedEvent,
} from './reporter-types.ts';
export type { SuiteSpec } from './suite.ts';
export type { PluginOrigin } from './worker-protocol.ts';
