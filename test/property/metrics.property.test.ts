import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { averagePrecision, rocAuc } from '../../src/metrics/ranking.ts';
import { delongAuc } from '../../src/metrics/delong.ts';
import { breakdown } from '../../src/metrics/breakdown.ts';
import { argsortDescending } from '../../src/metrics/sort.ts';
import { labelledScores } from '../arbitraries/binary-scores.ts';

const auc = (y: number[], s: ArrayLike<number>): number => rocAuc(y, s).value!;

/** O(n²) Mann–Whitney: P(score_pos > score_neg) + ½ P(tie). */
function naiveAuc(y: number[], s: number[]): number {
  let u = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      u += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return u / pairs;
}

describe('ranking metric properties', () => {
  test.prop([labelledScores()])('AUC(−s) = 1 − AUC(s)', ({ y, s }) => {
    expect(
      auc(
        y,
        s.map((v) => -v),
      ),
    ).toBeCloseTo(1 - auc(y, s), 12);
  });
  test.prop([labelledScores()])('invariant under strictly increasing transforms', ({ y, s }) => {
    expect(
      auc(
        y,
        s.map((v) => Math.atan(v) * 3 + 7),
      ),
    ).toBeCloseTo(auc(y, s), 12);
    expect(
      averagePrecision(
        y,
        s.map((v) => Math.exp(v)),
      ).value!,
    ).toBeCloseTo(averagePrecision(y, s).value!, 12);
  });
  test.prop([labelledScores()])('AUC equals a naive Mann–Whitney count (with ties)', ({ y, s }) => {
    expect(auc(y, s)).toBeCloseTo(naiveAuc(y, s), 12);
  });
  test.prop([labelledScores()])('DeLong AUC equals rocAuc', ({ y, s }) => {
    const d = delongAuc(y, s);
    if (d.value !== null) expect(d.auc).toBeCloseTo(auc(y, s), 12);
  });
  test.prop([fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 30 }), fc.integer()])(
    'a perfect ranking gives AP = 1 and AUC = 1',
    (m, n, seed) => {
      const y = [...Array(m).fill(1), ...Array(n).fill(0)];
      const s = y.map((l, i) => (l === 1 ? 10 + ((i * 7 + seed) % 5) : (i * 3 + seed) % 5));
      // Not exactly 1 in general: both are float sums of k/m steps (scikit-learn gives the same).
      expect(averagePrecision(y, s).value).toBeCloseTo(1, 14);
      if (n > 0) expect(auc(y, s)).toBeCloseTo(1, 14);
    },
  );
  test.prop([
    fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 600 }),
  ])('argsortDescending is a stable descending permutation (both sort paths)', (s) => {
    const o = argsortDescending(s);
    expect(new Set(o).size).toBe(s.length);
    for (let i = 1; i < o.length; i++) {
      const a = s[o[i - 1]!]!;
      const b = s[o[i]!]!;
      expect(a > b || (a === b && o[i - 1]! < o[i]!)).toBe(true);
    }
  });
});

describe('breakdown properties', () => {
  const row = fc.record({
    y: fc.constantFrom(0, 1),
    score: fc.double({ min: 0, max: 1, noNaN: true }),
    mode: fc.constantFrom('a', 'b', 'c', null),
    tags: fc.uniqueArray(fc.constantFrom('t1', 't2', 't3'), { maxLength: 3 }),
  });
  test.prop([fc.array(row, { minLength: 1, maxLength: 60 })])('counts add up', (raw) => {
    const rows = raw.map((r, i) => ({ ...r, system_id: `s${i}` }));
    const cells = breakdown(rows, 'mode', { threshold: 0.5 });
    expect(cells.reduce((a, c) => a + c.n, 0)).toBe(rows.length);
    expect(cells.reduce((a, c) => a + c.positives, 0)).toBe(rows.filter((r) => r.y === 1).length);
    for (const c of cells) expect(c.positives + c.negatives).toBe(c.n);
    // Multi-valued: a system counts once per tag (or once in "(missing)").
    const tagCells = breakdown(rows, 'tags', { threshold: 0.5 });
    expect(tagCells.reduce((a, c) => a + c.n, 0)).toBe(
      rows.reduce((a, r) => a + Math.max(1, r.tags.length), 0),
    );
  });
});
