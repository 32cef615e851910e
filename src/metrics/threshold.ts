/**
 * Metrics at a decision threshold (score ≥ threshold ⇒ anomaly) and the ways to choose one.
 * Zero denominators follow scikit-learn's default `zero_division="warn"`: the value is 0 and a
 * `note` says so, so a report can show it was not measured.
 */
import { HarnessError } from '../errors.ts';
import { checkScores, prepareBinary } from './input.ts';
import { rankScores } from './sort.ts';
import { defined, undefinedMetric, type ConfusionCounts, type MetricValue } from './types.ts';

/**
 * Confusion counts at `threshold`: a sample is flagged when `score >= threshold`. O(n).
 */
export function confusionAt(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
): ConfusionCounts {
  if (Number.isNaN(threshold)) throw new HarnessError('E_METRIC', 'confusionAt: threshold is NaN');
  const input = prepareBinary(y, scores, undefined, 'confusionAt');
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < input.y.length; i++) {
    if (input.s[i]! >= threshold) {
      if (input.y[i] === 1) tp++;
      else fp++;
    }
  }
  return { tp, fp, fn: input.positives - tp, tn: input.negatives - fp };
}

/**
 * What a zero denominator yields, as scikit-learn's `zero_division`: `0` (the default, with a
 * note), `1`, or `'undefined'` (scikit-learn's `np.nan`: here a `null` with a reason).
 */
export type ZeroDivision = 0 | 1 | 'undefined';

/** Options of {@link thresholdMetrics}. */
export interface ThresholdMetricOptions {
  /** β of Fβ (recall weighs β times as much as precision). Default 1. */
  readonly beta?: number;
  /** Default `0`, scikit-learn's default. */
  readonly zeroDivision?: ZeroDivision;
}

/** Metrics derived from confusion counts. */
export interface ThresholdMetrics {
  readonly precision: MetricValue;
  readonly recall: MetricValue;
  readonly f1: MetricValue;
  /** Fβ for the requested β (equals f1 when β = 1). */
  readonly fbeta: MetricValue;
  readonly beta: number;
  readonly fpr: MetricValue;
  readonly specificity: MetricValue;
}

function ratio(num: number, den: number, zd: ZeroDivision, what: string): MetricValue {
  if (den !== 0) return defined(num / den);
  if (zd === 'undefined')
    return undefinedMetric('zero_division', `${what} is undefined: its denominator is 0`);
  return defined(zd, 'zero_division');
}

/**
 * Precision, recall, F1, Fβ, FPR and specificity from counts. Fβ = (1+β²)tp / ((1+β²)tp + β²fn + fp)
 * is computed from counts (as scikit-learn does), so it is ill-defined only when tp = fp = fn = 0.
 */
export function thresholdMetrics(
  counts: ConfusionCounts,
  options: ThresholdMetricOptions = {},
): ThresholdMetrics {
  const beta = options.beta ?? 1;
  if (!(beta > 0) || !Number.isFinite(beta))
    throw new HarnessError(
      'E_METRIC',
      `thresholdMetrics: beta must be a positive number, got ${String(beta)}`,
    );
  const zd = options.zeroDivision ?? 0;
  const { tp, fp, tn, fn } = counts;
  const b2 = beta * beta;
  const f = (bb: number): number => (1 + bb) * tp + bb * fn + fp;
  return {
    precision: ratio(tp, tp + fp, zd, 'precision'),
    recall: ratio(tp, tp + fn, zd, 'recall'),
    f1: ratio(2 * tp, f(1), zd, 'F1'),
    fbeta: ratio((1 + b2) * tp, f(b2), zd, `F-beta (beta=${beta})`),
    beta,
    fpr: ratio(fp, fp + tn, zd, 'FPR'),
    specificity: ratio(tn, tn + fp, zd, 'specificity'),
  };
}

/** How to choose the decision threshold. */
export type ThresholdSpec =
  | { readonly kind: 'fixed'; readonly value: number }
  /** Flag the k highest test scores (ties at the k-th score are all flagged). Uses no labels. */
  | { readonly kind: 'top_k'; readonly k: number }
  /** The threshold that flags at most `fpr` of the *training* normals. */
  | {
      readonly kind: 'train_fpr';
      readonly fpr: number;
      readonly trainNormalScores: ArrayLike<number>;
    }
  /** The threshold that maximizes F1 on the test labels: an oracle, optimistic by construction. */
  | { readonly kind: 'best_f1' };

/** The test set a threshold is chosen for. */
export interface ThresholdContext {
  readonly y: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
}

/** A chosen threshold and how it was chosen. */
export interface ThresholdChoice {
  readonly threshold: number;
  readonly kind: ThresholdSpec['kind'];
  /** True when the choice looked at the test labels (best_f1): its metrics are optimistic. */
  readonly oracle: boolean;
  readonly note?: string;
}

