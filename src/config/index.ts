/**
 * The config step: loading harness.config.* and scenario files, and parsing the MLflow
 * tracking URI a config names (so a bad URI fails when the config loads).
 */
export { loadConfig } from './load-config.ts';
export { CONFIG_FIELDS, fieldProblem } from './fields.ts';
export { configsIn, type ConfigInFolder } from './config-files.ts';
export { loadScenario } from './load-scenario.ts';
export { experimentUrl, parseTrackingUri, type TrackingUri } from './tracking-uri.ts';
