/**
 * Stratified percentile bootstrap (pROC's `ci(method = "bootstrap", boot.stratified = TRUE)`):
 * positives and negatives are resampled separately with replacement, keeping their counts, the
 * metric is recomputed on each replicate, and the CI is R's type-7 quantiles of the replicates.
 * Seeded (seedrandom's Alea), so a seed always gives the same interval.
 */
import seedrandom from 'seedrandom';
import { HarnessError } from '../errors.ts';
import { prepareBinary } from './input.ts';
import { rankScores } from './sort.ts';
import { rocAuc } from './ranking.ts';
import { undefinedMetric, type ConfidenceInterval, type UndefinedMetric } from './types.ts';

/**
 * A metric the bootstrap can recompute: `null` when undefined on a replicate. The arrays it
 * receives are buffers reused across replicates: read them, do not keep them.
 */
export type BootstrapMetric = (y: Uint8Array, scores: Float64Array) => number | null;

/** Options of {@link bootstrapCi}. */
export interface BootstrapOptions {
  /** Number of replicates. Default 2000 (pROC's `boot.n`). */
  readonly reps?: number;
  /** PRNG seed. Default `'bootstrap'`. */
  readonly seed?: string;
  /** Confidence level. Default 0.95. */
  readonly level?: number;
}

/** A percentile bootstrap interval with its bookkeeping. */
export interface BootstrapCi extends ConfidenceInterval {
  readonly method: 'bootstrap';
  /** Median of the replicates. */
  readonly median: number;
  readonly reps: number;
  /** Replicates on which the metric was defined (the CI uses only these). */
  readonly used: number;
  /** Replicates dropped because the metric was undefined on them. */
  readonly dropped: number;
  readonly seed: string;
  readonly note?: string;
}

/**
 * R's default quantile (type 7) of already-sorted values: h = (N − 1)·p, linear interpolation
 * between the neighbouring order statistics. NaN for an empty input.
 */
export function quantileType7(sortedValues: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1))
    throw new HarnessError('E_METRIC', `quantileType7: p must be in [0, 1], got ${String(p)}`);
  const n = sortedValues.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sortedValues[lo]!;
  return a + (h - lo) * (sortedValues[hi]! - a);
}

/** ROC AUC as a bootstrap metric. {@link bootstrapCi} recognizes it and takes an O(N)-per-replicate path. */
export const rocAucMetric: BootstrapMetric = (y, s) => rocAuc(y, s).value;

/**
 * Stratified percentile bootstrap CI of `metric`. Undefined when a class is missing (nothing to
 * stratify) or when the metric is undefined on every replicate. Passing {@link rocAucMetric}
 * uses a fast path: the scores are ranked once and each replicate is counted in O(N), with the
 * same draws (so the same interval up to rounding) as the generic path.
 */
export function bootstrapCi(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  metric: BootstrapMetric,
  options: BootstrapOptions = {},
): BootstrapCi | UndefinedMetric {
  const reps = options.reps ?? 2000;
  const seed = options.seed ?? 'bootstrap';
  const level = options.level ?? 0.95;
  if (!Number.isInteger(reps) || reps < 1)
    throw new HarnessError(
      'E_METRIC',
      `bootstrapCi: reps must be a positive integer, got ${String(reps)}`,
    );
  if (!(level > 0 && level < 1))
    throw new HarnessError(
      'E_METRIC',
      `bootstrapCi: level must be in (0, 1), got ${String(level)}`,
    );
  const input = prepareBinary(y, scores, undefined, 'bootstrapCi');
  const m = input.positives;
  const n = input.negatives;
  if (m === 0 || n === 0) {
    return undefinedMetric(
      m === 0 ? 'no_positives' : 'no_negatives',
      `the stratified bootstrap needs both anomalies and normals (got ${m} anomalies, ${n} normals)`,
    );
  }
  const pos = new Uint32Array(m);
  const neg = new Uint32Array(n);
  for (let i = 0, a = 0, b = 0; i < input.y.length; i++) {
    if (input.y[i] === 1) pos[a++] = i;
    else neg[b++] = i;
  }
  const rng = seedrandom.alea(seed);
  const values = new Float64Array(reps);
  let used = 0;
  if (metric === rocAucMetric) {
    used = fastAucReplicates(input.s, pos, neg, rng, values);
  } else {
    // The label buffer never changes (positives first); only the score buffer is refilled.
    const yBuf = new Uint8Array(m + n).fill(1, 0, m);
    const sBuf = new Float64Array(m + n);
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < m; i++) sBuf[i] = input.s[pos[Math.floor(rng() * m)]!]!;
      for (let j = 0; j < n; j++) sBuf[m + j] = input.s[neg[Math.floor(rng() * n)]!]!;
      const v = metric(yBuf, sBuf);
      if (v !== null && Number.isFinite(v)) values[used++] = v;
    }
  }
  const dropped = reps - used;
  if (used === 0)
    return undefinedMetric('empty', `the metric was undefined on all ${reps} bootstrap replicates`);
  const sorted = values.subarray(0, used).sort();
  const alpha = 1 - level;
  const ci: BootstrapCi = {
    method: 'bootstrap',
    level,
    low: quantileType7(sorted, alpha / 2),
    high: quantileType7(sorted, 1 - alpha / 2),
    median: quantileType7(sorted, 0.5),
    reps,
    used,
    dropped,
    seed,
  };
  return dropped > 0
    ? { ...ci, note: `${dropped} of ${reps} replicates dropped (metric undefined on them)` }
    : ci;
}

/**
 * AUC replicates without re-sorting: the scores are ranked into tie blocks once; a replicate is a
 * multiset of draws, so its AUC is Σ_b pos_b·(neg_below_b + ½·neg_b) / (m·n) over the blocks b
 * in ascending score order. Draws are made in the same order as the generic path.
 */
function fastAucReplicates(
  s: Float64Array,
  pos: Uint32Array,
  neg: Uint32Array,
  rng: () => number,
  out: Float64Array,
): number {
  const m = pos.length;
  const n = neg.length;
  const { order, ends } = rankScores(s);
  const blocks = ends.length;
  // Block id in ascending score order (0 = lowest score).
  const blockOf = new Uint32Array(s.length);
  for (let b = 0, i = 0; b < blocks; b++) {
    for (; i <= ends[b]!; i++) blockOf[order[i]!] = blocks - 1 - b;
  }
  const posBlock = Uint32Array.from(pos, (i) => blockOf[i]!);
  const negBlock = Uint32Array.from(neg, (i) => blockOf[i]!);
  // Int32 counts: half the cache footprint of Float64 in the hot scatter loop.
  const posCount = new Int32Array(blocks);
  const negCount = new Int32Array(blocks);
  const mn = m * n;
  for (let r = 0; r < out.length; r++) {
    posCount.fill(0);
    negCount.fill(0);
    for (let i = 0; i < m; i++) posCount[posBlock[Math.floor(rng() * m)]!]!++;
    for (let j = 0; j < n; j++) negCount[negBlock[Math.floor(rng() * n)]!]!++;
    let below = 0;
    let u = 0;
    for (let b = 0; b < blocks; b++) {
      const nb = negCount[b]!;
      u += posCount[b]! * (below + nb / 2);
      below += nb;
    }
    out[r] = u / mn;
  }
  return out.length;
}
