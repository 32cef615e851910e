import type {
  Chemistry,
  Climate,
  FailureType,
  OperationalMode,
  ScenarioTag,
  Season,
} from '../data/index.ts';
import type { PackSize, PackSpec } from './pack.ts';

/** Relative weights over a set of names; they need not sum to 1. */
export type Weights<K extends string> = Partial<Record<K, number>>;

/** A lead-time distribution in days (time from the last sample to the failure). */
export type LeadTimeDistribution =
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | {
      readonly kind: 'lognormal';
      readonly median: number;
      readonly sigma: number;
      readonly max?: number;
    }
  /** Weighted buckets, each drawn uniformly inside [lo, hi). */
  | {
      readonly kind: 'buckets';
      readonly buckets: readonly {
        readonly lo: number;
        readonly hi: number;
        readonly weight: number;
      }[];
    };

/** Data-quality faults, as per-system probabilities (a fault also hits normal systems). */
export interface DataQualitySpec {
  /** Share of systems with empty fields and missing rows. */
  readonly sensorDropout?: number;
  /** Share of systems with a sensor frozen at its last value for a while. */
  readonly stuckSensor?: number;
  /** Share of systems with single-sample outliers (0, full scale, ×10). */
  readonly spike?: number;
  /** Share of systems with telemetry outages (rows missing for minutes to days). */
  readonly timestampGap?: number;
  /** Share of normal systems with extra measurement noise (`noisy_normal`). */
  readonly noisyNormal?: number;
}

/**
 * Normal operational events, as per-system probabilities (field-stats.md): real telemetry has
 * them on healthy systems, so a system with one keeps its label and is tagged in metadata.
 * 0 turns an event off.
 */
export interface OperationalEventsSpec {
  /** Share of systems whose timestamps jitter by ≈ 0.35 % of the interval (10.000 ± 0.035 s). */
  readonly jitter?: number;
  /** Share of systems whose reported SOC drifts and is recalibrated in 0.5–2 point steps. */
  readonly socRecalibration?: number;
  /** Share of systems with a string trip: 0 A for 1–12 h, usually at low SOC. */
  readonly stringTrip?: number;
  /** Share of systems with a few rows repeated (same timestamp, same values). */
  readonly repeatedRows?: number;
  /** Share of systems with one to three whole days at 0 A. */
  readonly idleDays?: number;
}

/** What a scenario fixture declares. Every field is optional; `resolveScenario` fills defaults. */
export interface ScenarioSpec {
  readonly name: string;
  readonly description?: string;
  /** Number of systems in the fleet. */
  readonly systems?: number;
  /** Length of each system's series in days. */
  readonly days?: number;
  /** Sampling interval: a number of seconds or a duration string such as `5m`, `30s`, `1h`. */
  readonly interval?: number | string;
  readonly seed?: number | string;
  /** First day of the calendar year the fleet is placed in (each system starts inside its season). */
  readonly year?: number;
  readonly modes?: Weights<OperationalMode>;
  readonly seasons?: Weights<Season>;
  readonly climates?: Weights<Climate>;
  /** Cell chemistry of each rack (metadata `chemistry`); default LFP only. */
  readonly chemistries?: Weights<Chemistry>;
  /** Rack voltage class (cells in series for the chemistry); default the 768 V rack only. */
  readonly packs?: Weights<PackSize>;
  /** Share of systems that fail (label `anomaly`), 0–1. */
  readonly anomalyRate?: number;
  readonly failureTypes?: Weights<FailureType>;
  readonly leadTimeDays?: LeadTimeDistribution;
  /** Range of precursor severity, 0–1 scale multiplier of each failure's signature. */
  readonly severity?: { readonly min: number; readonly max: number };
  /** Share of anomalies whose signature is scaled down and tagged `subtle`. */
  readonly subtleRate?: number;
  /** Measurement noise multiplier (1 = typical BMS noise). */
  readonly noise?: number;
  readonly dataQuality?: DataQualitySpec;
  readonly events?: OperationalEventsSpec;
  /**
   * Cut each system's series into consecutive windows, each a system of its own (see
   * windows.ts): a length (`'1h'`, or seconds) or `{ length, precursorDays }`.
   */
  readonly window?: number | string | WindowSpec;
}

