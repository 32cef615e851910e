/**
 * The data contract (see DESIGN.md): column names, enum values and the system id rule.
 * Everything that reads or writes data/ takes its vocabulary from here, so the contract
 * lives in one file.
 */

/** Default sensor set of a telemetry file, in file column order. Positive current = discharge. */
export const SENSORS = [
  'voltage_v',
  'current_a',
  'soc_pct',
  'temp_cell_max_c',
  'temp_cell_min_c',
  'temp_ambient_c',
  'cell_voltage_max_v',
  'cell_voltage_min_v',
  'insulation_resistance_kohm',
] as const;
/** A sensor column of a telemetry file. */
export type Sensor = (typeof SENSORS)[number];

/** Features computed from sensors on request (see `deriveFeature` in the loader). */
export const DERIVED_FEATURES = ['cell_delta_v_mv', 'temp_spread_c'] as const;
/** A feature a plugin may ask the loader to derive (`derive` in the plugin). */
export type DerivedFeature = (typeof DERIVED_FEATURES)[number];

/** Where a system's data came from: the generator or a real export. */
export const SOURCES = ['synthetic', 'real'] as const;
/** One of {@link SOURCES}. */
export type Source = (typeof SOURCES)[number];
/** What a loader may be asked for: one source or both. */
export type SourceSelector = Source | 'all';

/** How a system is operated (metadata `operational_mode`). */
export const OPERATIONAL_MODES = [
  'frequency_regulation',
  'arbitrage',
  'peak_shaving',
  'solar_smoothing',
  'backup',
] as const;
/** One of {@link OPERATIONAL_MODES}. */
export type OperationalMode = (typeof OPERATIONAL_MODES)[number];
/**
 * Modes a real system's metadata may give: the five, or `unknown` when the export does not say
 * how the plant was operated. Synthetic systems always have one of the five.
 */
export const REAL_OPERATIONAL_MODES = [...OPERATIONAL_MODES, 'unknown'] as const;
/** A metadata row's `operational_mode`: one of {@link REAL_OPERATIONAL_MODES} (`unknown` only for real data). */
export type MetadataMode = (typeof REAL_OPERATIONAL_MODES)[number];

/** Metadata `season`. */
export const SEASONS = ['winter', 'spring', 'summer', 'autumn'] as const;
/** One of {@link SEASONS}. */
export type Season = (typeof SEASONS)[number];

/** Label values: a system that stayed healthy, or one that failed. */
export const LABELS = ['normal', 'anomaly'] as const;
/** One of {@link LABELS}. */
export type Label = (typeof LABELS)[number];

/** Failure types the generator injects and the labels name (with their precursor signatures: see DESIGN.md). */
export const FAILURE_TYPES = [
  'thermal_runaway',
  'internal_short',
  'cell_imbalance',
  'capacity_fade',
  'cooling_failure',
  'insulation_fault',
] as const;
/** One of {@link FAILURE_TYPES}. */
export type FailureType = (typeof FAILURE_TYPES)[number];
/** `failure_type` column values: a failure type, or `none` for a normal system. */
/** A label's `failure_type`: a failure type, or `none` for a normal system. */
export type FailureTypeOrNone = FailureType | 'none';
/** Every valid `failure_type` value, `none` last. */
export const FAILURE_TYPES_OR_NONE: readonly FailureTypeOrNone[] = [...FAILURE_TYPES, 'none'];

/** Edge-case tags a synthetic system may carry in metadata `scenario_tags` (`;`-separated). */
export const SCENARIO_TAGS = [
  'noisy_normal',
  'subtle',
  'sensor_dropout',
  'stuck_sensor',
  'spike',
  'timestamp_gap',
  // Normal operational events (synth/events.ts): a system with them keeps its label.
  'timestamp_jitter',
  'soc_recalibration',
  'string_trip',
  'repeated_rows',
  'idle_day',
] as const;
/** One of {@link SCENARIO_TAGS}. */
export type ScenarioTag = (typeof SCENARIO_TAGS)[number];

/** Metadata `chemistry` values the generator writes (a real export may hold others). */
export const CHEMISTRIES = ['LFP', 'NMC', 'LTO'] as const;
/** One of {@link CHEMISTRIES}. */
export type Chemistry = (typeof CHEMISTRIES)[number];
/** Metadata `climate`. */
export const CLIMATES = ['temperate', 'hot', 'cold'] as const;
/** One of {@link CLIMATES}. */
export type Climate = (typeof CLIMATES)[number];

/**
 * A column of a real series file outside the sensor set (an `extra` of `harness import`: a
 * per-string current, a mode flag) must have a lowercase snake_case name; it is carried into the
 * series for plugins that ask for it. In synthetic data every column is a known sensor.
 */
