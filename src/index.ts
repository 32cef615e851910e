/**
 * The public API of bess-harness: what configs, scenarios, suites and plugins import.
 * Everything else under src/ is internal and may change.
 */
export { createHarness } from './core/harness.ts';
export type {
  Harness,
  HarnessOptions,
  HarnessRun,
  HarnessRunOptions,
  RunFilter,
} from './core/harness.ts';
export { evaluateFiles, evaluationJson, writeEvaluationPlots } from './evaluate/evaluate-files.ts';
export type { EvaluateFilesOptions, FilesEvaluation } from './evaluate/evaluate-files.ts';

export { defineConfig } from './config/define-config.ts';
export type { UserConfig, ResolvedConfig, ReporterEntry } from './config/types.ts';
export { loadConfig } from './config/load-config.ts';

export { defineScenario, resolveScenario } from './synth/define.ts';
export { generateSystem, generateFleet, planFleet } from './synth/index.ts';
export type {
  ScenarioSpec,
  ResolvedScenario,
  SystemPlan,
  GeneratedSystem,
  LeadTimeDistribution,
  DataQualitySpec,
  OperationalEventsSpec,
  WindowSpec,
  ResolvedWindow,
  Weights,
} from './synth/types.ts';
export type { ScenarioOverrides, ScenarioSource } from './synth/define.ts';
export type { PackSize, PackSpec } from './synth/index.ts';

export {
  loadDataset,
  loadLabels,
  loadMetadata,
  loadTimeseries,
  deriveFeature,
  validateData,
} from './data/index.ts';
export type {
  Dataset,
  SystemRecord,
  SystemSeries,
  LabelRow,
  MetadataRow,
  LoadOptions,
  SourceSnapshot,
  TimeseriesOptions,
} from './data/types.ts';
export {
  SENSORS,
  DERIVED_FEATURES,
  SOURCES,
  OPERATIONAL_MODES,
  SEASONS,
  LABELS,
  FAILURE_TYPES,
  FAILURE_TYPES_OR_NONE,
  SCENARIO_TAGS,
  REAL_OPERATIONAL_MODES,
  CHEMISTRIES,
  CLIMATES,
  SYSTEM_ID_PATTERN,
  METADATA_REQUIRED,
  METADATA_OPTIONAL,
  LABELS_REQUIRED,
  LABELS_OPTIONAL,
  TIMESTAMP_PATTERN,
  LEAD_TIME_BUCKETS,
  leadTimeBucket,
  SENSOR_DECIMALS,
  PHYSICAL_LIMITS,
} from './data/schema.ts';
export type {
  Sensor,
  DerivedFeature,
  Source,
  SourceSelector,
  OperationalMode,
  MetadataMode,
  Season,
  Label,
  FailureType,
  FailureTypeOrNone,
  ScenarioTag,
  Climate,
  Chemistry,
} from './data/schema.ts';
export type { ValidateOptions, ValidationResult } from './data/validate.ts';
export type { BreakdownColumn } from './data/strata.ts';

export { HarnessError } from './errors.ts';
export type { Problem } from './errors.ts';

export { defineModel } from './plugin/model.ts';
export type {
  ModelPlugin,
  ModelContext,
  ScoreContext,
  ScoresOverTime,
  Awaitable,
} from './plugin/model.ts';
export {
  DEFAULT_ROLLING,
  rollingScores,
  sliceSeries,
  trailingWindows,
  type RollingOptions,
  type TrailingWindow,
} from './plugin/rolling.ts';
export type { ProcessModelSpec } from './plugin/process/process-plugin.ts';

export type {
  LawName,
  LawOptions,
  AssertionResult,
  AssertionSpec,
  CiSide,
  Comparison,
  ExpectApi,
  GradedCase,
  MetricExpectation,
  MetricMatchers,
  MetricRef,
  ModelExpectation,
  SourceLocation,
  StratumOutcome,
} from './assert/types.ts';

export { defineSuite } from './runner/suite.ts';
export type {
  SuiteSpec,
  DatasetSpec,
  SplitSpec,
  SplitSide,
  ModelEntry,
  SuiteThreshold,
  ScoresSpec,
  SuiteAlarms,
} from './runner/suite.ts';
export type {
  CaseResult,
  SuiteResult,
  RunResult,
  RunSummary,
  CollectedSuite,
  DatasetInfo,
} from './runner/types.ts';
export type { BaselineReport, Gate } from './runner/baseline.ts';
export type { SourceComparison, SourceMetric, SourceSide } from './runner/sources.ts';
export type { EvaluationSummary, JsonCell, JsonCi } from './metrics/evaluate.ts';
export type {
  AlarmBreakdownCell,
  AlarmCi,
  AlarmMetricSet,
  AlarmSummary,
  CaseAlarms,
  DaysDistribution,
  FailureAlarmRow,
  ScoreTimeline,
} from './metrics/alarm-types.ts';
export type { CellComparison } from './metrics/cell.ts';
export type { ThresholdSpec } from './metrics/threshold.ts';
export type {
  Reporter,
  InitEvent,
  SuitesCollectedEvent,
  CaseStartEvent,
  CaseProgressEvent,
  CaseResultEvent,
  SuiteResultEvent,
  RunEndEvent,
} from './runner/reporter-types.ts';

export {
  summarizeSeries,
  estimateCellsInSeries,
  percentileOfFinite,
  SUMMARY_FEATURE_NAMES,
  SUMMARY_FEATURE_DIRECTIONS,
  REST_C_RATE,
  REST_CURRENT_A,
  powerCRate,
  atRest,
} from './features/index.ts';
export type { FeatureDirection, SeriesSummary, SummaryContext } from './features/index.ts';

export * from './arbitraries/index.ts';
export {
  checkContract,
  formatContractReport,
  contractHolds,
  DEFAULT_CHECK_SEED,
  DEFAULT_CHECK_RUNS,
  INVARIANCE_TOLERANCE,
  CONTRACT_RULES,
} from './check/index.ts';
export type {
  CheckOptions,
  ContractReport,
  RuleResult,
  RuleStatus,
  Violation,
  ViolationKind,
  PluginFactory,
} from './check/index.ts';
export { datasetOf, inMemoryRecord, withDerived } from './data/in-memory.ts';
