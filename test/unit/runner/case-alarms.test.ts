import { describe, expect, it } from 'vitest';
import { evaluateAlarms, type EvaluationSummary } from '../../../src/metrics/index.ts';
import { downsample, resolveDebounce, withAlarmMetrics } from '../../../src/runner/case-alarms.ts';

describe('resolveDebounce', () => {
  it('fills the defaults (3 instants, 1 day) and reads durations', () => {
    expect(resolveDebounce(undefined, 'x')).toEqual({ minDuration: 3, cooldownDays: 1 });
    expect(resolveDebounce({ minDuration: 1, cooldown: '6h' }, 'x')).toEqual({
      minDuration: 1,
      cooldownDays: 0.25,
    });
  });

  it('a bad value is a message naming the suite', () => {
    expect(() => resolveDebounce({ minDuration: 0 }, 'suites/a.suite.ts: suite "a"')).toThrow(
      'suites/a.suite.ts: suite "a": alarms.minDuration must be a whole number ≥ 1',
    );
    expect(() => resolveDebounce({ minDuration: 2.5 }, 'x')).toThrow(/got 2\.5/);
    expect(() => resolveDebounce({ cooldown: 'soon' }, 'x')).toThrow(/alarms\.cooldown/);
    expect(() => resolveDebounce('yes' as never, 'x')).toThrow(
      'x: alarms must be true or { minDuration?, cooldown? }, got "yes"',
    );
    expect(() => resolveDebounce({ minduration: 2 } as never, 'x')).toThrow(
      'x: alarms has no option "minduration" (options: minDuration, cooldown)',
    );
  });
});

describe('downsample', () => {
  it('keeps every point when there are few, NaN as null', () => {
    expect(downsample({ t: Float64Array.of(1, 2), score: Float64Array.of(NaN, 3) }, 5)).toEqual({
      t: [1, 2],
      score: [null, 3],
    });
  });

  it('keeps each bucket’s highest score at its own instant, so a peak survives', () => {
    const t = Float64Array.from({ length: 10 }, (_, i) => i);
    const score = Float64Array.of(0, 0, 0, 9, 0, NaN, NaN, 1, 0, 0);
    // 10 points in 3 buckets: [0,3) [3,6) [6,10).
    expect(downsample({ t, score }, 3)).toEqual({ t: [0, 3, 7], score: [0, 9, 1] });
    expect(downsample({ t: Float64Array.of(1, 2), score: Float64Array.of(NaN, NaN) }, 1)).toEqual({
      t: [1],
      score: [null],
    });
  });
});

describe('withAlarmMetrics', () => {
  const summary = {
    metrics: { roc_auc: 0.8 },
    ci: { roc_auc: null },
    undefined: {},
    caught_with_warning: { '7': 0.5 },
    breakdown: {},
  } as unknown as EvaluationSummary;
  const alarms = evaluateAlarms([
    {
      systemId: 'a',
      failureType: 'cooling_failure',
      anomaly: true,
      alarms: Float64Array.of(0),
      failureAt: 10 * 86_400_000,
      onsetAt: NaN,
      spanStart: 0,
      spanEnd: 86_400_000,
    },
  ]);

  it('merges the alarm metrics beside the one-score ones, and keeps caught_with_warning apart', () => {
    const merged = withAlarmMetrics(summary, alarms);
    expect(merged.metrics).toMatchObject({
      roc_auc: 0.8,
      median_warning_days: 10,
      caught_with_7d_warning: 1,
    });
    expect(merged.caught_with_warning).toEqual({ '7': 0.5 });
    expect(merged.undefined['false_alarms_per_system_month']).toBe('no normal systems');
    expect(merged.ci['caught_with_7d_warning']?.method).toBe('wilson');
  });

  it('merges each stratum’s alarm metrics into the breakdown cell of the same name', () => {
    const cell = (stratum: string) => ({
      stratum,
      metrics: { roc_auc: 0.7, average_precision: 0.5, recall: 0.4 },
      ci: { roc_auc: null },
      undefined: {},
    });
    const withCells = {
      ...summary,
      breakdown: {
        failure_type: [cell('cooling_failure'), cell('short')],
        season: [cell('summer')],
      },
    } as unknown as EvaluationSummary;
    const cells = { failure_type: new Map([['cooling_failure', alarms]]) };
    const merged = withAlarmMetrics(withCells, alarms, cells);
    const [cooling, short] = merged.breakdown['failure_type']!;
    expect(cooling!.metrics).toMatchObject({ roc_auc: 0.7, median_warning_days: 10 });
    expect(cooling!.ci['caught_with_7d_warning']?.method).toBe('wilson');
    expect(cooling!.undefined['false_alarms_per_system_month']).toBe('no normal systems');
    // A stratum without systems scored over time, and a column without alarm cells, stay as they were.
    expect(short!.metrics).toEqual(cell('short').metrics);
    expect(merged.breakdown['season']).toEqual(withCells.breakdown['season']);
  });

  it('a name shared with a one-score metric is a bug, not a value overwritten', () => {
    const clash = { ...summary, metrics: { event_recall: 0.1 } } as unknown as EvaluationSummary;
    expect(() => withAlarmMetrics(clash, alarms)).toThrow(/event_recall/);
  });
});
