/**
 * Threshold-free ranking metrics with scikit-learn's exact conventions (`sklearn/metrics/_ranking.py`):
 * ROC and PR curves, ROC AUC (ties count ½) with McClish partial AUC, step-wise average
 * precision, precision@k and recall at a target FPR. Each is O(n log n) (one sort) or better.
 */
import { HarnessError } from '../errors.ts';
import { sortedByClass, sortedPlacements } from './class-sort.ts';
import { prepareBinary, type BinaryInput } from './input.ts';
import { rankScores } from './sort.ts';
import {
  defined,
  undefinedMetric,
  type DefinedMetric,
  type MetricValue,
  type PrCurve,
  type RocCurve,
  type UndefinedMetric,
} from './types.ts';

/** Cumulative true/false positives at each distinct score, highest first (`_binary_clf_curve`). */
export interface ClfCurve {
  readonly tps: Float64Array;
  readonly fps: Float64Array;
  /** Distinct scores, strictly decreasing. */
  readonly thresholds: Float64Array;
}

/** Options shared by the curve and AUC functions. */
export interface WeightOptions {
  /** Per-sample weights (finite, ≥ 0); weight-0 samples are dropped before anything else. */
  readonly weights?: ArrayLike<number>;
}

/** {@link clfCurveOf} on already-checked input. */
export function clfCurveOf(input: BinaryInput): ClfCurve {
  const { y, w } = input;
  const { order, sorted, ends } = rankScores(input.s);
  const k = ends.length;
  const tps = new Float64Array(k);
  const fps = new Float64Array(k);
  const thresholds = new Float64Array(k);
  // Sequential float64 sums, as numpy's cumsum does, so weighted results agree to the last bit.
  let tp = 0;
  let fp = 0;
  let e = 0;
  for (let i = 0; i < order.length; i++) {
    const j = order[i]!;
    if (w === undefined) tp += y[j]!;
    else {
      tp += y[j]! * w[j]!;
      fp += (1 - y[j]!) * w[j]!;
    }
    if (i === ends[e]) {
      tps[e] = tp;
      fps[e] = w === undefined ? 1 + i - tp : fp;
      thresholds[e] = sorted[i]!;
      e++;
    }
  }
  return { tps, fps, thresholds };
}

/**
 * Cumulative true and false positives at each distinct score (scikit-learn's `_binary_clf_curve`):
 * the building block of every curve. Throws `E_METRIC` on non-finite scores or labels other than 0/1.
 */
export function binaryClfCurve(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: WeightOptions = {},
): ClfCurve {
  return clfCurveOf(prepareBinary(y, scores, options.weights, 'binaryClfCurve'));
}

/** Options of {@link rocCurve}. */
export interface RocCurveOptions extends WeightOptions {
  /** Drop points that are collinear on the ROC plot (scikit-learn's default `true`). */
  readonly dropIntermediate?: boolean;
}

function divideAll(values: Float64Array, by: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = by > 0 ? values[i]! / by : NaN;
  return out;
}

/**
 * ROC curve exactly as scikit-learn ≥ 1.3's `roc_curve`: points at distinct scores, collinear
 * points dropped (`dropIntermediate`, default true), then (0, 0) prepended with threshold
 * `Infinity`. With no negatives (positives) the fpr (tpr) is all NaN and `note` says why.
 */
export function rocCurve(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: RocCurveOptions = {},
): RocCurve {
  return rocCurveOf(
    prepareBinary(y, scores, options.weights, 'rocCurve'),
    options.dropIntermediate ?? true,
  );
}

function rocCurveOf(input: BinaryInput, dropIntermediate: boolean): RocCurve {
  let { tps, fps, thresholds } = clfCurveOf(input);
  if (dropIntermediate && tps.length > 2) {
    // Keep a point when the second difference of fps or tps is non-zero (a corner), plus both ends.
    const keep = [0];
    for (let i = 1; i < tps.length - 1; i++) {
      const dF = fps[i + 1]! - fps[i]! - (fps[i]! - fps[i - 1]!);
      const dT = tps[i + 1]! - tps[i]! - (tps[i]! - tps[i - 1]!);
      if (dF !== 0 || dT !== 0) keep.push(i);
    }
    keep.push(tps.length - 1);
    tps = Float64Array.from(keep, (i) => tps[i]!);
    fps = Float64Array.from(keep, (i) => fps[i]!);
    thresholds = Float64Array.from(keep, (i) => thresholds[i]!);
  }
  const k = tps.length;
  const tps0 = new Float64Array(k + 1);
  const fps0 = new Float64Array(k + 1);
  const thr = new Float64Array(k + 1);
  tps0.set(tps, 1);
  fps0.set(fps, 1);
  thr.set(thresholds, 1);
  thr[0] = Infinity;
  const lastF = fps0[k]!;
  const lastT = tps0[k]!;
  const notes: string[] = [];
  if (!(lastF > 0)) notes.push('no negative samples: fpr is undefined (NaN)');
  if (!(lastT > 0)) notes.push('no positive samples: tpr is undefined (NaN)');
  const curve = { fpr: divideAll(fps0, lastF), tpr: divideAll(tps0, lastT), thresholds: thr };
  return notes.length > 0 ? { ...curve, note: notes.join('; ') } : curve;
}