/** A window scenario's knob in full. */
export interface WindowSpec {
  /** Window length: a number of seconds or a duration string (`'1h'`, `'30m'`, `'1d'`). */
  readonly length: number | string;
  /**
   * A failing system's windows that end within this many days of the failure are `anomaly`;
   * earlier ones are `normal`. Default: per failure type, where its precursor has faded to 5 %
   * of its strength at the event (`precursorHorizonDays`).
   */
  readonly precursorDays?: number;
}

/** A window scenario's knob, resolved. */
export interface ResolvedWindow {
  readonly seconds: number;
  /** null: each failure type's own horizon. */
  readonly precursorDays: number | null;
}

/** A scenario with every default filled in: what the generator runs. */
export interface ResolvedScenario {
  readonly name: string;
  readonly description: string;
  readonly systems: number;
  readonly days: number;
  readonly intervalSeconds: number;
  readonly seed: string;
  readonly year: number;
  readonly modes: Readonly<Record<OperationalMode, number>>;
  readonly seasons: Readonly<Record<Season, number>>;
  readonly climates: Readonly<Record<Climate, number>>;
  readonly chemistries: Readonly<Record<Chemistry, number>>;
  readonly packs: Readonly<Record<PackSize, number>>;
  readonly anomalyRate: number;
  readonly failureTypes: Readonly<Record<FailureType, number>>;
  readonly leadTimeDays: LeadTimeDistribution;
  readonly severity: { readonly min: number; readonly max: number };
  readonly subtleRate: number;
  readonly noise: number;
  readonly dataQuality: Required<DataQualitySpec>;
  readonly events: Required<OperationalEventsSpec>;
  /** Absent (not null) without windows, so a scenario's hash is what it was before windows existed. */
  readonly window?: ResolvedWindow;
}

/** The plan for one system: everything drawn at fleet level before its signals are made. */
export interface SystemPlan {
  readonly index: number;
  readonly systemId: string;
  readonly mode: OperationalMode;
  readonly season: Season;
  readonly climate: Climate;
  readonly chemistry: Chemistry;
  /** The rack: chemistry, cells in series, cell size, C-rate limit. */
  readonly pack: PackSpec;
  /**
   * Identical racks (strings) in parallel on one DC bus: the series' current is the bank's (the
   * simulated rack's × this), its voltage and cell extremes the simulated rack's.
   */
  readonly strings: number;
  /** Nameplate energy of the bank (kWh): strings × the rack's energy, so a C-rate computed from
   * the metadata (|current_a · voltage_v| / capacity_kwh) is the rack's own. */
  readonly capacityKwh: number;
  /** Epoch ms of the first sample. */
  readonly startMs: number;
  readonly samples: number;
  readonly intervalSeconds: number;
  readonly failure: null | {
    readonly type: FailureType;
    readonly leadTimeDays: number;
    /** 0–1, already scaled down for `subtle` systems. */
    readonly severity: number;
  };
  readonly tags: readonly ScenarioTag[];
  /** Seed of this system's own random stream (independent of generation order). */
  readonly seed: string;
}

/** One generated system: its plan and its columns (NaN = an empty field; `keep[i]=0` = a missing row). */
export interface GeneratedSystem {
  readonly plan: SystemPlan;
  /** Epoch ms per row, strictly increasing, with missing rows already removed. */
  readonly timestamps: Float64Array;
  readonly columns: Readonly<Record<string, Float64Array>>;
  /**
   * Rows (indices into `timestamps`, sorted) that the written file repeats verbatim, as loggers
   * do (`repeated_rows`). The loader drops an exact repeat, so the series read back equals this one.
   */
  readonly repeatRows?: readonly number[];
}
