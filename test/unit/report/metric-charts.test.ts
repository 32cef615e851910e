import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import { averagePrecision, prCurve, rocAuc, rocCurve } from '../../../src/metrics/ranking.ts';
import { breakdownBars, breakdownChart } from '../../../src/report/charts/breakdown-chart.ts';
import { prChart } from '../../../src/report/charts/pr-chart.ts';
import { downsampleIndices, rocChart } from '../../../src/report/charts/roc-chart.ts';
import {
  scoreDistributionChart,
  scoreHistogram,
} from '../../../src/report/charts/score-distribution-chart.ts';

/** The data values of a named layer of a layered spec (or of the spec itself when the layer has none). */
function layerValues(spec: TopLevelSpec, name: string): Record<string, unknown>[] {
  const s = spec as {
    layer?: { name?: string; data?: { values?: unknown[] } }[];
    data?: { values?: unknown[] };
  };
  const layer = s.layer?.find((l) => l.name === name);
  if (!layer) throw new Error(`no layer ${name}`);
  return (layer.data?.values ?? s.data?.values ?? []) as Record<string, unknown>[];
}

function titleText(spec: TopLevelSpec): string {
  const t = (spec as { title?: string | { text: string } }).title;
  return typeof t === 'string' ? t : (t?.text ?? '');
}

// Case 4 of the metrics reference (scikit-learn's docstring): AUC 0.75, AP 0.8333.
const y = [0, 0, 1, 1];
const s = [0.1, 0.4, 0.35, 0.8];

describe('rocChart', () => {
  it('draws the ROC curve points, the chance diagonal and the AUC with its CI', () => {
    const curve = rocCurve(y, s);
    const spec = rocChart({
      curve,
      auc: rocAuc(y, s),
      ci: { method: 'delong', level: 0.95, low: 0.057, high: 1 },
    });
    const points = layerValues(spec, 'curve');
    expect(points.map((p) => p['fpr'])).toEqual(Array.from(curve.fpr));
    expect(points.map((p) => p['tpr'])).toEqual(Array.from(curve.tpr));
    expect(points.map((p) => p['fpr'])).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(points[0]!['threshold']).toBeNull(); // +Infinity is not JSON
    expect(layerValues(spec, 'chance')).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(titleText(spec)).toBe('ROC curve: AUC 0.750 [0.057, 1.000] (95% DeLong CI)');
  });
  it('says why the AUC is undefined and drops NaN points', () => {
    const spec = rocChart({ curve: rocCurve([0, 0], [0.2, 0.7]), auc: rocAuc([0, 0], [0.2, 0.7]) });
    expect(titleText(spec)).toMatch(/AUC undefined \(.*no anomalies/);
    expect(layerValues(spec, 'curve')).toEqual([]);
  });
  it('downsamples a long curve, keeping both ends', () => {
    const n = 10_001;
    const yy = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const ss = Array.from(
      { length: n },
      (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453),
    );
    const curve = rocCurve(yy, ss);
    expect(curve.fpr.length).toBeGreaterThan(2000);
    const points = layerValues(rocChart({ curve, auc: rocAuc(yy, ss) }), 'curve');
    expect(points.length).toBeLessThanOrEqual(2000);
    expect(points[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(points.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
  });
});

describe('downsampleIndices', () => {
  it('keeps short curves whole and both ends of long ones, increasing and within the cap', () => {
    expect(downsampleIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    for (const [len, max] of [
      [10, 3],
      [2001, 2000],
      [12345, 100],
      [7, 2],
    ] as const) {
      const idx = downsampleIndices(len, max);
      expect(idx.length).toBeLessThanOrEqual(max);
      expect(idx[0]).toBe(0);
      expect(idx.at(-1)).toBe(len - 1);
      for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
    }
  });
});

describe('prChart', () => {
  it('draws the PR curve in order, the prevalence baseline and the AP', () => {
    const curve = prCurve(y, s);
    const spec = prChart({ curve, averagePrecision: averagePrecision(y, s), prevalence: 0.5 });
    const points = layerValues(spec, 'curve');
    expect(points.map((p) => p['precision'])).toEqual(Array.from(curve.precision));
    expect(points.map((p) => p['recall'])).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(layerValues(spec, 'baseline')).toEqual([
      { recall: 0, precision: 0.5 },
      { recall: 1, precision: 0.5 },
    ]);
    expect(titleText(spec)).toMatch(/^Precision–recall: AP 0\.833 /);
  });
});

describe('scoreDistributionChart', () => {
  it('bins normals and anomalies separately, each as a share of its own label', () => {
    const yy = [0, 0, 0, 1, 1];
    const ss = [0, 0.1, 0.45, 0.9, 1];
    const bins = scoreHistogram(yy, ss, 2);
    expect(bins).toEqual([
      { label: 'normal', start: 0, end: 0.5, count: 3, share: 1 },
      { label: 'anomaly', start: 0.5, end: 1, count: 2, share: 1 },
    ]);
    const spec = scoreDistributionChart({ y: yy, scores: ss, threshold: 0.5, bins: 2 });
    expect(layerValues(spec, 'histogram')).toEqual(bins);
    expect(layerValues(spec, 'threshold')[0]).toMatchObject({ start: 0.5 });
    expect(titleText(spec)).toContain('3 normal, 2 anomaly');
  });
  it('puts every score of a constant scorer in one bin', () => {
    expect(scoreHistogram([0, 1], [0.3, 0.3])).toEqual([
      { label: 'normal', start: 0.3, end: 1.3, count: 1, share: 1 },
      { label: 'anomaly', start: 0.3, end: 1.3, count: 1, share: 1 },
    ]);
  });
});

describe('breakdownChart', () => {
  const yy = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
  const ss = [0.9, 0.8, 0.7, 0.95, 0.85, 0.3, 0.6, 0.1, 0.2, 0.4, 0.5, 0.05, 0.65, 0.15, 0.25];
  const ft = [
    'a',
    'a',
    'a',
    'a',
    'a',
    'b',
    'b',
    'none',
    'none',
    'none',
    'none',
    'none',
    'none',
    'none',
    'none',
  ];
  const sum = evaluateScores({ y: yy, scores: ss, strata: { failure_type: ft }, minPositives: 5 });
  const cells = sum.breakdown['failure_type']!;

  it('has one bar per stratum whose whiskers are the CI the metrics engine computed', () => {
    const spec = breakdownChart({ column: 'failure_type', cells, minPositives: 5 });
    const bars = (spec as { data: { values: ReturnType<typeof breakdownBars> } }).data.values;
    expect(bars.map((b) => b.stratum)).toEqual(cells.map((c) => c.stratum));
    for (const [i, c] of cells.entries()) {
      expect(bars[i]!.auc).toBe(c.metrics.roc_auc);
      expect(bars[i]!.low).toBe(c.ci.roc_auc?.low ?? null);
      expect(bars[i]!.high).toBe(c.ci.roc_auc?.high ?? null);
      expect(bars[i]!.too_few).toBe(c.too_few);
    }
    const a = bars.find((b) => b.stratum === 'a')!;
    expect(a).toMatchObject({ too_few: false, positives: 5 });
    expect(a.low!).toBeLessThanOrEqual(a.auc!);
    expect(bars.find((b) => b.stratum === 'b')).toMatchObject({ too_few: true });
    expect(bars.find((b) => b.stratum === 'none')).toMatchObject({
      auc: null,
      reason: expect.stringMatching(/no anomalies/),
    });
    expect(layerValues(spec, 'chance')).toEqual([{ auc: 0.5 }]);
    expect(titleText(spec)).toBe('ROC AUC by failure type');
  });
});
