/**
 * An evaluated set ranked once, and the metrics read from each class's scores already sorted:
 * a breakdown cell or the headline merges sorted arrays instead of sorting again. Each function
 * equals its general counterpart (ranking.ts) to the bit on the same samples.
 */
import { lowerBoundFrom } from './placement-groups.ts';
import { argsortDescending } from './sort.ts';
import { defined, type MetricValue } from './types.ts';

/** An evaluated set sorted once for all its cells. */
export interface RankedSet {
  /** Row indices by score ascending: position p holds row order[p]. */
  readonly order: Uint32Array;
  /** Labels and scores by position (rows in `order`): cells read them as a stream, not at random. */
  readonly y: Uint8Array;
  readonly scores: Float64Array;
  /** Positions of the normals. */
  readonly normalPositions: Int32Array;
  /** The anomalies' scores, ascending, -0 read as +0. */
  readonly positives: Float64Array;
  /** The normals' scores, ascending, -0 read as +0. */
  readonly normals: Float64Array;
}

/** Sorts the evaluated set once (a radix argsort): every cell then merges instead of sorting. */
export function rankSet(y: ArrayLike<number>, scores: ArrayLike<number>): RankedSet {
  const desc = argsortDescending(scores);
  const n = desc.length;
  const order = new Uint32Array(n);
  let negatives = 0;
  for (let i = 0; i < n; i++) {
    order[i] = desc[n - 1 - i]!;
    if (y[i] === 0) negatives++;
  }
  const positives = new Float64Array(n - negatives);
  const normals = new Float64Array(negatives);
  const normalPositions = new Int32Array(negatives);
  const ys = new Uint8Array(n);
  const ss = new Float64Array(n);
  let p = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    const v = scores[j]!;
    ss[i] = v;
    if (y[j] === 0) {
      normalPositions[k] = i;
      normals[k++] = v + 0;
    } else {
      ys[i] = 1;
      positives[p++] = v + 0;
    }
  }
  return { order, y: ys, scores: ss, normalPositions, positives, normals };
}

/**
 * Average precision of scores sorted per class (ascending, no -0), equal to the bit to
 * {@link averagePrecision} on the same samples: Σ (R(v⁺) − R(v)) · P(v) over the distinct positive
 * scores v ascending, where R(v⁺) is the recall at the next distinct score up. Distinct scores
 * with no positive add exactly 0 to that sum, so they are skipped. Needs at least one positive.
 */
export function averagePrecisionOfSorted(pos: Float64Array, neg: Float64Array): MetricValue {
  const m = pos.length;
  let sum = 0;
  let negBelow = 0;
  for (let i = 0; i < m;) {
    const v = pos[i]!;
    let j = i + 1;
    while (j < m && pos[j] === v) j++;
    // A gallop, not a walk: against all normals the positives are few and far apart.
    negBelow = lowerBoundFrom(neg, negBelow, v);
    const tps = m - i;
    const fps = neg.length - negBelow;
    const recall = tps / m;
    const recallUp = (tps - (j - i)) / m;
    sum += (recallUp - recall) * (tps / (tps + fps));
    i = j;
  }
  return defined(Math.max(0, 0 - sum));
}

/**
 * {@link recallAtFpr}'s value from scores sorted per class (ascending, no -0; both classes
 * present): the recall at the lowest distinct threshold, walking down, whose FPR does not exceed
 * `fpr` (a tied block is one operating point).
 */
export function recallAtFprOfSorted(pos: Float64Array, neg: Float64Array, fpr: number): number {
  const m = pos.length;
  const n = neg.length;
  let i = m - 1;
  let j = n - 1;
  let best = 0;
  while (i >= 0 || j >= 0) {
    const v = Math.max(i >= 0 ? pos[i]! : -Infinity, j >= 0 ? neg[j]! : -Infinity);
    while (i >= 0 && pos[i] === v) i--;
    while (j >= 0 && neg[j] === v) j--;
    if ((n - 1 - j) / n > fpr) break;
    best = m - 1 - i;
  }
  return best / m;
}
