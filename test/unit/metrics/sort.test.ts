/**
 * argsortDescending against a comparison sort, on inputs that exercise every path of the radix
 * sort on the high words: exact ties, near-ties that share a high word (short runs by insertion,
 * long runs by the engine's sort), -0 and 0, and sizes on both sides of the radix threshold.
 */
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { argsortDescending } from '../../../src/metrics/sort.ts';
import { mulberry32 } from '../../helpers/seeded.ts';

/** Stable descending order of `s` by a comparison sort: ties by index. */
function reference(s: readonly number[]): number[] {
  return s.map((_, i) => i).sort((a, b) => (s[a]! > s[b]! ? -1 : s[a]! < s[b]! ? 1 : a - b));
}

const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, -0),
  fc.integer({ min: 0, max: 40 }).map((k) => 1 + k * Number.EPSILON),
  fc.integer({ min: 0, max: 40 }).map((k) => -0.75 - k * Number.EPSILON),
  fc.integer({ min: 0, max: 999_999 }).map((k) => k / 1e6),
);

describe('argsortDescending', () => {
  test.prop([fc.array(value, { minLength: 0, maxLength: 2500 })], { numRuns: 80 })(
    'equals a stable comparison sort, descending',
    (s) => {
      expect(Array.from(argsortDescending(s))).toEqual(reference(s));
    },
  );

  it('orders a long run of one high word given in random low-word order', () => {
    const rand = mulberry32(5);
    const s = Array.from({ length: 3000 }, () => 1 + Math.floor(rand() * 400) * Number.EPSILON);
    expect(Array.from(argsortDescending(s))).toEqual(reference(s));
  });

  it('keeps the input order of a large block of tied scores', () => {
    const s = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 0.5 : -0));
    expect(Array.from(argsortDescending(s))).toEqual(reference(s));
  });
});
