import { expect } from 'vitest';

/** Elementwise |a − b| ≤ tol; Infinity and NaN equal only themselves. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  tol = 1e-12,
): void {
  expect(actual.length, `length of [${Array.from(actual).join(', ')}]`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const same = Number.isNaN(e)
      ? Number.isNaN(a)
      : !Number.isFinite(e)
        ? a === e
        : Math.abs(a - e) <= tol;
    expect(
      same,
      `index ${i}: got ${a}, expected ${e} (actual [${Array.from(actual).join(', ')}])`,
    ).toBe(true);
  }
}

/** A defined metric's value, failing the test if it is undefined. */
export function valueOf(m: { readonly value: number | null }): number {
  expect(m.value, JSON.stringify(m)).not.toBeNull();
  return m.value as number;
}
