/** The plugin contract check: `checkContract` and its report. */
export {
  checkContract,
  checkContractWithTwin,
  replayCommand,
  DEFAULT_CHECK_RUNS,
  DEFAULT_PROCESS_CHECK_RUNS,
  DEFAULT_CHECK_SEED,
  DEFAULT_CHECK_TIMEOUT_MS,
  INVARIANCE_TOLERANCE,
} from './contract.ts';
export {
  fitAndScorePass,
  isRefusal,
  restoredPass,
  type PassOptions,
  type PassOutcome,
  type PluginFactory,
} from './calls.ts';
export { sameModuleTwin, type Twin } from './twin.ts';
export { contractHolds, formatContractReport, replayNotReproduced } from './format.ts';
export { renderFleet, describeColumn, describeTimestamps } from './render.ts';
export { shiftFleet, scaleFleet, TIME_SHIFTS_MS, UNIT_FACTORS } from './transform.ts';
export { CONTRACT_RULES } from './types.ts';
export type {
  CheckOptions,
  ContractReport,
  RuleResult,
  RuleStatus,
  Violation,
  ViolationKind,
} from './types.ts';
