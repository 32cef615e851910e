/**
 * DeLong's variance of the ROC AUC and the paired test of two AUCs, in the O(N log N) midrank
 * form of Sun & Xu (IEEE SPL 21(11), 2014), matching R's pROC (`ci.auc(method = "delong")`,
 * `roc.test(method = "delong")`): normal-theory CI clipped to [0, 1], undefined with fewer than
 * 2 positives or 2 negatives.
 */
import { HarnessError } from '../errors.ts';
import { sortedByClass, sortedPlacements, type SortedClasses } from './class-sort.ts';
import { prepareBinary } from './input.ts';
import { groupedPlacements } from './placement-groups.ts';
import { normalCdf, twoSidedZ } from './normal.ts';
import { rankScores } from './sort.ts';
import { undefinedMetric, type DefinedMetric, type UndefinedMetric } from './types.ts';

/** Placements of one scorer: the per-sample pieces of the AUC and its variance. */
interface Placements {
  readonly m: number;
  readonly n: number;
  readonly auc: number;
  /** V10_i: share of negatives below positive i (ties ½). */
  readonly v10: Float64Array;
  /** V01_j: share of positives above negative j (ties ½). */
  readonly v01: Float64Array;
}

/**
 * Midrank placements, listed per class in input order (so two scorers' placements align sample
 * by sample for the paired test). One ascending pass over the sorted scores gives, per tie
 * block, the midrank among all samples (Tz) and within each class (Tx, Ty).
 */
