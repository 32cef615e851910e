/**
 * The public API of bess-harness: what configs, scenarios, suites and plugins import.
 * Everything else under src/ is internal and may change.
 */
export { createHarness } from './core/harness.ts';
export type { Harness, HarnessOptions, HarnessRun, HarnessRunOptions, RunFilter } from './core/harness.ts';
export { evaluateFiles, evaluationJson, writeEvaluationPlots } from './evaluate/evaluate-files.ts';
export type { EvaluateFilesOptions, FilesEvaluation } from './evaluate/evaluate-files.ts';

export { defineConfig } from './config/define-config.ts';
export type { UserConfig, ResolvedConfig } from './config/types.ts';
export { loadConfig } from './config/load-config.ts';

export { defineScenario, resolveScenario } from './synth/define.ts';
export { generateSystem, generateFleet, planFleet } from './synth/index.ts';
export type { ScenarioSpec, ResolvedScenario, SystemPlan, GeneratedSystem, LeadTimeDistribution, DataQualitySpec } from './synth/types.ts';

export { loadDataset, loadLabels, loadMetadata, loadTimeseries, deriveFeature, validateData } from './data/index.ts';
export type { Dataset, SystemRecord, SystemSeries, LabelRow, MetadataRow, LoadOptions, TimeseriesOptions } from './data/types.ts';
export * from './data/schema.ts';

export { HarnessError } from './errors.ts';
export type { Problem } from './errors.ts';

export { defineModel } from './plugin/model.ts';
export type { ModelPlugin, ModelContext, ScoreContext } from './plugin/model.ts';

// Named, not `export *`: assert/index.ts also offers internals to the runner and reporters.
export { createExpectApi, gradeAssertions } from './assert/index.ts';
export type {
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
} from './assert/index.ts';

export { defineSuite } from './runner/suite.ts';
export type { SuiteSpec, DatasetSpec, SplitSpec, ModelEntry, SuiteThreshold } from './runner/suite.ts';
export type { CaseResult, SuiteResult, RunResult, RunSummary, CollectedSuite, DatasetInfo } from './runner/types.ts';
export type { Reporter } from './runner/reporter-types.ts';

export { summarizeSeries, SUMMARY_FEATURE_NAMES } from './features/index.ts';
export type { SeriesSummary } from './features/index.ts';

export * from './arbitraries/index.ts';
export { checkContract, formatContractReport, contractHolds, DEFAULT_CHECK_SEED, DEFAULT_CHECK_RUNS, INVARIANCE_TOLERANCE, CONTRACT_RULES } from './check/index.ts';
export type { CheckOptions, ContractReport, RuleResult, RuleStatus, Violation, ViolationKind, PluginFactory } from './check/index.ts';
export { datasetOf, inMemoryRecord, withDerived } from './data/in-memory.ts';
