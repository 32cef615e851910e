import { describe, expect, it } from 'vitest';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import { wilsonInterval } from '../../../src/metrics/wilson.ts';

describe('wilsonInterval', () => {
  // Reference values: R's prop.test(x, n, correct = FALSE)$conf.int for 0/10 and 5/10; 1/12 from the
  // closed form evaluated in Python (statistics.NormalDist for z).
  it('matches the closed form at known points', () => {
    const a = wilsonInterval(0, 10)!;
    expect(a.low).toBe(0);
    expect(a.high).toBeCloseTo(0.2775328, 6);
    const b = wilsonInterval(5, 10)!;
    expect(b.low).toBeCloseTo(0.2365931, 6);
    expect(b.high).toBeCloseTo(0.7634069, 6);
    const c = wilsonInterval(1, 12)!;
    expect(c.low).toBeCloseTo(0.0148651, 6);
    expect(c.high).toBeCloseTo(0.3538799, 6);
    expect(wilsonInterval(10, 10)!.high).toBe(1);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('narrows with more trials and widens with the level', () => {
    const w = (x: number, n: number, l?: number) => {
      const i = wilsonInterval(x, n, l)!;
      return i.high - i.low;
    };
    expect(w(10, 100)).toBeLessThan(w(1, 10));
    expect(w(10, 100, 0.99)).toBeGreaterThan(w(10, 100, 0.95));
  });
});

describe('evaluateScores: fpr and its CI', () => {
  it('reports the false-alarm rate and its Wilson CI on a test set of normals only, ROC AUC undefined', () => {
    const y = new Float64Array(12);
    const scores = Float64Array.from({ length: 12 }, (_, i) => i);
    const r = evaluateScores({ y, scores, threshold: { kind: 'fixed', value: 11 } });
    expect(r.metrics['fpr']).toBeCloseTo(1 / 12, 12);
    expect(r.ci['fpr']).toMatchObject({ method: 'wilson', level: 0.95 });
    expect(r.ci['fpr']!.low).toBeCloseTo(0.0148651, 6);
    expect(r.metrics['roc_auc']).toBeNull();
    expect(r.undefined['roc_auc']).toMatch(/\w/);
  });

  it('has no fpr CI, with a reason, when the test set holds no normals', () => {
    const r = evaluateScores({ y: Float64Array.of(1, 1), scores: Float64Array.of(0, 1) });
    expect(r.ci['fpr']).toBeNull();
    expect(r.undefined['ci.fpr']).toBe('no normals in the test set');
  });
});
