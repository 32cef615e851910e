/**
 * Input checking shared by every metric: labels must be 0/1, scores finite, lengths equal,
 * weights finite and non-negative. Violations are caller bugs and throw `E_METRIC`.
 */
import { HarnessError } from '../errors.ts';

/** Labels, scores and optional weights after checking; zero-weight samples already dropped. */
export interface BinaryInput {
  /** 1 = anomaly (positive), 0 = normal. */
  readonly y: Uint8Array;
  readonly s: Float64Array;
  /** Undefined when unweighted: the unweighted path keeps scikit-learn's integer arithmetic. */
  readonly w: Float64Array | undefined;
  readonly positives: number;
  readonly negatives: number;
}

function fail(where: string, message: string): never {
  throw new HarnessError('E_METRIC', `${where}: ${message}`);
}

/** Check that `scores` are all finite (NaN or ±Infinity is a scorer bug, not a low score). */
export function checkScores(scores: ArrayLike<number>, where: string, what = 'scores'): void {
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (!Number.isFinite(v))
      fail(where, `${what}[${i}] is ${String(v)}; scores must be finite numbers (fix the scorer)`);
  }
}

/**
 * Check and copy binary-classification input. Samples with weight exactly 0 are dropped first,
 * as scikit-learn's `_binary_clf_curve` does, so they cannot create thresholds.
 */
export function prepareBinary(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  where: string,
): BinaryInput {
  const n = y.length;
  if (scores.length !== n) fail(where, `y has ${n} entries but scores has ${scores.length}`);
  if (weights !== undefined && weights.length !== n)
    fail(where, `y has ${n} entries but weights has ${weights.length}`);
  checkScores(scores, where);
  let kept = n;
  if (weights !== undefined) {
    kept = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!Number.isFinite(w) || w < 0)
        fail(where, `weights[${i}] is ${String(w)}; weights must be finite and >= 0`);
      if (w !== 0) kept++;
    }
  }
  const yy = new Uint8Array(kept);
  const ss = new Float64Array(kept);
  const ww = weights === undefined ? undefined : new Float64Array(kept);
  let positives = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const label = y[i]!;
    if (label !== 0 && label !== 1)
      fail(where, `y[${i}] is ${String(label)}; labels must be 0 (normal) or 1 (anomaly)`);
    if (ww !== undefined && weights![i] === 0) continue;
    yy[j] = label;
    ss[j] = scores[i]!;
    if (ww !== undefined) ww[j] = weights![i]!;
    positives += label;
    j++;
  }
  return { y: yy, s: ss, w: ww, positives, negatives: kept - positives };
}
