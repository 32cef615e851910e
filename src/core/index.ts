/**
 * The harness API the CLI and the public index use: createHarness (and, for the CLI, the
 * removal of a failed run's stale reports).
 */
export {
  createHarness,
  type Harness,
  type HarnessOptions,
  type HarnessRun,
  type HarnessRunOptions,
  type RunFilter,
} from './harness.ts';
export { removeStaleReports, removeStaleReportsOnExit } from './stale-reports.ts';
