/**
 * Contract of the alarm metrics (alarms.ts): what one system brings (its alarms and its ground
 * truth in time) and what the evaluation returns (JSON-ready, like EvaluationSummary).
 */
import type { JsonCi } from './evaluate.ts';

/**
 * An interval of an alarm metric. Besides `bootstrap` (over systems) and `wilson`, large sets
 * (more units than `BOOTSTRAP_MAX_UNITS`) get `normal` (the CLT for a mean, the delta method for
 * a ratio of sums) or `order_statistic` (the distribution-free interval of a median): at that
 * size they agree with the bootstrap, which would cost reps × units.
 */
export interface AlarmCi extends Omit<JsonCi, 'method'> {
  readonly method: JsonCi['method'] | 'normal' | 'order_statistic';
}

/** One system as the alarm metrics see it. Instants are epoch milliseconds. */
export interface AlarmSystem {
  readonly systemId: string;
  /** The label's failure type; `none` for a normal. */
  readonly failureType: string;
  readonly anomaly: boolean;
  /** Alarm instants, ascending (ties allowed). */
  readonly alarms: Float64Array;
  /** When the failure happened; NaN for a normal, or an anomaly whose label does not say. */
  readonly failureAt: number;
  /** When its precursor began; NaN when unknown. */
  readonly onsetAt: number;
  /**
   * The system's observed span, first and last instant; NaN when unknown. A normal's is the time
   * its false alarms are counted over: in a run, the span the model scored (first to last instant
   * with a score), since an alarm could only fire there. A failure's is its series' span: whether
   * the data reaches its event window.
   */
  readonly spanStart: number;
  readonly spanEnd: number;
  /**
   * True when the model gave no score at any instant of the system: a normal then adds no time
   * and no alarm to the false-alarm rate, and when no normal was scored the rate and event
   * precision are undefined (nothing was watched for false alarms). Default false.
   */
  readonly unscored?: boolean;
}

/** Options of `evaluateAlarms`. */
export interface AlarmOptions {
  /** Debounce of false alarms in days (see alarm-events.ts). Default 0: ties merge, nothing else. */
  readonly cooldownDays?: number;
  /** Event window start when a label has no onset_at: failure_at − this. Default null: unbounded. */
  readonly preWindowDays?: number | null;
  /**
   * True when alarms can only fall inside each system's data (a run): a failure whose data ends
   * before its event window is unobservable. Default false: every failure is (alarm-events.ts).
   */
  readonly alarmsInsideData?: boolean;
  /** `nab` adds NAB-weighted event precision and recall (early detections weigh more). Default `none`. */
  readonly weighting?: 'none' | 'nab';
  /** Confidence level of every CI. Default 0.95. */
  readonly level?: number;
  /** Bootstrap replicates. Default 2000. */
  readonly reps?: number;
  /** Bootstrap seed. Default `alarms`. */
  readonly seed?: string;
}

/** Quantiles (R type 7) of a per-failure quantity in days; null fields never occur (n ≥ 1). */
export interface DaysDistribution {
  readonly n: number;
  readonly min: number;
  readonly p10: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly p90: number;
  readonly max: number;
}

/** Metrics of a set of systems: values, intervals, and why a metric is undefined. */
export interface AlarmMetricSet {
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly ci: Readonly<Record<string, AlarmCi | null>>;
  /** Metric name (or `ci.<name>`) → why it is null. */
  readonly undefined: Readonly<Record<string, string>>;
  readonly distributions: {
    readonly warning_days: DaysDistribution | null;
    readonly detection_delay_days: DaysDistribution | null;
  };
}

/** One failure type's failure-side metrics (false alarms belong to normals, which have no type). */
export interface AlarmBreakdownCell extends AlarmMetricSet {
  readonly stratum: string;
  readonly failures: number;
}

/** One judged failure. */
export interface FailureAlarmRow {
  readonly system_id: string;
  readonly failure_type: string;
  readonly observable: boolean;
  readonly caught: boolean;
  /** Epoch ms of the detecting alarm, null when missed. */
  readonly detection_at: number | null;
  readonly warning_days: number | null;
  readonly detection_delay_days: number | null;
}

/** Everything `evaluateAlarms` measured. */
export interface AlarmSummary extends AlarmMetricSet {
  readonly counts: {
    readonly systems: number;
    readonly normals: number;
    /** Anomalies with a failure_at (judged). */
    readonly failures: number;
    /** Anomalies without failure_at: left out of every metric. */
    readonly failures_without_failure_at: number;
    /** Failures whose data ends before their window, when alarms fall inside the data (left out of recall-like denominators). */
    readonly unobservable: number;
    readonly caught: number;
    readonly alarms: number;
    /** Debounced false alarms on normals / on failing systems outside their window. */
    readonly false_alarms_on_normals: number;
    readonly false_alarms_on_failures: number;
    /** Observed system-months of the normals (30.44-day months). */
    readonly normal_system_months: number;
  };
  readonly breakdown: { readonly failure_type: readonly AlarmBreakdownCell[] };
  readonly per_failure: readonly FailureAlarmRow[];
  readonly options: {
    readonly cooldown_days: number;
    readonly pre_window_days: number | null;
    readonly weighting: 'none' | 'nab';
    readonly level: number;
    readonly reps: number;
    readonly seed: string;
    readonly month_days: number;
  };
}

/**
 * A model's score over time on one system (plugin capability `scoreOverTime`), with what the
 * harness made of it: the alarms at the case's threshold and the system's ground truth in time.
 * What the warning-time chart and the score timeline plot (HTML report, labeling app) draw.
 * Instants are epoch milliseconds; `failureAt` / `onsetAt` are null when unknown or for a normal.
 */
export interface ScoreTimeline {
  readonly systemId: string;
  readonly failureType: string;
  readonly anomaly: boolean;
  /** The instant of each score (a timestamp, or a window's end), ascending. */
  readonly t: readonly number[];
  /** The score at each instant; null where the model gave none (NaN in memory). */
  readonly score: readonly (number | null)[];
  /** The instants the debounced alarms fired. */
  readonly alarms: readonly number[];
  readonly failureAt: number | null;
  readonly onsetAt: number | null;
  /** The score threshold the alarms fire at (the case's threshold). */
  readonly threshold: number;
}

/**
 * The alarm-level evaluation of one scored case (results.json: `cases[model].alarms`), present
 * when the model has `scoreOverTime`. Its metrics are also merged into the case summary's
 * `metrics` / `ci` / `undefined` under the same names (`median_warning_days`,
 * `false_alarms_per_system_month`, …) so that `metric(m, 'median_warning_days')` asserts on them.
 */
export interface CaseAlarms {
  /** Score threshold an instant must reach (from the training normals, as the case threshold). */
  readonly threshold: number;
  /** Consecutive instants at or above the threshold before an alarm fires. */
  readonly minDuration: number;
  /** Days after an alarm in which the same system raises no other. */
  readonly cooldownDays: number;
  readonly summary: AlarmSummary;
  /** A few systems' timelines for the plots (the failures first, then the normals with most false alarms). */
  readonly timelines: readonly ScoreTimeline[];
}