/** Options of {@link prCurve}. */
export interface PrCurveOptions extends WeightOptions {
  /** Drop points where tps does not change on either side (scikit-learn's default `false`). */
  readonly dropIntermediate?: boolean;
}

/**
 * Precision–recall curve exactly as scikit-learn's `precision_recall_curve`: precision is 0 where
 * nothing is flagged, recall is all 1 (with a `note`) when there are no positives, points run from
 * the lowest threshold (recall 1, precision = prevalence) to the appended (P = 1, R = 0).
 */
export function prCurve(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: PrCurveOptions = {},
): PrCurve {
  return prCurveOf(
    prepareBinary(y, scores, options.weights, 'prCurve'),
    options.dropIntermediate ?? false,
  );
}

function prCurveOf(input: BinaryInput, dropIntermediate: boolean): PrCurve {
  let { tps, fps, thresholds } = clfCurveOf(input);
  if (dropIntermediate && tps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < tps.length - 1; i++) {
      if (tps[i]! !== tps[i - 1]! || tps[i + 1]! !== tps[i]!) keep.push(i);
    }
    keep.push(tps.length - 1);
    tps = Float64Array.from(keep, (i) => tps[i]!);
    fps = Float64Array.from(keep, (i) => fps[i]!);
    thresholds = Float64Array.from(keep, (i) => thresholds[i]!);
  }
  const k = tps.length;
  const lastT = k > 0 ? tps[k - 1]! : 0;
  const precision = new Float64Array(k + 1);
  const recall = new Float64Array(k + 1);
  const thr = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const r = k - 1 - i; // reversed: lowest threshold (highest recall) first
    const ps = tps[r]! + fps[r]!;
    precision[i] = ps !== 0 ? tps[r]! / ps : 0;
    recall[i] = lastT === 0 ? 1 : tps[r]! / lastT;
    thr[i] = thresholds[r]!;
  }
  precision[k] = 1;
  recall[k] = 0;
  const curve = { precision, recall, thresholds: thr };
  return lastT === 0
    ? { ...curve, note: 'no positive samples: recall set to 1 (scikit-learn convention)' }
    : curve;
}

/** Options of {@link rocAuc}. */
export interface RocAucOptions extends WeightOptions {
  /** Standardized partial AUC (McClish 1989) over FPR ∈ [0, maxFpr]; must be in (0, 1]. */
  readonly maxFpr?: number;
}

/** Undefined-metric result when a class is missing, or undefined when both are present. */
export function missingClass(
  positives: number,
  negatives: number,
  metric: string,
): UndefinedMetric | undefined {
  if (positives === 0 && negatives === 0)
    return undefinedMetric('empty', `${metric} is undefined: no samples`);
  if (positives === 0)
    return undefinedMetric(
      'no_positives',
      `${metric} is undefined: no anomalies (positives) among the samples`,
    );
  if (negatives === 0)
    return undefinedMetric(
      'no_negatives',
      `${metric} is undefined: no normals (negatives) among the samples`,
    );
  return undefined;
}

/** Trapezoidal area under (x, y) as `sklearn.metrics.auc` (x non-decreasing). */
function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return area;
}

/**
 * Area under the ROC curve as scikit-learn's `roc_auc_score` (binary): a tied positive/negative
 * pair counts ½ (the Mann–Whitney U with midranks). With `maxFpr < 1`, the McClish-standardized
 * partial AUC (0.5 = chance, 1 = perfect). One class present ⇒ undefined (scikit-learn ≥ 1.6
 * returns NaN with a warning).
 */
export function rocAuc(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: RocAucOptions = {},
): MetricValue {
  const maxFpr = options.maxFpr;
  if (maxFpr !== undefined && !(maxFpr > 0 && maxFpr <= 1)) {
    throw new HarnessError('E_METRIC', `rocAuc: maxFpr must be in (0, 1], got ${String(maxFpr)}`);
  }
  const input = prepareBinary(y, scores, options.weights, 'rocAuc');
  const missing = missingClass(input.positives, input.negatives, 'ROC AUC');
  if (missing) return missing;
  // Unweighted full AUC = Mann–Whitney U / (m·n), which is the trapezoid under the ROC curve with
  // ties counted ½; counting it from the classes sorted apart needs no ranking of all samples.
  if (input.w === undefined && (maxFpr === undefined || maxFpr === 1))
    return defined(sortedPlacements(sortedByClass(input)).auc);
  const { fpr, tpr } = rocCurveOf(input, true);
  if (maxFpr === undefined || maxFpr === 1) return defined(trapezoid(fpr, tpr));
  // searchsorted(fpr, maxFpr, 'right'): first index with fpr > maxFpr.
  let stop = 0;
  while (stop < fpr.length && fpr[stop]! <= maxFpr) stop++;
  const x0 = fpr[stop - 1]!;
  const x1 = fpr[stop]!;
  const y0 = tpr[stop - 1]!;
  const y1 = tpr[stop]!;
  // np.interp on two points; x0 < maxFpr < x1 here because fpr reaches 1 ≥ maxFpr.
  const yAt = x1 === x0 ? y1 : y0 + ((maxFpr - x0) * (y1 - y0)) / (x1 - x0);
  const px = Float64Array.from([...fpr.subarray(0, stop), maxFpr]);
  const py = Float64Array.from([...tpr.subarray(0, stop), yAt]);
  const partial = trapezoid(px, py);
  const minArea = 0.5 * maxFpr ** 2;
  return defined(
    0.5 * (1 + (partial - minArea) / (maxFpr - minArea)),
    `partial AUC (McClish) at max FPR ${maxFpr}`,
  );
}

