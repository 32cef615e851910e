/**
 * Datasets held in memory: SystemRecords whose `loadSeries` hands out a series already in
 * memory, with derived features computed on request exactly as the loader does. For generated
 * fixtures (src/arbitraries, `harness check`) and tests; nothing here touches the disk.
 */
import { deriveFeature } from './load-timeseries.ts';
import type { DerivedFeature } from './schema.ts';
import type { Dataset, LabelRow, MetadataRow, SystemRecord, SystemSeries } from './types.ts';

/**
 * The series as the loader would return it: a fresh `sensors` object (and fresh arrays, so a
 * plugin that writes into its input cannot change the next call's) plus the derived features.
 */
export function withDerived(series: SystemSeries, derive: readonly DerivedFeature[] = []): SystemSeries {
  const sensors: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(series.sensors)) if (col) sensors[name] = Float64Array.from(col);
  const out: SystemSeries = { systemId: series.systemId, source: series.source, timestamps: Float64Array.from(series.timestamps), sensors };
  for (const name of derive) sensors[name] = deriveFeature(out, name);
  return out;
}

/** A SystemRecord whose `loadSeries` returns `load(derive)`. */
export function recordOf(label: LabelRow, metadata: MetadataRow, load: (derive: readonly DerivedFeature[]) => SystemSeries): SystemRecord {
  return {
    systemId: label.system_id,
    source: label.source,
    label,
    metadata,
    loadSeries: async (options) => load(options?.derive ?? []),
  };
}

/** A SystemRecord over one in-memory series (copied on every load, derived features added). */
export function inMemoryRecord(label: LabelRow, metadata: MetadataRow, series: SystemSeries): SystemRecord {
  return recordOf(label, metadata, (derive) => withDerived(series, derive));
}

/** A Dataset over some records (e.g. one side of a split), located nowhere on disk. */
export function datasetOf(records: readonly SystemRecord[]): Dataset {
  return { dataDir: '(memory)', source: 'synthetic', systems: records };
}
