import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { degenerateVariance, delongAuc, delongPairedTest } from '../../../src/metrics/delong.ts';
import { normalCdf, normalQuantile } from '../../../src/metrics/normal.ts';

/** Textbook O(m·n) DeLong placements, for cross-checking the midrank algorithm. */
function bruteComponents(y: number[], s: number[]): { auc: number; v10: number[]; v01: number[] } {
  const pos = s.filter((_, i) => y[i] === 1);
  const neg = s.filter((_, i) => y[i] === 0);
  const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
  const v10 = pos.map((x) => neg.reduce((acc, v) => acc + psi(x, v), 0) / neg.length);
  const v01 = neg.map((v) => pos.reduce((acc, x) => acc + psi(x, v), 0) / pos.length);
  return { auc: v10.reduce((a, b) => a + b, 0) / pos.length, v10, v01 };
}
function cov(a: number[], b: number[]): number {
  const ma = a.reduce((x, y) => x + y, 0) / a.length;
  const mb = b.reduce((x, y) => x + y, 0) / b.length;
  return a.reduce((acc, v, i) => acc + (v - ma) * (b[i]! - mb), 0) / (a.length - 1);
}

describe('normal distribution', () => {
  it('matches R to ~1e-15', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 14);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 13);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 15);
    expect(normalCdf(-1)).toBeCloseTo(0.1586552539314571, 15);
    expect(normalCdf(-10) / 7.619853024160527e-24).toBeCloseTo(1, 12);
    for (const p of [1e-300, 1e-20, 0.01, 0.3, 0.5, 0.77, 0.999999])
      expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 12);
  });
});

describe('delongPairedTest', () => {
  it('agrees with the textbook O(m·n) computation', () => {
    const rng = seedrandom('paired');
    const y = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const a = y.map((l) => Math.round((rng() + l * 0.5) * 10) / 10); // rounded: plenty of ties
    const b = y.map((l, i) => Math.round((rng() + l * 0.3 + a[i]! * 0.4) * 10) / 10);
    const A = bruteComponents(y, a);
    const B = bruteComponents(y, b);
    const m = A.v10.length;
    const n = A.v01.length;
    const variance =
      (cov(A.v10, A.v10) + cov(B.v10, B.v10) - 2 * cov(A.v10, B.v10)) / m +
      (cov(A.v01, A.v01) + cov(B.v01, B.v01) - 2 * cov(A.v01, B.v01)) / n;
    const t = delongPairedTest(y, a, b);
    if (t.value === null) throw new Error(t.reason);
    expect(t.aucA).toBeCloseTo(A.auc, 13);
    expect(t.aucB).toBeCloseTo(B.auc, 13);
    expect(t.variance).toBeCloseTo(variance, 14);
    const z = (A.auc - B.auc) / Math.sqrt(variance);
    expect(t.z).toBeCloseTo(z, 10);
    expect(t.pValue).toBeCloseTo(2 * normalCdf(-Math.abs(z)), 12);
    const single = delongAuc(y, a);
    if (single.value === null) throw new Error(single.reason);
    expect(single.variance).toBeCloseTo(cov(A.v10, A.v10) / m + cov(A.v01, A.v01) / n, 14);
  });
  it('identical scorers: undefined (zero variance), not a fake p-value', () => {
    const y = [0, 0, 1, 1, 0, 1];
    const s = [0.1, 0.5, 0.4, 0.9, 0.3, 0.6];
    expect(delongPairedTest(y, s, s)).toMatchObject({ value: null, code: 'zero_variance' });
  });
  it('a perfect scorer against a constant one: zero estimated variance is not certainty on a few systems', () => {
    // DeLong's estimate is 0 here (every placement alike), and p was 0 on 3 anomalies and 3
    // normals (as pROC): a win called on six systems.
    const y = [0, 0, 1, 1, 0, 1];
    const perfect = [0.1, 0.2, 0.8, 0.9, 0.3, 0.7];
    const flat = y.map(() => 0.5);
    const t = delongPairedTest(y, perfect, flat);
    if (t.value === null) throw new Error(t.reason);
    expect(t).toMatchObject({ diff: 0.5, fallback: true });
    expect(t.variance).toBeCloseTo(degenerateVariance(1, 0.5, 3, 3), 15);
    expect(t.pValue).toBeGreaterThan(0.2);
    expect(Number.isFinite(t.z)).toBe(true);
    const back = delongPairedTest(y, flat, perfect);
    if (back.value === null) throw new Error(back.reason);
    expect(back.z).toBeCloseTo(-t.z, 12);
    expect(back.pValue).toBeCloseTo(t.pValue, 12);
    // On 25 of each the same difference is still overwhelming.
    const y50 = Array.from({ length: 50 }, (_, i) => (i < 25 ? 1 : 0));
    const big = delongPairedTest(
      y50,
      y50.map((l, i) => l + i / 100),
      y50.map(() => 0.5),
    );
    if (big.value === null) throw new Error(big.reason);
    expect(big.fallback).toBe(true);
    expect(big.pValue).toBeLessThan(1e-4);
    // An estimated variance is used as it is.
    const est = delongPairedTest(y, [0.1, 0.9, 0.8, 0.2, 0.3, 0.7], perfect);
    if (est.value === null) throw new Error(est.reason);
    expect(est.fallback).toBe(false);
  });
});

describe('DeLong CI coverage (statistical meta-test)', () => {
  it('a random scorer on 2000 systems has 0.5 in its 95 % CI in ≥ 90 % of 50 seeds', () => {
    let covered = 0;
    for (let seed = 0; seed < 50; seed++) {
      const rng = seedrandom(`meta-${seed}`);
      const y = Array.from({ length: 2000 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // 25 % positive
      const s = y.map(() => rng());
      const d = delongAuc(y, s);
      if (d.value !== null && d.ci[0] <= 0.5 && 0.5 <= d.ci[1]) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(45);
  });
});
