import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import {
  chooseThreshold,
  confusionAt,
  nextUp,
  thresholdMetrics,
} from '../../../src/metrics/threshold.ts';
import { precisionAtK, recallAtFpr, rocAuc } from '../../../src/metrics/ranking.ts';

const y = [0, 1, 1, 0, 1, 0, 0, 1];
const s = [0.1, 0.9, 0.4, 0.4, 0.8, 0.3, 0.7, 0.2];

describe('confusionAt / thresholdMetrics', () => {
  it('flags score >= threshold', () => {
    expect(confusionAt(y, s, 0.4)).toEqual({ tp: 3, fp: 2, tn: 2, fn: 1 });
    const m = thresholdMetrics(confusionAt(y, s, 0.4), { beta: 2 });
    expect(m.precision.value).toBeCloseTo(3 / 5, 15);
    expect(m.recall.value).toBeCloseTo(3 / 4, 15);
    expect(m.fbeta.value).toBeCloseTo((5 * 3) / (5 * 3 + 4 * 1 + 2), 15);
    expect(m.fpr.value).toBeCloseTo(0.5, 15);
    expect(m.specificity.value).toBeCloseTo(0.5, 15);
  });
  it('throws E_METRIC on non-finite scores', () => {
    expect(() => confusionAt([0, 1], [0.1, NaN], 0.5)).toThrow(HarnessError);
    expect(() => rocAuc([0, 1], [Infinity, 0])).toThrow(/scores\[0\] is Infinity/);
    expect(() => rocAuc([0, 2], [0, 1])).toThrow(/labels must be 0/);
  });
});

describe('chooseThreshold', () => {
  const ctx = { y, scores: s };
  it('fixed and top_k use no labels', () => {
    expect(chooseThreshold({ kind: 'fixed', value: 0.5 }, ctx)).toEqual({
      threshold: 0.5,
      kind: 'fixed',
      oracle: false,
    });
    expect(chooseThreshold({ kind: 'top_k', k: 2 }, ctx)).toMatchObject({
      threshold: 0.8,
      oracle: false,
    });
    // k-th score tied: both tied samples flagged, noted.
    const t = chooseThreshold({ kind: 'top_k', k: 4 }, ctx);
    expect(t.threshold).toBe(0.4);
    expect(t.note).toMatch(/flag 5/);
  });
  it('train_fpr flags at most the target share of training normals', () => {
    const train = Array.from({ length: 100 }, (_, i) => i / 100);
    const t = chooseThreshold({ kind: 'train_fpr', fpr: 0.29, trainNormalScores: train }, ctx);
    expect(t.threshold).toBe(0.71);
    expect(train.filter((v) => v >= t.threshold).length).toBe(29);
    // All tied: no threshold meets 5 %, so just above the max.
    const tied = chooseThreshold(
      { kind: 'train_fpr', fpr: 0.05, trainNormalScores: [1, 1, 1] },
      ctx,
    );
    expect(tied.threshold).toBe(nextUp(1));
    expect(tied.threshold).toBeGreaterThan(1);
  });
  it('best_f1 is always an oracle', () => {
    const t = chooseThreshold({ kind: 'best_f1' }, ctx);
    expect(t.oracle).toBe(true);
    // F1 by threshold: 0.8 → 2/3, 0.4 → 2/3, 0.2 → tp 4 fp 3 fn 0 → 8/11 (the best).
    expect(t.threshold).toBe(0.2);
    expect(t.note).toContain(String(8 / 11));
    // On equal F1 the higher threshold wins: F1 is 2/3 both at 3 and at 0.
    expect(
      chooseThreshold({ kind: 'best_f1' }, { y: [1, 0, 0, 1], scores: [3, 2, 1, 0] }).threshold,
    ).toBe(3);
  });
});

describe('precisionAtK / recallAtFpr', () => {
  it('shares a tied block at the cutoff pro rata', () => {
    // top 3: 0.9(+), 0.8(+), 0.7(−) → 2/3; top 4 cuts the tie {0.4(+), 0.4(−)} in half → (2 + ½)/4.
    expect(precisionAtK(y, s, 3).value).toBeCloseTo(2 / 3, 15);
    expect(precisionAtK(y, s, 4).value).toBeCloseTo((2 + 0.5) / 4, 15);
    expect(precisionAtK(y, s, 100)).toMatchObject({
      value: 0.5,
      note: expect.stringMatching(/exceeds/),
    });
  });
  it('recall at the lowest threshold whose FPR stays within the target', () => {
    expect(recallAtFpr(y, s, 0)).toMatchObject({ value: 0.5, threshold: 0.8, fpr: 0 });
    // FPR 0.25 reached at 0.7; the 0.4 block would add a negative (FPR 0.5), so it is not split.
    expect(recallAtFpr(y, s, 0.3)).toMatchObject({ value: 0.5, threshold: 0.7, fpr: 0.25 });
    expect(recallAtFpr([1, 1], [0, 1], 0.1)).toMatchObject({ value: null, code: 'no_negatives' });
  });
});
