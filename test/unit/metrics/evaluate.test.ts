import { describe, expect, it } from 'vitest';
import { LEAD_TIME_BUCKETS } from '../../../src/data/schema.ts';
import { evaluateScores } from '../../../src/metrics/evaluate.ts';
import { caughtWithWarning, leadTimeMetrics } from '../../../src/metrics/lead-time.ts';
import { breakdown } from '../../../src/metrics/breakdown.ts';
import { rankSet } from '../../../src/metrics/ranked-set.ts';
import { rocAuc } from '../../../src/metrics/ranking.ts';
import { onePassInput } from '../../fixtures/evaluate/one-pass-input.ts';

// 12 systems: 4 anomalies (two failure types), 8 normals, two modes.
const y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
const score = [0.9, 0.6, 0.8, 0.3, 0.1, 0.7, 0.2, 0.4, 0.05, 0.5, 0.35, 0.15];
const failure = [
  'short',
  'short',
  'fade',
  'fade',
  'none',
  'none',
  'none',
  'none',
  'none',
  'none',
  'none',
  'none',
];
const mode = ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'];
const lead = [3, 10, 40, 100, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN];

describe('breakdown', () => {
  const rows = y.map((l, i) => ({
    system_id: `s${i}`,
    y: l,
    score: score[i]!,
    failure_type: failure[i]!,
    mode: mode[i]!,
    tags: i % 2 ? ['x', 'y'] : ['x'],
  }));
  it('ranks an anomaly-only stratum against all normals', () => {
    const cells = breakdown(rows, 'failure_type', { threshold: 0.5, minPositives: 2 });
    const short = cells.find((c) => c.stratum === 'short')!;
    expect(short).toMatchObject({
      n: 2,
      positives: 2,
      comparison: 'vs_all_normals',
      comparedNegatives: 8,
      too_few: false,
    });
    const normals = score.filter((_, i) => y[i] === 0);
    expect(short.metrics.roc_auc.value).toBe(
      rocAuc([1, 1, ...normals.map(() => 0)], [0.9, 0.6, ...normals]).value,
    );
    expect(short.metrics.recall.value).toBe(1);
    expect(cells.find((c) => c.stratum === 'none')!.metrics.roc_auc).toMatchObject({
      value: null,
      code: 'no_positives',
    });
    expect(cells.reduce((a, c) => a + c.n, 0)).toBe(12);
  });
  it('evaluates a mixed stratum within itself and flags too_few', () => {
    const cells = breakdown(rows, 'mode', { threshold: 0.5 });
    const a = cells.find((c) => c.stratum === 'a')!;
    expect(a).toMatchObject({
      n: 6,
      positives: 2,
      comparison: 'within',
      comparedNegatives: 4,
      too_few: true,
    });
    expect(a.metrics.roc_auc.value).toBe(
      rocAuc([1, 1, 0, 0, 0, 0], [0.9, 0.8, 0.1, 0.2, 0.05, 0.35]).value,
    );
    expect(a.ci.roc_auc).toMatchObject({ method: 'delong', level: 0.95 });
  });
  it('puts a multi-valued system in each of its strata', () => {
    const cells = breakdown(rows, 'tags', { threshold: 0.5 });
    expect(cells.map((c) => [c.stratum, c.n])).toEqual([
      ['x', 12],
      ['y', 6],
    ]);
  });
});

describe('lead time', () => {
  it('buckets anomalies by lead time and ranks each against all normals', () => {
    const cells = leadTimeMetrics({
      y,
      scores: score,
      leadTimes: lead,
      threshold: 0.5,
      buckets: LEAD_TIME_BUCKETS,
    });
    expect(
      cells.map((c) => [c.stratum, c.positives, c.comparedNegatives, c.metrics.recall.value]),
    ).toEqual([
      ['[0,7)', 1, 8, 1],
      ['[7,30)', 1, 8, 1],
      ['[30,90)', 1, 8, 1],
      ['90+', 1, 8, 0],
    ]);
    expect(cells[3]!.metrics.roc_auc.value).toBe(4 / 8); // 0.3 beats 0.1, 0.2, 0.05, 0.15
    expect(cells[0]!.ci.roc_auc).toMatchObject({ value: null, code: 'too_few_positives' });
    const custom = leadTimeMetrics({
      y,
      scores: score,
      leadTimes: lead,
      threshold: 0.5,
      buckets: [{ name: 'early', lo: 30, hi: Infinity }],
    });
    expect(custom[0]!.positives).toBe(2);
  });
  it('caughtWithWarning', () => {
    expect(caughtWithWarning([3, 10, 40, 100], [true, true, true, false], 7).value).toBe(0.5);
    expect(caughtWithWarning([3, 10, NaN], [1, 0, 1], 0).value).toBe(0.5);
    expect(caughtWithWarning([], [], 7)).toMatchObject({ value: null, code: 'no_positives' });
  });
});

