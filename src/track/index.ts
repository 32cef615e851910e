/**
 * Run history: writing a run's record, reading and comparing past runs, and their text
 * output. MLflow upload lives in track/mlflow.
 */
export { formatComparison } from './compare-text.ts';
export { compareRuns, gateCoverage, significantDrops } from './compare.ts';
export { listRuns, loadRun, type RunList } from './read-runs.ts';
export { resolveRunRef } from './run-ref.ts';
export { overviewOf } from './overview.ts';
export { formatRunRecord, formatRunsTable } from './runs-text.ts';
export {
  isRecordPointer,
  pointedRunId,
  RECORD_POINTER_FILE,
  type RecordPointer,
  writeRecordPointer,
} from './record-pointer.ts';
export { amendRecord, recordRun } from './write-record.ts';
// Not the upload (track/mlflow/index.ts, which loads the chart renderer): which server is set.
export { currentTrackingServer } from './mlflow/settings.ts';
