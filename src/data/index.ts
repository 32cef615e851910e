/** The data step: the contract's vocabulary, CSV reading and writing, loaders and validation. */
export * from './schema.ts';
export type * from './types.ts';
export {
  assertWritable,
  fsyncDir,
  removeDeadTemps,
  removeLeftovers,
  writeFileAtomic,
  writeFileDurable,
} from './atomic.ts';
export { makeDir } from './make-dir.ts';
export {
  appendLabelHistory,
  checkLabelHistory,
  parseLabelHistory,
  readLabelHistory,
  historyPathOf,
  HISTORY_COLUMNS,
  HISTORY_FILE,
  type HistoryEntry,
} from './label-history.ts';
export { describeLayout, resolveDataDir, seriesPath, locateSeries, assertSafeSystemId, selectSources, sourceFolder, labelsPathOf, type DataLayout, type SourceLayout } from './layout.ts';
export { formatTimestamp, formatFixed, formatSeriesCsv, formatMetadataCsv, formatLabelsCsv, csvField } from './csv-write.ts';
export { parseCsv, readCsvFile, checkHeader, type CsvTable, type CsvRecord, type ProblemSink } from './csv-read.ts';
export { scanSeries, parseTimestampAt, parseNumberText, type SeriesScan, type ScanOptions } from './series-scan.ts';
export { loadLabels, readLabelsFile, readSourceLabels, parseLabelsTable, type FiledLabel } from './load-labels.ts';
export { loadMetadata, parseMetadataTable } from './load-metadata.ts';
export { loadTimeseries, deriveFeature } from './load-timeseries.ts';
export { loadDataset, systemRecord } from './load-dataset.ts';
export { interned } from './row-fields.ts';
export { validateData, type ValidationResult, type ValidateOptions } from './validate.ts';
export { datasetOf, inMemoryRecord } from './in-memory.ts';
export { pathExists } from './path-exists.ts';
export { BREAKDOWN_COLUMNS, type BreakdownColumn, DEFAULT_BREAKDOWN, inBucketOrder, isBreakdownColumn, KNOWN_BREAKDOWN_COLUMNS, leadTimeStratumRank, stratumOf } from './strata.ts';
export { type FleetMember, type FleetTarget, type SeriesFormat, writeFleet } from './write-fleet.ts';
export { assertNoLegacyLabels } from './layout.ts';
export { createFileExclusive } from './atomic.ts';
export { readLocatedLabels } from './load-labels.ts';
export { readLocatedMetadata } from './load-metadata.ts';
export { DECIMAL, readScoresFile, type ScoreRow } from './load-scores.ts';
export { didYouMean, unknownKey } from './suggest.ts';
export { throwIfProblems } from './csv-read.ts';
export { type LockHolder, type LockWait, withFileLock } from './file-lock.ts';
export { stagingPattern } from './side-names.ts';
export { realFileOf } from './shared-file.ts';
export { PARQUET_COMPRESSIONS, type ParquetCompression } from './parquet-codecs.ts';
export { readScores, readScoreRows } from './read-scores.ts';
export { readLabelColumns, labelColumnsOf, labelRowAt, concatLabelColumns, type LabelColumns } from './label-columns.ts';
export { readMetadataColumns, metadataRowAt, type MetadataColumns } from './metadata-columns.ts';
export { prefetchMetadata, type MetadataPrefetch } from './metadata-prefetch.ts';
export { readScoreColumns, scoreRowAt, type ScoreColumns } from './score-columns.ts';
export { readAlarmsFile, type AlarmRow, ALARMS_REQUIRED, ALARMS_OPTIONAL } from './load-alarms.ts';
export { readSeriesSpan, type SeriesSpan } from './series-span.ts';
export { failureAtDisagreement, LEAD_TIME_TOLERANCE_DAYS, type SampleSpan } from './lead-time.ts';
export { labelInstantMs } from './label-times.ts';
export { seriesFiles, seriesFingerprint } from './series-fingerprint.ts';
export { assertSnapshotHolds, inSnapshot } from './source-snapshot.ts';
export { finishInterruptedImport } from './swap-journal.ts';