function placements(y: Uint8Array, s: Float64Array, m: number, n: number): Placements {
  const { order, ends } = rankScores(s);
  const N = order.length;
  const place = new Float64Array(N);
  let seenAll = 0;
  let seenPos = 0;
  let seenNeg = 0;
  let sumTzPos = 0;
  // Walk blocks from the lowest score up (the descending order read backwards).
  for (let b = ends.length - 1; b >= 0; b--) {
    const end = ends[b]!;
    const start = b === 0 ? 0 : ends[b - 1]! + 1;
    let bp = 0;
    for (let i = start; i <= end; i++) bp += y[order[i]!]!;
    const bn = end - start + 1 - bp;
    const tz = seenAll + (end - start + 2) / 2;
    const tx = seenPos + (bp + 1) / 2;
    const ty = seenNeg + (bn + 1) / 2;
    for (let i = start; i <= end; i++) {
      const j = order[i]!;
      if (y[j] === 1) {
        sumTzPos += tz;
        place[j] = (tz - tx) / n;
      } else {
        place[j] = 1 - (tz - ty) / m;
      }
    }
    seenAll += end - start + 1;
    seenPos += bp;
    seenNeg += bn;
  }
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let xi = 0;
  let yj = 0;
  for (let j = 0; j < N; j++) {
    if (y[j] === 1) v10[xi++] = place[j]!;
    else v01[yj++] = place[j]!;
  }
  const auc = (sumTzPos / m - (m + 1) / 2) / n;
  return { m, n, auc, v10, v01 };
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/** Sample covariance (ddof = 1), two-pass for accuracy. */
function cov(a: Float64Array, b: Float64Array): number {
  const ma = mean(a);
  const mb = mean(b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return s / (a.length - 1);
}

function clip01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function checkLevel(level: number, where: string): void {
  if (!(level > 0 && level < 1))
    throw new HarnessError('E_METRIC', `${where}: level must be in (0, 1), got ${String(level)}`);
}

/** Why the DeLong variance is undefined for m anomalies and n normals (fewer than 2 of a class), or undefined when it is defined. */
export function delongTooFew(m: number, n: number): UndefinedMetric | undefined {
  return tooFew(m, n, 'the DeLong variance');
}

function tooFew(m: number, n: number, what: string): UndefinedMetric | undefined {
  if (m <= 1)
    return undefinedMetric(
      m === 0 ? 'no_positives' : 'too_few_positives',
      `${what} needs at least 2 anomalies and 2 normals (got ${m} anomalies, ${n} normals)`,
    );
  if (n <= 1)
    return undefinedMetric(
      n === 0 ? 'no_negatives' : 'too_few_negatives',
      `${what} needs at least 2 anomalies and 2 normals (got ${m} anomalies, ${n} normals)`,
    );
  return undefined;
}

/** ROC AUC with its DeLong variance and confidence interval. `value` is the AUC. */
export interface DelongAuc extends DefinedMetric {
  readonly auc: number;
  readonly variance: number;
  /** [low, high], clipped to [0, 1]. */
  readonly ci: readonly [number, number];
  readonly level: number;
}

/** Options of the DeLong functions. */
export interface DelongOptions {
  /** Confidence level of the interval. Default 0.95. */
  readonly level?: number;
}

/**
 * ROC AUC, DeLong variance and normal-theory CI (clipped to [0, 1]). Undefined when there are
 * fewer than 2 anomalies or 2 normals (pROC returns NA there). O(N log N).
 */
export function delongAuc(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: DelongOptions = {},
): DelongAuc | UndefinedMetric {
  const level = options.level ?? 0.95;
  checkLevel(level, 'delongAuc');
  const input = prepareBinary(y, scores, undefined, 'delongAuc');
  const few = tooFew(input.positives, input.negatives, 'the DeLong variance');
  if (few) return few;
  // One scorer's variance does not depend on the order of its placements: take them sorted.
  return delongOfSorted(sortedByClass(input), level);
}

/**
 * {@link delongAuc} of each class's scores already sorted ascending (free of -0): the same
 * numbers, without a sort. Undefined with < 2 of a class.
 */
export function delongOfSorted(c: SortedClasses, level: number): DelongAuc | UndefinedMetric {
  checkLevel(level, 'delongAuc');
  const m = c.pos.length;
  const n = c.neg.length;
  const few = tooFew(m, n, 'the DeLong variance');
  if (few) return few;
  const p = sortedPlacements(c);
  return withNormalCi(p.auc, cov(p.v10, p.v10) / m + cov(p.v01, p.v01) / n, level);
}

/** The AUC with its variance and the normal-approximation CI at `level`, clipped to [0, 1]. */
function withNormalCi(auc: number, variance: number, level: number): DelongAuc {
  const half = twoSidedZ(level) * Math.sqrt(variance);
  return { value: auc, auc, variance, ci: [clip01(auc - half), clip01(auc + half)], level };
}

/**
 * {@link delongOfSorted} for a few positives against many negatives (a stratum of anomalies
 * ranked against every normal): O(m log n) instead of O(m + n), the V01 variance summed over
 * groups of negatives ({@link groupedPlacements}). The AUC is the same to the bit; the variance,
 * so the CI, can differ from {@link delongOfSorted}'s in the last bits (summation order).
 */
export function delongOfSortedGrouped(
  c: SortedClasses,
  level: number,
): DelongAuc | UndefinedMetric {
  checkLevel(level, 'delongAuc');
  const m = c.pos.length;
  const n = c.neg.length;
  const few = tooFew(m, n, 'the DeLong variance');
  if (few) return few;
  const p = groupedPlacements(c);
  return withNormalCi(p.auc, cov(p.v10, p.v10) / m + p.v01Variance / n, level);
}

/**
 * The fewest anomalies, and normals, on which a paired DeLong test's verdict is believed (toBeat,
 * the id-shuffle law). Below it the test is not calibrated: DeLong's variance is underestimated
 * on few samples, so an uninformative scorer "significantly beats" a constant one far more often
 * than alpha says. Measured with test/bench/delong-calibration.ts (uniform scores against a
 * constant and against other uniform scores, one-sided alpha 0.05, as many normals as anomalies
 * up to 500): the false-pass rate is 8–18 % at 2 anomalies, 6–9 % at 5, 5.5–6.7 % at 10, and
 * at most 6.0 % (within a fifth of alpha) from 15 on (5.1–5.5 % at 25). At alpha 0.01 the
 * rate at 15 is still 1.4–1.8 %: a smaller alpha needs more systems to mean what it says.
 */
export const MIN_DELONG_CLASS = 15;

/** Paired DeLong test of two scorers on the same samples. `value` is the AUC difference A − B. */
export interface DelongPairedTest extends DefinedMetric {
  readonly aucA: number;
  readonly aucB: number;
  /** aucA − aucB. */
  readonly diff: number;
  /** Variance of the difference (accounts for the correlation of the two scorers). */
  readonly variance: number;
  readonly z: number;
  /** Two-sided p-value of H0: AUC_A = AUC_B. */
  readonly pValue: number;
  /** CI of the difference, clipped to [−1, 1]. */
  readonly ci: readonly [number, number];
  readonly level: number;
  /**
   * True when DeLong's variance estimate was 0 with a nonzero difference and `variance` is the
   * conservative {@link degenerateVariance} instead.
   */
  readonly fallback: boolean;
}

/**
 * Paired DeLong test of H0: AUC_A = AUC_B for two scorers on the same systems (pROC's
 * `roc.test(method = "delong", paired = TRUE)`). Undefined with fewer than 2 of a class, or when
 * the difference is 0 with zero variance (the two scorers order every pair alike, e.g. identical
 * scores). A nonzero difference with zero estimated variance is tested against
 * {@link degenerateVariance} instead (pROC: z = ±∞, p = 0), so `fallback` is true.
 */
export function delongPairedTest(
  y: ArrayLike<number>,
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  options: DelongOptions = {},
): DelongPairedTest | UndefinedMetric {
  const level = options.level ?? 0.95;
  checkLevel(level, 'delongPairedTest');
  const a = prepareBinary(y, scoresA, undefined, 'delongPairedTest');
  const b = prepareBinary(y, scoresB, undefined, 'delongPairedTest');
  const few = tooFew(a.positives, a.negatives, 'the paired DeLong test');
  if (few) return few;
  const pa = placements(a.y, a.s, a.positives, a.negatives);
  const pb = placements(b.y, b.s, b.positives, b.negatives);
  const [a10, a01, b10, b01] = [pa.v10, pa.v01, pb.v10, pb.v01];
  const m = pa.m;
  const n = pa.n;
  const estimated =
    (cov(a10, a10) + cov(b10, b10) - 2 * cov(a10, b10)) / m +
    (cov(a01, a01) + cov(b01, b01) - 2 * cov(a01, b01)) / n;
  const diff = pa.auc - pb.auc;
  if (!(estimated > 0) && diff === 0) {
    return undefinedMetric(
      'zero_variance',
      `the paired DeLong test is undefined: the AUC difference is 0 with zero variance (the two scorers order every anomaly/normal pair alike; AUC ${pa.auc} vs ${pb.auc})`,
    );
  }
  const fallback = !(estimated > 0);
  const variance = fallback ? degenerateVariance(pa.auc, pb.auc, m, n) : estimated;
  const sd = Math.sqrt(variance);
  const z = diff / sd;
  const half = twoSidedZ(level) * sd;
  return {
    value: diff,
    aucA: pa.auc,
    aucB: pb.auc,
    diff,
    variance,
    z,
    pValue: 2 * normalCdf(-Math.abs(z)),
    ci: [Math.max(-1, diff - half), Math.min(1, diff + half)],
    level,
    fallback,
  };
}

/**
 * The variance a paired test uses when DeLong's estimate is 0 with a nonzero difference (a
 * perfect scorer against a constant one: every placement is the same, so the estimate sees no
 * spread). The estimate is not the truth: on 2 anomalies and 3 normals it made the difference
 * certain (p = 0). This is the largest variance the difference of two AUCs can have: each AUC's
 * at most θ(1 − θ)/min(m, n) (Birnbaum & Klose 1957), the two perfectly anti-correlated, with θ
 * kept half an anomaly/normal pair off 0 and 1 (a perfect AUC's bound is 0 too). On a handful
 * of systems the difference is then not significant; on dozens a perfect-vs-constant one still is.
 */
export function degenerateVariance(aucA: number, aucB: number, m: number, n: number): number {
  const pairs = m * n;
  const kept = (auc: number) => Math.min(1 - 0.5 / pairs, Math.max(0.5 / pairs, auc));
  const sd = (auc: number) => Math.sqrt((kept(auc) * (1 - kept(auc))) / Math.min(m, n));
  return (sd(aucA) + sd(aucB)) ** 2;
}
