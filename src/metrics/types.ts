/**
 * Result types of the metrics engine. A metric that cannot be computed on the data at hand
 * (one class present, a zero denominator, too few samples for a variance) is a *result*, not a
 * crash and never a made-up number: `{ value: null, code, reason }`. Reports print the reason;
 * JSON carries `null` plus the reason. Caller bugs (NaN scores, mismatched lengths) throw
 * `HarnessError('E_METRIC', …)` instead.
 */

/** Why a metric is undefined, machine-readable (the `reason` says it for people). */
export type UndefinedCode =
  | 'empty'
  | 'no_positives'
  | 'no_negatives'
  | 'too_few_positives'
  | 'too_few_negatives'
  | 'zero_division'
  | 'zero_variance';

/** A metric that has a value. `note` flags a convention that produced it (e.g. `zero_division`). */
export interface DefinedMetric {
  readonly value: number;
  readonly note?: string;
}

/** A metric that is undefined on this data; `value` is `null` so JSON shows `null`. */
export interface UndefinedMetric {
  readonly value: null;
  readonly code: UndefinedCode;
  readonly reason: string;
}

/** Either a number or `null` with a reason. Narrow with `m.value === null` or {@link isDefined}. */
export type MetricValue = DefinedMetric | UndefinedMetric;

/** Build a defined metric (omits `note` when absent so results compare with `toEqual`). */
export function defined(value: number, note?: string): DefinedMetric {
  return note === undefined ? { value } : { value, note };
}

/** Build an undefined metric. */
export function undefinedMetric(code: UndefinedCode, reason: string): UndefinedMetric {
  return { value: null, code, reason };
}

/** Type guard: true when the metric has a numeric value. */
export function isDefined<T extends { readonly value: number | null }>(
  m: T,
): m is Extract<T, { readonly value: number }> {
  return m.value !== null;
}

/** A confidence interval of a metric. `method` names how it was made. */
export interface ConfidenceInterval {
  readonly method: 'delong' | 'bootstrap' | 'wilson';
  /** Confidence level, e.g. 0.95. */
  readonly level: number;
  readonly low: number;
  readonly high: number;
  /** Never set: lets `ci.value === null` tell an interval from an {@link UndefinedMetric}. */
  readonly value?: never;
}

/** ROC curve in scikit-learn's layout: `thresholds[0]` is `Infinity` (the point (0, 0)). */
export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  /** Decreasing; `thresholds[i]` flags `score >= thresholds[i]` as anomaly. */
  readonly thresholds: Float64Array;
  /** Set when fpr or tpr is all NaN because a class is missing (scikit-learn warns there). */
  readonly note?: string;
}

/** Precision–recall curve in scikit-learn's layout: recall decreasing, last point (P=1, R=0). */
export interface PrCurve {
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  /** Increasing; one shorter than precision/recall (the appended (1, 0) has no threshold). */
  readonly thresholds: Float64Array;
  readonly note?: string;
}

/** Confusion counts at a threshold (weighted sums when weights are given). */
export interface ConfusionCounts {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

/** Type guard for any result that may be an {@link UndefinedMetric} (CIs, DeLong results, …). */
export function isUndefinedMetric(x: object): x is UndefinedMetric {
  return 'reason' in x && 'code' in x && (x as { value?: unknown }).value === null;
}
