import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { sortAscending } from '../../../src/metrics/class-sort.ts';
import { delongAuc } from '../../../src/metrics/delong.ts';
import { rocAuc } from '../../../src/metrics/ranking.ts';

/** Values over many magnitudes and signs, with runs of ties and of near-ties (same high word). */
const values = fc.array(
  fc
    .oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -3, max: 3 }),
      fc.integer({ min: 0, max: 40 }).map((k) => 1 + k * Number.EPSILON),
      fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
    )
    .map((v) => v + 0),
  { minLength: 0, maxLength: 3000 },
);

describe('sortAscending (radix on the high word, runs sorted after)', () => {
  test.prop([values], { numRuns: 60 })(
    'equals the engine sort, sizes below and above the radix threshold',
    (xs) => {
      const a = sortAscending(Float64Array.from(xs));
      const b = Float64Array.from(xs).sort();
      expect(Array.from(a)).toEqual(Array.from(b));
    },
  );
});

/** O(n·m) DeLong variance straight from the definition of the placements. */
function naiveDelongVariance(y: readonly number[], s: readonly number[]): number {
  const pos = s.filter((_, i) => y[i] === 1);
  const neg = s.filter((_, i) => y[i] === 0);
  const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
  const v10 = pos.map((p) => neg.reduce((acc, q) => acc + psi(p, q), 0) / neg.length);
  const v01 = neg.map((q) => pos.reduce((acc, p) => acc + psi(p, q), 0) / pos.length);
  const variance = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  };
  return variance(v10) / pos.length + variance(v01) / neg.length;
}

const labelled = fc
  .array(
    fc.tuple(
      fc.boolean(),
      fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -10, max: 10, noNaN: true })),
    ),
    { minLength: 520, maxLength: 1500 },
  )
  .filter((rows) => rows.filter(([p]) => p).length >= 2 && rows.filter(([p]) => !p).length >= 2)
  .map((rows) => ({ y: rows.map(([p]) => (p ? 1 : 0)), s: rows.map(([, v]) => v + 0) }));

describe('AUC and DeLong from the classes sorted apart', () => {
  test.prop([labelled], { numRuns: 25 })(
    'unweighted AUC equals the ROC-curve trapezoid (unit weights take the curve path)',
    ({ y, s }) => {
      const fast = rocAuc(y, s).value!;
      const curve = rocAuc(y, s, { weights: y.map(() => 1) }).value!;
      expect(Math.abs(fast - curve)).toBeLessThan(1e-12);
    },
  );
  test.prop([labelled], { numRuns: 10 })('DeLong variance equals its definition', ({ y, s }) => {
    const d = delongAuc(y, s);
    if (!('variance' in d)) throw new Error('expected a defined DeLong result');
    expect(Math.abs(d.variance - naiveDelongVariance(y, s))).toBeLessThan(1e-12);
  });
});