export const EXTRA_COLUMN_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** A system id names a file, so anything that could escape a folder is rejected. */
export const SYSTEM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** The problem with a system id read from a table (scores, alarms), or undefined when it is fine. */
export function systemIdProblem(id: string): string | undefined {
  if (id === '') return 'empty system_id';
  if (!SYSTEM_ID_PATTERN.test(id))
    return `unsafe system id ${JSON.stringify(id)}: ids name files, so they must match ${SYSTEM_ID_PATTERN.source}`;
  return undefined;
}

/** Columns metadata.csv must have. */
export const METADATA_REQUIRED = ['system_id', 'source', 'operational_mode', 'season'] as const;
/** Columns metadata.csv may have. */
/**
 * Columns metadata.csv may have. `parent_system_id` names the longer series a window was cut
 * from (window scenarios): splits keep a parent's windows on one side.
 */
export const METADATA_OPTIONAL = ['chemistry', 'capacity_kwh', 'climate', 'scenario_tags', 'parent_system_id'] as const;
/** Columns labels.csv must have. */
export const LABELS_REQUIRED = [
  'system_id',
  'label',
  'failure_type',
  'lead_time_days',
  'source',
  'label_version',
] as const;
/**
 * Columns labels.csv may have. `failure_at` (when the failure happened) and `onset_at` (when its
 * precursor began) are ISO 8601 UTC instants of an anomaly, used by the alarm metrics.
 */
export const LABELS_OPTIONAL = ['confidence', 'notes', 'labeler', 'labeled_at', 'failure_at', 'onset_at'] as const;

/** ISO 8601 in UTC as the contract writes it: `2026-01-01T00:00:00Z` (fractional seconds allowed). */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * The longest lead time a label may give, in days: ten years, longer than a battery's warranty.
 * A larger number is a unit mistake (seconds or minutes written as days) or a typo, and it
 * would land silently in the last bucket.
 */
export const MAX_LEAD_TIME_DAYS = 3650;

/** Lead-time buckets in days, [lo, hi): the default breakdown of anomalies by warning time. */
export const LEAD_TIME_BUCKETS: readonly { readonly name: string; readonly lo: number; readonly hi: number }[] = [
  { name: '[0,7)', lo: 0, hi: 7 },
  { name: '[7,30)', lo: 7, hi: 30 },
  { name: '[30,90)', lo: 30, hi: 90 },
  { name: '90+', lo: 90, hi: Infinity },
];

/** The bucket name of a lead time in days, or undefined for a normal (no lead time). */
export function leadTimeBucket(days: number | null | undefined): string | undefined {
  if (days === null || days === undefined || Number.isNaN(days)) return undefined;
  return LEAD_TIME_BUCKETS.find((b) => days >= b.lo && days < b.hi)?.name;
}

/** True when `v` is one of `values` (narrows a string to the enum). */
export function isOneOf<T extends string>(values: readonly T[], v: string): v is T {
  return (values as readonly string[]).includes(v);
}

/**
 * Decimals a sensor is written with: the resolution a BMS historian typically keeps
 * (cell voltage 1 mV, temperatures 0.1 °C, SOC 0.1 %). Readers accept any precision.
 */
export const SENSOR_DECIMALS: Readonly<Record<Sensor, number>> = {
  voltage_v: 2,
  current_a: 2,
  soc_pct: 2,
  temp_cell_max_c: 2,
  temp_cell_min_c: 2,
  temp_ambient_c: 2,
  cell_voltage_max_v: 4,
  cell_voltage_min_v: 4,
  insulation_resistance_kohm: 1,
};

/**
 * Values no working sensor can report, per sensor, inclusive bounds. Validation flags a reading
 * outside them; anything inside is left alone, however odd (spikes and stuck sensors are data).
 * The bounds are deliberately loose so that only clearly invalid readings are flagged: SOC a
 * little past 0–100 % is common calibration drift, a cell in thermal runaway passes 600 °C,
 * and a pack voltage or insulation resistance below zero is a sign error, not a measurement.
 * The generator's deliberate spikes saturate at a sensor's full scale, so they stay inside.
 */
export const PHYSICAL_LIMITS: Readonly<Partial<Record<Sensor, { readonly min: number; readonly max: number }>>> = {
  voltage_v: { min: 0, max: 5000 },
  soc_pct: { min: -5, max: 105 },
  temp_cell_max_c: { min: -273.15, max: 2000 },
  temp_cell_min_c: { min: -273.15, max: 2000 },
  temp_ambient_c: { min: -273.15, max: 2000 },
  cell_voltage_max_v: { min: 0, max: 10 },
  cell_voltage_min_v: { min: 0, max: 10 },
  insulation_resistance_kohm: { min: 0, max: Infinity },
};
