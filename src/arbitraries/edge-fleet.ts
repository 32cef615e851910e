/**
 * A small fleet of edge-case systems as an in-memory Dataset: what a plugin's `fit` and `score`
 * see. Labels and metadata cover every mode and failure type, and a fleet may be all normal or
 * all anomaly. Timestamps always strictly increase: the loader delivers nothing else.
 */
import fc from 'fast-check';
import {
  CHEMISTRIES,
  CLIMATES,
  datasetOf,
  FAILURE_TYPES,
  inMemoryRecord,
  OPERATIONAL_MODES,
  SCENARIO_TAGS,
  SEASONS,
  type Sensor,
} from '../data/index.ts';
import type { Dataset, LabelRow, MetadataRow, SystemSeries } from '../data/types.ts';
import { edgeSeriesArb } from './edge-series.ts';

/** One system of an edge fleet, everything in memory. */
export interface EdgeFleetSystem {
  readonly series: SystemSeries;
  readonly label: LabelRow;
  readonly metadata: MetadataRow;
}

/** A fleet: its systems, and the same systems as a Dataset (records whose `loadSeries` copies the series and derives features). */
export interface EdgeFleet {
  readonly systems: readonly EdgeFleetSystem[];
  readonly dataset: Dataset;
}

/** Options of {@link edgeFleetArb}. */
export interface EdgeFleetOptions {
  /** Fewest / most systems. Default 1 / 3. */
  readonly minSystems?: number;
  readonly maxSystems?: number;
  /** Most samples per series. Default 50. */
  readonly maxLength?: number;
  /** Sensors that may appear. Default: every default sensor. */
  readonly sensors?: readonly Sensor[];
}

/** A label row: normal (shrinks there) or an anomaly of any failure type and lead time. */
export function labelRowArb(systemId = 'sys-0'): fc.Arbitrary<LabelRow> {
  const base = { system_id: systemId, source: 'synthetic' as const, label_version: 1 };
  const normal = fc.constant<LabelRow>({
    ...base,
    label: 'normal',
    failure_type: 'none',
    lead_time_days: null,
  });
  const anomaly = fc
    .record({
      failure_type: fc.constantFrom(...FAILURE_TYPES),
      lead_time_days: fc.integer({ min: 0, max: 180 }),
    })
    .map((a): LabelRow => ({ ...base, label: 'anomaly', ...a }));
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: normal, weight: 2 },
    { arbitrary: anomaly, weight: 1 },
  );
}

/** A metadata row with any mode, season and optional columns. */
export function metadataRowArb(systemId = 'sys-0'): fc.Arbitrary<MetadataRow> {
  return fc
    .record({
      operational_mode: fc.constantFrom(...OPERATIONAL_MODES),
      season: fc.constantFrom(...SEASONS),
      chemistry: fc.constantFrom(...CHEMISTRIES),
      capacity_kwh: fc.constantFrom(2000, 500, 4000),
      climate: fc.constantFrom(...CLIMATES),
      scenario_tags: fc.subarray([...SCENARIO_TAGS], { maxLength: 2 }),
    })
    .map((m): MetadataRow => ({ system_id: systemId, source: 'synthetic', ...m }));
}

/** The fleet of these systems, as data and as a Dataset; ids are taken from each series. */
export function edgeFleetOf(systems: readonly EdgeFleetSystem[]): EdgeFleet {
  return {
    systems,
    dataset: datasetOf(systems.map((s) => inMemoryRecord(s.label, s.metadata, s.series))),
  };
}

/** 1–3 systems (`sys-0`, `sys-1`, …) with edge-shaped series, labels and metadata. */
export function edgeFleetArb(opts: EdgeFleetOptions = {}): fc.Arbitrary<EdgeFleet> {
  const system = fc.record({
    edge: edgeSeriesArb({
      maxLength: opts.maxLength ?? 50,
      ...(opts.sensors ? { sensors: opts.sensors } : {}),
    }),
    label: labelRowArb(),
    metadata: metadataRowArb(),
  });
  const minSystems = opts.minSystems ?? 1;
  // minLength 0 plus a filter, not minLength 1: fast-check's array shrinker can only drop the
  // last item of a minimal-length array through a shorter one, so [failing, passing] would
  // never shrink to [failing].
  return fc
    .array(system, { minLength: 0, maxLength: opts.maxSystems ?? 3 })
    .filter((raw) => raw.length >= minSystems)
    .map((raw) =>
      edgeFleetOf(
        raw.map(({ edge, label, metadata }, i): EdgeFleetSystem => {
          const id = `sys-${i}`;
          return {
            series: { ...edge.series, systemId: id },
            label: { ...label, system_id: id },
            metadata: { ...metadata, system_id: id },
          };
        }),
      ),
    );
}
