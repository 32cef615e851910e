import fc from 'fast-check';

/**
 * Labels and scores of equal length with both classes present. Scores are either a few quarter
 * values (ties are common) or a millesimal grid, so that strictly increasing transforms stay
 * strictly increasing in floating point.
 */
export function labelledScores(maxLength = 40): fc.Arbitrary<{ y: number[]; s: number[] }> {
  return fc
    .array(fc.tuple(fc.constantFrom(0, 1), fc.oneof(fc.integer({ min: 0, max: 6 }).map((v) => v / 4), fc.integer({ min: -5000, max: 5000 }).map((v) => v / 1000))), {
      minLength: 2,
      maxLength,
    })
    .filter((rows) => rows.some(([l]) => l === 1) && rows.some(([l]) => l === 0))
    .map((rows) => ({ y: rows.map(([l]) => l), s: rows.map(([, v]) => v + 0) }));
}
