// scikit-learn conformance (metrics.md §B2) and pROC DeLong golden values (§B3), to 1e-12.
import { describe, expect, it } from 'vitest';
import { averagePrecision, prCurve, rocAuc, rocCurve } from '../../../src/metrics/ranking.ts';
import { thresholdMetrics } from '../../../src/metrics/threshold.ts';
import { delongAuc } from '../../../src/metrics/delong.ts';
import { expectClose, valueOf } from './close.ts';

const inf = Infinity;

function roc(
  y: number[],
  s: number[],
  fpr: number[],
  tpr: number[],
  thr: number[],
  opts = {},
): void {
  const c = rocCurve(y, s, opts);
  expectClose(c.fpr, fpr);
  expectClose(c.tpr, tpr);
  expectClose(c.thresholds, thr);
}
function pr(y: number[], s: number[], p: number[], r: number[], thr: number[], opts = {}): void {
  const c = prCurve(y, s, opts);
  expectClose(c.precision, p);
  expectClose(c.recall, r);
  expectClose(c.thresholds, thr);
}
const auc = (y: number[], s: number[], o = {}) => valueOf(rocAuc(y, s, o));
const ap = (y: number[], s: number[], o = {}) => valueOf(averagePrecision(y, s, o));

describe('scikit-learn conformance (§B2)', () => {
  it('1: [0,1]/[0,1]', () => {
    expect(auc([0, 1], [0, 1])).toBe(1);
    roc([0, 1], [0, 1], [0, 0, 1], [0, 1, 1], [inf, 1, 0]);
    pr([0, 1], [0, 1], [0.5, 1, 1], [1, 1, 0], [0, 1]);
    expect(ap([0, 1], [0, 1])).toBe(1);
  });
  it('2: [0,1]/[1,0]', () => {
    expect(auc([0, 1], [1, 0])).toBe(0);
    roc([0, 1], [1, 0], [0, 1, 1], [0, 0, 1], [inf, 1, 0]);
    pr([0, 1], [1, 0], [0.5, 0, 1], [1, 0, 0], [0, 1]);
    expect(ap([0, 1], [1, 0])).toBe(0.5);
  });
  it('3: tie [1,0]/[0.5,0.5]', () => {
    expect(auc([1, 0], [0.5, 0.5])).toBe(0.5);
    roc([1, 0], [0.5, 0.5], [0, 1], [0, 1], [inf, 0.5]);
    pr([1, 0], [0.5, 0.5], [0.5, 1], [1, 0], [0.5]);
    expect(ap([1, 0], [0.5, 0.5])).toBe(0.5);
  });
  it('4: docstring example', () => {
    const y = [0, 0, 1, 1];
    const s = [0.1, 0.4, 0.35, 0.8];
    expectClose([auc(y, s)], [0.75]);
    roc(y, s, [0, 0, 0.5, 0.5, 1], [0, 0.5, 0.5, 1, 1], [inf, 0.8, 0.4, 0.35, 0.1], {
      dropIntermediate: false,
    });
    roc(y, s, [0, 0, 0.5, 0.5, 1], [0, 0.5, 0.5, 1, 1], [inf, 0.8, 0.4, 0.35, 0.1]);
    pr(y, s, [0.5, 2 / 3, 0.5, 1, 1], [1, 1, 0.5, 0.5, 0], [0.1, 0.35, 0.4, 0.8]);
    expectClose([ap(y, s)], [0.8333333333333333]);
  });
  it('5: tied values break the perfect order', () => {
    const v = ap([0, 1, 1], [0.5, 0.5, 0.6]);
    expect(v).not.toBe(1);
    expectClose([v, auc([0, 1, 1], [0.5, 0.5, 0.6])], [0.8333333333333334, 0.75]);
  });
  it('6: constant scores, AP exactly the prevalence', () => {
    const y = Array.from({ length: 100 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const s = y.map(() => 1);
    expect(ap(y, s)).toBe(0.25);
    expect(auc(y, s)).toBe(0.5);
  });
  it('7: precision_recall_curve with and without drop_intermediate', () => {
    const y = [1, 0, 0, 1];
    const s = [1, 2, 3, 4];
    pr(y, s, [0.5, 1 / 3, 0.5, 1, 1], [1, 0.5, 0.5, 0.5, 0], [1, 2, 3, 4]);
    pr(y, s, [0.5, 1 / 3, 1, 1], [1, 0.5, 0.5, 0], [1, 2, 4], { dropIntermediate: true });
    expectClose([ap(y, s), auc(y, s)], [0.75, 0.5]);
  });
  it('8: drop_intermediate with ties', () => {
    const y = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
    const s = [0, 0.1, 0.6, 0.6, 0.7, 0.8, 0.9, 0.6, 0.7, 0.8, 0.9, 0.9, 1];
    expectClose(rocCurve(y, s).thresholds, [inf, 1, 0.9, 0.7, 0.6, 0]);
    expectClose(prCurve(y, s, { dropIntermediate: true }).thresholds, [0, 0.6, 0.7, 0.8, 0.9, 1]);
    expectClose([auc(y, s), ap(y, s)], [11 / 14, 1145 / 1584]);
  });
  it('9: drop_intermediate, perfect ranking', () => {
    const y = [0, 0, 0, 0, 1, 1];
    const s = [0, 0.2, 0.5, 0.6, 0.7, 1];
    expectClose(rocCurve(y, s).thresholds, [inf, 1, 0.7, 0]);
    expectClose(prCurve(y, s, { dropIntermediate: true }).thresholds, [0, 0.7, 1]);
    expect([auc(y, s), ap(y, s)]).toEqual([1, 1]);
  });
  it('10: one class present', () => {
    const c = rocCurve([0, 0], [0.25, 0.75]);
    expectClose(c.fpr, [0, 0.5, 1]);
    expectClose(c.tpr, [NaN, NaN, NaN]);
    expect(c.note).toMatch(/no positive/);
    // scikit-learn ≥ 1.6 returns NaN; we return null with a reason.
    const a = rocAuc([0, 0], [0.25, 0.75]);
    expect(a).toMatchObject({ value: null, code: 'no_positives' });
    pr([0, 0], [0.25, 0.75], [0, 0, 1], [1, 1, 0], [0.25, 0.75]);
    // Documented deviation: scikit-learn returns AP 0.0 with a warning; 0 would read as a bad model.
    expect(averagePrecision([0, 0], [0.25, 0.75])).toMatchObject({
      value: null,
      code: 'no_positives',
    });
    expect(ap([1, 1], [0.25, 0.75])).toBe(1);
    pr([1, 1], [0.25, 0.75], [1, 1, 1], [1, 0.5, 0], [0.25, 0.75]);
    expect(rocAuc([1, 1], [0.25, 0.75])).toMatchObject({ value: null, code: 'no_negatives' });
  });
  it('11: partial AUC (McClish)', () => {
    const y = [0, 0, 1, 1];
    const s = [0.1, 0, 0.1, 0.01];
    expectClose(
      [auc(y, s), auc(y, s, { maxFpr: 0.3 }), auc(y, s, { maxFpr: 1 })],
      [0.625, 0.5, 0.625],
    );
  });
  it('12: zero sample weight equals dropping the sample', () => {
    const y = [0, 0, 1, 1, 1];
    const s = [0.1, 0.2, 0.3, 0.4, 0.5];
    const w = [1, 1, 1, 0.5, 0];
    const a = rocCurve(y, s, { weights: w });
    const b = rocCurve(y.slice(0, 4), s.slice(0, 4), { weights: w.slice(0, 4) });
    expectClose(a.fpr, Array.from(b.fpr));
    expectClose(a.tpr, Array.from(b.tpr));
    expectClose(a.thresholds, Array.from(b.thresholds));
    const p = prCurve(y, s, { weights: w });
    const q = prCurve(y.slice(0, 4), s.slice(0, 4), { weights: w.slice(0, 4) });
    expectClose(p.precision, Array.from(q.precision));
    expectClose(p.recall, Array.from(q.recall));
    expect(auc(y, s, { weights: w })).toBe(1);
  });
  it('13: sample weights', () => {
    const o = { weights: [1, 2, 1, 0.5, 0] };
    const y = [0, 0, 1, 1, 1];
    const s = [0.1, 0.7, 0.3, 0.4, 0.5];
    expectClose([auc(y, s, o), ap(y, s, o)], [0.3333333333333333, 0.3523809523809524], 1e-10);
  });
  it('14: precision/recall/F1 zero_division', () => {
    // y=[1,0,1], ŷ=[0,0,0]: tp=0, fp=0, tn=1, fn=2
    const c = { tp: 0, fp: 0, tn: 1, fn: 2 };
    expect(thresholdMetrics(c).precision).toEqual({ value: 0, note: 'zero_division' });
    expect(thresholdMetrics(c, { zeroDivision: 1 }).precision.value).toBe(1);
    expect(thresholdMetrics(c, { zeroDivision: 'undefined' }).precision).toMatchObject({
      value: null,
      code: 'zero_division',
    });
    expect(thresholdMetrics(c, { zeroDivision: 1 }).f1).toEqual({ value: 0 }); // fn > 0 ⇒ defined
    // y = ŷ = [0,0,0]
    const z = { tp: 0, fp: 0, tn: 3, fn: 0 };
    expect(thresholdMetrics(z, { zeroDivision: 1 }).f1.value).toBe(1);
    expect(thresholdMetrics(z, { zeroDivision: 0 }).f1.value).toBe(0);
  });
  it('15: P = R = F1 = 2/3', () => {
    // y=[0,1,1,0,1], ŷ=[0,1,0,1,1]: tp=2, fp=1, tn=1, fn=1
    const m = thresholdMetrics({ tp: 2, fp: 1, tn: 1, fn: 1 });
    expectClose([valueOf(m.precision), valueOf(m.recall), valueOf(m.f1)], [2 / 3, 2 / 3, 2 / 3]);
  });
  it('roc_curve fpr and tpr are non-decreasing (test_roc_curve_fpr_tpr_increasing)', () => {
    const c = rocCurve([0, 0, 1, 1, 1], [0.1, 0.7, 0.3, 0.4, 0.5], {
      weights: [0.2, 0.2, 0.2, 0.2, 0.2],
    });
    for (let i = 1; i < c.fpr.length; i++) {
      expect(c.fpr[i]! - c.fpr[i - 1]!).toBeGreaterThanOrEqual(0);
      expect(c.tpr[i]! - c.tpr[i - 1]!).toBeGreaterThanOrEqual(0);
    }
  });
  it('AUC and AP are scale invariant (test_score_scale_invariance)', () => {
    const y = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0];
    const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.4, 0.65, 0.55, 0.3, 0.05];
    for (const f of [(v: number) => v * 100, (v: number) => v * 1e-6, (v: number) => v - 10]) {
      const t = s.map(f);
      expectClose([auc(y, t), ap(y, t)], [auc(y, s), ap(y, s)]);
    }
  });
});

