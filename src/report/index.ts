/**
 * Reporters and text output of a run and of the data. The Ink reporter (report/ink), the HTML
 * report (report/html) and SVG rendering (report/charts/svg) are left out of this barrel on
 * purpose: they load React or Vega, so callers import their own index, lazily where a command
 * may not need them. Chart specs are in report/charts/index.ts.
 */
export { textReport } from './evaluation-text.ts';
export { labelDistribution } from './label-distribution.ts';
export { renderDistributionBars } from './terminal-bars.ts';
export {
  failureSignature,
  modeProfile,
  SIGNATURE_FAILURE_TYPES,
  SIGNATURE_MODES,
} from './signatures.ts';
export { defaultReporters } from './default-reporter.ts';
export { checkReporterEntries, resolveReporters } from './registry.ts';
export {
  isHarnessReport,
  REPORT_HEAD_BYTES,
  reportFilePaths,
  reportFilesOf,
} from './report-files.ts';
export { table } from './text-table.ts';
export { type ResultsJson, resultsJsonText } from './json.ts';
export { fmt } from './format.ts';
