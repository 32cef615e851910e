/**
 * The grouped placements (a few positives against many negatives, O(m log n)) against the O(m + n)
 * pass they stand in for: the AUC and V10 to the bit, the V01 variance and the CI to 1e-12 (the
 * grouped sum adds in another order), on random sets with many ties.
 */
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { sortAscending, sortedPlacements } from '../../../src/metrics/class-sort.ts';
import { delongOfSorted, delongOfSortedGrouped } from '../../../src/metrics/delong.ts';
import {
  groupedPlacements,
  lowerBoundFrom,
  upperBoundFrom,
} from '../../../src/metrics/placement-groups.ts';

/** Scores on a coarse grid (many ties within and across classes) or anywhere in [-3, 3]. */
const score = fc
  .oneof(
    fc.integer({ min: -4, max: 4 }).map((k) => k / 2),
    fc.double({ min: -3, max: 3, noNaN: true }),
  )
  .map((v) => v + 0);

const classes = fc
  .record({
    pos: fc.array(score, { minLength: 1, maxLength: 60 }),
    neg: fc.array(score, { minLength: 2, maxLength: 2000 }),
  })
  .map(({ pos, neg }) => ({
    pos: sortAscending(Float64Array.from(pos)),
    neg: sortAscending(Float64Array.from(neg)),
  }));

function sampleVariance(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return ss / (xs.length - 1);
}

describe('groupedPlacements', () => {
  test.prop([classes], { numRuns: 200 })(
    'AUC and V10 equal the full pass to the bit, the V01 variance to 1e-12',
    (c) => {
      const full = sortedPlacements(c);
      const grouped = groupedPlacements(c);
      expect(grouped.auc).toBe(full.auc);
      expect(Array.from(grouped.v10)).toEqual(Array.from(full.v10));
      expect(Math.abs(grouped.v01Variance - sampleVariance(full.v01))).toBeLessThanOrEqual(1e-12);
    },
  );

  test.prop([classes.filter((c) => c.pos.length >= 2)], { numRuns: 200 })(
    'delongOfSortedGrouped gives delongOfSorted’s AUC, and its CI to 1e-12',
    (c) => {
      const full = delongOfSorted(c, 0.9);
      const grouped = delongOfSortedGrouped(c, 0.9);
      if (!('ci' in full) || !('ci' in grouped)) throw new Error('expected defined results');
      expect(grouped.auc).toBe(full.auc);
      expect(Math.abs(grouped.variance - full.variance)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(grouped.ci[0] - full.ci[0])).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(grouped.ci[1] - full.ci[1])).toBeLessThanOrEqual(1e-12);
    },
  );

  it('is undefined with fewer than 2 of a class, as delongOfSorted', () => {
    const one = { pos: Float64Array.of(0.5), neg: Float64Array.of(0.1, 0.2, 0.3) };
    expect(delongOfSortedGrouped(one, 0.95)).toEqual(delongOfSorted(one, 0.95));
    const oneNeg = { pos: Float64Array.of(0.5, 0.6), neg: Float64Array.of(0.1) };
    expect(delongOfSortedGrouped(oneNeg, 0.95)).toEqual(delongOfSorted(oneNeg, 0.95));
  });

  it('groups negatives below, between, tied with and above the positives', () => {
    // Positives 1, 1, 3; negatives 0 | 1 1 | 2 | 3 | 4 4: V01 = 1, ⅔, ⅔, ⅓, 1/6, 0, 0.
    const c = { pos: Float64Array.of(1, 1, 3), neg: Float64Array.of(0, 1, 1, 2, 3, 4, 4) };
    const v01 = [1, 2 / 3, 2 / 3, 1 / 3, 1 / 6, 0, 0];
    expect(Array.from(sortedPlacements(c).v01)).toEqual(v01);
    expect(groupedPlacements(c).v01Variance).toBeCloseTo(
      sampleVariance(Float64Array.from(v01)),
      14,
    );
  });
});

describe('lowerBoundFrom / upperBoundFrom', () => {
  test.prop(
    [
      fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 300 }),
      fc.integer({ min: -1, max: 31 }),
    ],
    { numRuns: 300 },
  )('equal a linear scan from any valid start', (xs, v) => {
    const a = Float64Array.from(xs.sort((p, q) => p - q));
    const lower = a.findIndex((x) => x >= v);
    const upper = a.findIndex((x) => x > v);
    const lo = lower < 0 ? a.length : lower;
    const up = upper < 0 ? a.length : upper;
    for (const from of [0, lo >> 1, lo]) expect(lowerBoundFrom(a, from, v)).toBe(lo);
    for (const from of [0, lo, up]) expect(upperBoundFrom(a, from, v)).toBe(up);
  });
});