describe('evaluateScores', () => {
  it('produces a JSON-ready summary with nulls and reasons', () => {
    const r = evaluateScores({
      y,
      scores: score,
      strata: { failure_type: failure, mode },
      leadTimes: lead,
      leadTimeBuckets: LEAD_TIME_BUCKETS,
      bootstrap: { reps: 200 },
    });
    expect(r).toMatchObject({
      n: 12,
      positives: 4,
      negatives: 8,
      threshold: { value: 0.5, kind: 'fixed', oracle: false },
    });
    expect(r.metrics['roc_auc']).toBe(rocAuc(y, score).value);
    expect(r.confusion).toEqual({ tp: 3, fp: 2, tn: 6, fn: 1 });
    expect(r.metrics['precision']).toBeCloseTo(0.6, 15);
    expect(r.ci['roc_auc']).toMatchObject({ method: 'delong', level: 0.95 });
    expect(r.ci['roc_auc_bootstrap']).toMatchObject({ method: 'bootstrap', reps: 200 });
    expect(r.breakdown['failure_type']!.map((c) => c.stratum)).toEqual(['fade', 'none', 'short']);
    expect(r.breakdown['failure_type']![1]!.metrics.roc_auc).toBeNull();
    expect(r.breakdown['failure_type']![1]!.undefined['roc_auc']).toMatch(/no anomalies/);
    expect(r.lead_time![3]!.hi).toBeNull();
    const json = JSON.parse(JSON.stringify(r));
    expect(json).toEqual(r);
  });
  it('one class present: null metrics with reasons, never a crash or a fake 0.5', () => {
    const r = evaluateScores({ y: [0, 0, 0], scores: [0.2, 0.6, 0.1] });
    expect(r.metrics['roc_auc']).toBeNull();
    expect(r.metrics['average_precision']).toBeNull();
    expect(r.undefined['roc_auc']).toMatch(/no anomalies/);
    expect(r.ci['roc_auc']).toBeNull();
    expect(r.metrics['precision']).toBe(0); // one normal flagged: 0/1, defined
    expect(r.metrics['recall']).toBe(0); // 0/0: scikit-learn's zero_division default
    expect(r.notes['recall']).toBe('zero_division');
  });
  it('best_f1 is reported as an oracle', () => {
    const r = evaluateScores({ y, scores: score, threshold: { kind: 'best_f1' } });
    expect(r.threshold.oracle).toBe(true);
    expect(r.notes['threshold']).toMatch(/oracle/);
  });
});

describe('evaluateScores: caught with warning', () => {
  it('counts failures flagged at the threshold with at least k days of warning, over all failures', () => {
    // four failures (lead 0.5, 3, 10, 40 days) and two normals; threshold 0.5
    const y = [1, 1, 1, 1, 0, 0];
    const scores = [0.9, 0.2, 0.8, 0.7, 0.1, 0.6];
    const leadTimes = [0.5, 3, 10, 40, null, null];
    const sum = evaluateScores({
      y,
      scores,
      threshold: 0.5,
      leadTimes,
      leadTimeBuckets: LEAD_TIME_BUCKETS,
      warningDays: [1, 7, 30, 60],
    });
    // detected: 0.5 d, 10 d, 40 d; missed: 3 d
    expect(sum.caught_with_warning).toEqual({ '1': 2 / 4, '7': 2 / 4, '30': 1 / 4, '60': 0 });
    expect(sum.lead_time?.map((c) => [c.stratum, c.positives])).toEqual([
      ['[0,7)', 2],
      ['[7,30)', 1],
      ['[30,90)', 1],
      ['90+', 0],
    ]);
  });
});

describe('evaluateScores with the set ranked by the caller', () => {
  it('gives the summary it computes with its own ranking', () => {
    const input = { ...onePassInput(2000, 5), leadTimeBuckets: LEAD_TIME_BUCKETS, threshold: 0.6 };
    const own = evaluateScores(input);
    const given = evaluateScores({ ...input, ranked: rankSet(input.y, input.scores) });
    expect(given).toEqual(own);
    expect(Object.keys(given.breakdown).length).toBeGreaterThan(0);
  });
});
