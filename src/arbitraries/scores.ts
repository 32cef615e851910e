/**
 * Scores and labels for metric property tests. Scores come from a few quarter values (ties are
 * common) or a millesimal grid, so strictly increasing transforms stay strictly increasing in
 * floating point; label sets may be one-sided (all normal or all anomaly).
 */
import fc from 'fast-check';

/** A tie-prone score: a quarter in [0, 1.5] or a multiple of 0.001 in [−5, 5]. */
export function scoreArb(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: 0, max: 6 }).map((v) => v / 4),
    fc.integer({ min: -5000, max: 5000 }).map((v) => v / 1000 + 0),
  );
}

/** `n` scores (or 1–40 when `n` is not given), ties common. */
export function scoresWithTiesArb(n?: number): fc.Arbitrary<number[]> {
  return fc.array(
    scoreArb(),
    n === undefined ? { minLength: 1, maxLength: 40 } : { minLength: n, maxLength: n },
  );
}

/** `n` labels (1 = anomaly, 0 = normal; 1–40 when `n` is not given): mixed, all normal or all anomaly. */
export function labelSetArb(n?: number): fc.Arbitrary<number[]> {
  const len = n === undefined ? fc.integer({ min: 1, max: 40 }) : fc.constant(n);
  return len.chain((m) =>
    fc.oneof(
      { arbitrary: fc.array(fc.constantFrom(0, 1), { minLength: m, maxLength: m }), weight: 6 },
      { arbitrary: fc.constant(new Array<number>(m).fill(0)), weight: 1 },
      { arbitrary: fc.constant(new Array<number>(m).fill(1)), weight: 1 },
    ),
  );
}

/** Labels and scores of equal length (2 – `maxLength`) with both classes present. */
export function labelledScoresArb(maxLength = 40): fc.Arbitrary<{ y: number[]; s: number[] }> {
  return fc
    .array(fc.tuple(fc.constantFrom(0, 1), scoreArb()), { minLength: 2, maxLength })
    .filter((rows) => rows.some(([l]) => l === 1) && rows.some(([l]) => l === 0))
    .map((rows) => ({ y: rows.map(([l]) => l), s: rows.map(([, v]) => v) }));
}