describe('pROC DeLong golden values (§B3)', () => {
  it('12-sample example', () => {
    const y = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0];
    const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.4, 0.65, 0.55, 0.3, 0.05];
    const d = delongAuc(y, s);
    if (d.value === null) throw new Error(d.reason);
    expectClose(
      [d.auc, d.variance, d.ci[0], d.ci[1]],
      [0.777777777777778, 0.0205246913580247, 0.496984692643353, 1],
    );
    expect(d.level).toBe(0.95);
    expectClose([ap(y, s)], [0.810515873], 1e-10);
  });
  it('4-sample example', () => {
    const d = delongAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    if (d.value === null) throw new Error(d.reason);
    expectClose([d.auc, d.variance, d.ci[0], d.ci[1]], [0.75, 0.125, 0.05704808782516102, 1]);
  });
  it('undefined with fewer than 2 of a class', () => {
    expect(delongAuc([0, 0, 1], [0.1, 0.2, 0.3])).toMatchObject({
      value: null,
      code: 'too_few_positives',
    });
    expect(delongAuc([0, 1, 1], [0.1, 0.2, 0.3])).toMatchObject({
      value: null,
      code: 'too_few_negatives',
    });
    expect(delongAuc([1, 1], [0.1, 0.2])).toMatchObject({ value: null, code: 'no_negatives' });
  });
});