/** The next double above x (`Math.nextUp`): the smallest threshold that flags nothing ≤ x. */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  b[0] = b[0]! + (x > 0 ? 1n : -1n);
  return f[0]!;
}

/**
 * Choose a threshold. `fixed` and `top_k` and `train_fpr` never look at test labels; `best_f1`
 * does and is always marked `oracle: true`. O(n log n).
 */
export function chooseThreshold(spec: ThresholdSpec, ctx: ThresholdContext): ThresholdChoice {
  switch (spec.kind) {
    case 'fixed':
      if (Number.isNaN(spec.value))
        throw new HarnessError('E_METRIC', 'chooseThreshold: fixed threshold is NaN');
      return { threshold: spec.value, kind: 'fixed', oracle: false };
    case 'top_k': {
      if (!Number.isInteger(spec.k) || spec.k < 0)
        throw new HarnessError(
          'E_METRIC',
          `chooseThreshold: top_k needs an integer k >= 0, got ${String(spec.k)}`,
        );
      checkScores(ctx.scores, 'chooseThreshold');
      const n = ctx.scores.length;
      if (spec.k === 0 || n === 0)
        return {
          threshold: Infinity,
          kind: 'top_k',
          oracle: false,
          note: 'k = 0: nothing flagged',
        };
      const { sorted } = rankScores(ctx.scores);
      const kk = Math.min(spec.k, n);
      const threshold = sorted[kk - 1]!;
      let flagged = kk;
      while (flagged < n && sorted[flagged] === threshold) flagged++;
      const notes: string[] = [];
      if (spec.k > n) notes.push(`k = ${spec.k} exceeds the ${n} samples`);
      if (flagged > kk) notes.push(`ties at the k-th score flag ${flagged} samples`);
      return notes.length > 0
        ? { threshold, kind: 'top_k', oracle: false, note: notes.join('; ') }
        : { threshold, kind: 'top_k', oracle: false };
    }
    case 'train_fpr':
      return {
        ...thresholdForFpr(spec.trainNormalScores, spec.fpr),
        kind: 'train_fpr',
        oracle: false,
      };
    case 'best_f1':
      return { ...bestF1Threshold(ctx), kind: 'best_f1', oracle: true };
  }
}

/**
 * The lowest threshold t that flags at most `fpr` of the given normal scores (count(score ≥ t)
 * ≤ fpr·n). Tied scores are flagged together, so the FPR reached may be below the target. If even
 * the highest score's block exceeds the target, t is just above the highest score.
 */
function thresholdForFpr(
  normalScores: ArrayLike<number>,
  fpr: number,
): { threshold: number; note?: string } {
  if (!(fpr >= 0 && fpr <= 1))
    throw new HarnessError(
      'E_METRIC',
      `chooseThreshold: train_fpr needs fpr in [0, 1], got ${String(fpr)}`,
    );
  checkScores(normalScores, 'chooseThreshold', 'trainNormalScores');
  const n = normalScores.length;
  if (n === 0)
    throw new HarnessError(
      'E_METRIC',
      'chooseThreshold: train_fpr needs at least one training normal score',
    );
  const { sorted, ends } = rankScores(normalScores);
  // A small tolerance so that e.g. fpr = 0.29 with n = 100 allows 29 (0.29·100 = 28.999999999999996).
  const allowed = fpr * n * (1 + 1e-12);
  let threshold = nextUp(sorted[0]!);
  let reached = 0;
  for (let b = 0; b < ends.length; b++) {
    const flagged = ends[b]! + 1;
    if (flagged > allowed) break;
    threshold = sorted[ends[b]!]!;
    reached = flagged / n;
  }
  return { threshold, note: `flags ${reached} of the training normals (target ${fpr})` };
}

function bestF1Threshold(ctx: ThresholdContext): { threshold: number; note?: string } {
  const input = prepareBinary(ctx.y, ctx.scores, undefined, 'chooseThreshold');
  if (input.positives === 0)
    return {
      threshold: Infinity,
      note: 'no anomalies in the test labels: F1 is 0 at every threshold',
    };
  const { order, sorted, ends } = rankScores(input.s);
  let tp = 0;
  let best = -1;
  let threshold = Infinity;
  let e = 0;
  for (let i = 0; i < order.length; i++) {
    tp += input.y[order[i]!]!;
    if (i === ends[e]) {
      e++;
      const fp = i + 1 - tp;
      const f1 = (2 * tp) / (2 * tp + (input.positives - tp) + fp);
      // Strictly greater: on equal F1 keep the higher threshold (fewer alarms).
      if (f1 > best) {
        best = f1;
        threshold = sorted[i]!;
      }
    }
  }
  return { threshold, note: `best F1 ${best} chosen on the test labels (oracle)` };
}