/**
 * Average precision as scikit-learn's `average_precision_score`: Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the
 * distinct thresholds, step-wise (not interpolated); a tie block is one step. Undefined with no
 * positives (scikit-learn returns 0.0 with a warning there; 0 would read as a bad model).
 */
export function averagePrecision(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: WeightOptions = {},
): MetricValue {
  const input = prepareBinary(y, scores, options.weights, 'averagePrecision');
  if (input.positives === 0) {
    return input.y.length === 0
      ? undefinedMetric('empty', 'average precision is undefined: no samples')
      : undefinedMetric(
          'no_positives',
          'average precision is undefined: no anomalies (positives) among the samples (scikit-learn returns 0.0 with a warning)',
        );
  }
  const { precision, recall } = prCurveOf(input, false);
  let sum = 0;
  for (let i = 0; i < recall.length - 1; i++) sum += (recall[i + 1]! - recall[i]!) * precision[i]!;
  // `0 - x` instead of `-x` so a zero sum gives +0, not the -0.0 scikit-learn 1.2 could return.
  return defined(Math.max(0, 0 - sum));
}

/**
 * Precision among the k highest scores. When the k-th place falls inside a block of tied
 * scores, the block is shared pro rata (the expected precision under a random tie-break), so
 * the result does not depend on input order. `k > n` uses all n samples (with a note).
 */
export function precisionAtK(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
): MetricValue {
  if (!Number.isInteger(k) || k < 1)
    throw new HarnessError(
      'E_METRIC',
      `precisionAtK: k must be a positive integer, got ${String(k)}`,
    );
  const input = prepareBinary(y, scores, undefined, 'precisionAtK');
  const n = input.y.length;
  if (n === 0) return undefinedMetric('empty', 'precision@k is undefined: no samples');
  const kk = Math.min(k, n);
  const { order, ends } = rankScores(input.s);
  let tp = 0;
  let start = 0;
  for (let b = 0; b < ends.length; b++) {
    const end = ends[b]! + 1; // exclusive
    let blockPositives = 0;
    for (let i = start; i < end; i++) blockPositives += input.y[order[i]!]!;
    if (end >= kk) {
      tp += (blockPositives * (kk - start)) / (end - start);
      break;
    }
    tp += blockPositives;
    start = end;
  }
  const value = tp / kk;
  return kk < k
    ? defined(value, `k = ${k} exceeds the ${n} samples; precision over all samples`)
    : defined(value);
}

/** Recall at a target FPR, with the operating point that achieves it. */
export interface RecallAtFpr extends DefinedMetric {
  /** The threshold used: flag `score >= threshold`. `Infinity` when no threshold meets the target. */
  readonly threshold: number;
  /** The FPR actually reached (≤ the target). */
  readonly fpr: number;
}

/**
 * Recall (TPR) at the most permissive operating point whose FPR does not exceed `fpr`: the lowest
 * distinct-score threshold with FPR ≤ target. Tie convention: a block of tied scores is one
 * operating point, never split or interpolated; if flagging a tied block would push the FPR over
 * the target, the whole block stays unflagged (conservative). O(n log n).
 */
export function recallAtFpr(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  fpr: number,
): RecallAtFpr | UndefinedMetric {
  if (!(fpr >= 0 && fpr <= 1))
    throw new HarnessError('E_METRIC', `recallAtFpr: fpr must be in [0, 1], got ${String(fpr)}`);
  const input = prepareBinary(y, scores, undefined, 'recallAtFpr');
  const missing = missingClass(input.positives, input.negatives, `recall at FPR ${fpr}`);
  if (missing) return missing;
  const curve = rocCurveOf(input, false);
  let best = 0; // index 0 is (0, 0) at threshold Infinity, always allowed
  for (let i = 1; i < curve.fpr.length; i++) {
    if (curve.fpr[i]! <= fpr) best = i;
    else break;
  }
  return { value: curve.tpr[best]!, threshold: curve.thresholds[best]!, fpr: curve.fpr[best]! };
}
