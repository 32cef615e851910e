/**
 * The public API of bess-harness: what configs, scenarios, suites and plugins import.
 * Everything else under src/ is internal and may change.
 */
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
