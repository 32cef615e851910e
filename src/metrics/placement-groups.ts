/**
 * DeLong's placements of a few positives against many negatives (a failure type or a lead-time
 * bucket ranked against every normal of the set), in O(m log n) instead of O(m + n).
 *
 * V10 (one per positive) is computed as {@link sortedPlacements} does, from the number of
 * negatives below and tied with each positive, found by a galloping search: the same values
 * and the same AUC to the bit. V01 (one per negative) is piecewise constant: every negative
 * strictly between two consecutive distinct positive scores has the same share of positives
 * above it, and every negative tied with a positive score another. Its sample variance is
 * therefore summed over at most 2d + 1 groups (d distinct positive scores) weighted by their
 * sizes, which the positives' searches already counted. Only that variance differs from the
 * O(n) pass, in the last bits (a different summation order).
 */
import type { SortedClasses } from './class-sort.ts';

/** First index k ≥ from with a[k] ≥ v (a ascending, a[from − 1] < v): a gallop, then a bisection. */
export function lowerBoundFrom(a: Float64Array, from: number, v: number): number {
  const n = a.length;
  if (from >= n || a[from]! >= v) return from;
  // a[lo] < v; find hi with a[hi] ≥ v (or n) by doubling steps.
  let lo = from;
  let step = 1;
  let hi = from + 1;
  while (hi < n && a[hi]! < v) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > n) hi = n;
  // Invariant: a[lo] < v, and hi = n or a[hi] ≥ v.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** First index k ≥ from with a[k] > v (a ascending, a[from − 1] ≤ v). */
export function upperBoundFrom(a: Float64Array, from: number, v: number): number {
  const n = a.length;
  if (from >= n || a[from]! > v) return from;
  let lo = from;
  let step = 1;
  let hi = from + 1;
  while (hi < n && a[hi]! <= v) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > n) hi = n;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** What the one-scorer DeLong variance needs: the AUC, the V10 placements and the variance of V01. */
export interface GroupedPlacements {
  readonly auc: number;
  /** V10_i: share of negatives below positive i (ties ½), in sorted order. */
  readonly v10: Float64Array;
  /** Sample variance (ddof = 1) of V01 over all n negatives. */
  readonly v01Variance: number;
}

/**
 * The placements of sorted classes (ascending, free of -0; m ≥ 1, n ≥ 2) with V01 summarized
 * by its variance. O(m log(n / m)) for m positives and n negatives.
 */
export function groupedPlacements(c: SortedClasses): GroupedPlacements {
  const { pos, neg } = c;
  const m = pos.length;
  const n = neg.length;
  const v10 = new Float64Array(m);
  // Groups of negatives with one V01 value: its numerator k = 2m − #pos below − #pos tied-or-below
  // (an integer), and how many negatives have it.
  const groupK = new Float64Array(2 * m + 1);
  const groupCount = new Float64Array(2 * m + 1);
  let groups = 0;
  const addGroup = (k: number, count: number): void => {
    if (count === 0) return;
    groupK[groups] = k;
    groupCount[groups++] = count;
  };
  let below = 0;
  let upto = 0;
  let sum = 0;
  for (let i = 0; i < m;) {
    const v = pos[i]!;
    let j = i + 1;
    while (j < m && pos[j] === v) j++;
    const nextBelow = lowerBoundFrom(neg, upto, v);
    // Negatives strictly between the previous distinct positive score and v: i positives below.
    addGroup(2 * (m - i), nextBelow - upto);
    below = nextBelow;
    upto = upperBoundFrom(neg, below, v);
    // Negatives tied with v: i positives below, j tied or below.
    addGroup(2 * m - i - j, upto - below);
    const place = (below + upto) / (2 * n);
    for (let t = i; t < j; t++) {
      sum += below + upto;
      v10[t] = place;
    }
    i = j;
  }
  addGroup(0, n - upto);
  // Two passes, as cov() in delong.ts: the mean first (from the exact integer total), then the
  // squared deviations, each group's once, times its size.
  let total = 0;
  for (let g = 0; g < groups; g++) total += groupK[g]! * groupCount[g]!;
  const mean = total / (2 * m) / n;
  let ss = 0;
  for (let g = 0; g < groups; g++) {
    const d = groupK[g]! / (2 * m) - mean;
    ss += groupCount[g]! * d * d;
  }
  return { auc: sum / (2 * m * n), v10, v01Variance: ss / (n - 1) };
}
