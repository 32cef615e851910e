/** The data step: the contract's vocabulary, CSV reading and writing, loaders and validation. */
export * from './schema.ts';
export type * from './types.ts';
export { writeFileAtomic } from './atomic.ts';
export { describeLayout, resolveDataDir, seriesPath, assertSafeSystemId, selectSources, sourceFolder, labelsPathOf, type DataLayout, type SourceLayout } from './layout.ts';
export { formatTimestamp, formatFixed, formatSeriesCsv, formatMetadataCsv, formatLabelsCsv, csvField } from './csv-write.ts';
export { parseCsv, readCsvFile, checkHeader, type CsvTable, type CsvRecord, type ProblemSink } from './csv-read.ts';
export { scanSeries, parseTimestampAt, parseNumberText, type SeriesScan, type ScanOptions } from './series-scan.ts';
export { loadLabels, readLabelsFile, readSourceLabels, parseLabelsTable, type FiledLabel } from './load-labels.ts';
export { loadMetadata, parseMetadataTable } from './load-metadata.ts';
export { loadTimeseries, deriveFeature } from './load-timeseries.ts';
export { loadDataset } from './load-dataset.ts';
export { validateData, type ValidationResult, type ValidateOptions } from './validate.ts';
