import type {
  DerivedFeature,
  FailureTypeOrNone,
  Label,
  MetadataMode,
  Season,
  Sensor,
  Source,
  SourceSelector,
} from './schema.ts';

/**
 * One system's telemetry, columnar: `timestamps` in epoch milliseconds (UTC) and one
 * Float64Array per sensor present in the file, NaN for a missing reading.
 */
export interface SystemSeries {
  readonly systemId: string;
  readonly source: Source;
  readonly timestamps: Float64Array;
  /** Sensors present in the file (a sensor may be absent). Extra declared sensors, and in real data extra snake_case columns, may appear. */
  readonly sensors: Readonly<Partial<Record<Sensor, Float64Array>>> & Readonly<Record<string, Float64Array | undefined>>;
}

/** One row of `data/<source>/metadata.csv`. */
export interface MetadataRow {
  readonly system_id: string;
  readonly source: Source;
  /** `unknown` only in real data. */
  readonly operational_mode: MetadataMode;
  readonly season: Season;
  readonly chemistry?: string;
  readonly capacity_kwh?: number;
  readonly climate?: string;
  readonly scenario_tags: readonly string[];
  /** The system this one is a window of (window scenarios); absent for a whole series. */
  readonly parent_system_id?: string;
}

/** One row of a labels file (`data/<source>/labels.csv`). `lead_time_days` is null for a normal. */
export interface LabelRow {
  readonly system_id: string;
  readonly label: Label;
  readonly failure_type: FailureTypeOrNone;
  readonly lead_time_days: number | null;
  readonly source: Source;
  readonly label_version: number;
  readonly confidence?: number;
  readonly notes?: string;
  readonly labeler?: string;
  readonly labeled_at?: string;
  /** When the failure happened (ISO 8601 UTC); anomalies only, optional. */
  readonly failure_at?: string;
  /** When its precursor began (ISO 8601 UTC, ≤ failure_at); anomalies only, optional. */
  readonly onset_at?: string;
}

/** Where data lives and which part of it to read. */
export interface LoadOptions {
  /** The data folder holding synthetic/ and real/ (each with raw/, metadata.csv, labels.csv). Default: `data` under the cwd. */
  readonly dataDir?: string;
  readonly source?: SourceSelector;
  /** Sensors the config declares beyond the default set; any other column is an error. */
  readonly extraSensors?: readonly string[];
}

/** Options of `loadTimeseries`. */
export interface TimeseriesOptions {
  readonly dataDir?: string;
  readonly source?: Source;
  /** Derived features to add as extra columns (cell ΔV in mV, cell temperature spread). */
  readonly derive?: readonly DerivedFeature[];
  /** Sensors the config declares beyond the default set; any other column is an error. */
  readonly extraSensors?: readonly string[];
}

/** A labelled system of a dataset; its series is read only when asked for. */
export interface SystemRecord {
  readonly systemId: string;
  readonly source: Source;
  readonly label: LabelRow;
  readonly metadata: MetadataRow;
  /** Reads the series from disk (not cached: a fleet need not fit in memory). */
  loadSeries(options?: { readonly derive?: readonly DerivedFeature[] }): Promise<SystemSeries>;
}

/**
 * A source folder as a loaded dataset reads it (source-snapshot.ts): the folder a symlink such as
 * `data/synthetic` pointed to when the dataset was loaded, so that every series comes from the
 * version its labels and metadata came from. Plain data: it travels to worker threads.
 */
export interface SourceSnapshot {
  /** The folder as the data dir names it (`<data>/synthetic`): what messages name. */
  readonly shown: string;
  /** The folder read: `shown`'s link target (`<data>/.synthetic.v-<hex>`), or `shown` itself when it is no link. */
  readonly dir: string;
  /** True when `shown` was a symlink, resolved to `dir`. */
  readonly link: boolean;
  /** `dev:ino` of `dir/raw` when the dataset was loaded (`missing` when there was none). */
  readonly rawId: string;
}

/** Systems joined with their labels and metadata. */
export interface Dataset {
  readonly dataDir: string;
  readonly source: SourceSelector;
  readonly systems: readonly SystemRecord[];
  /** Real systems in metadata without a label yet, left out of `systems`. */
  readonly unlabelledReal?: number;
  /**
   * Where each source's series are read from, fixed by loadDataset (see {@link SourceSnapshot});
   * absent in a dataset made in memory. In a flat folder every source maps to its one folder.
   */
  readonly snapshots?: Readonly<Partial<Record<Source, SourceSnapshot>>>;
}
