import { describe, expect, it } from 'vitest';
import {
  BOOTSTRAP_MAX_UNITS,
  evaluateAlarms,
  judgeSystemAlarms,
  nabScaledSigmoid,
  type AlarmSystem,
} from '../../../src/metrics/index.ts';
import { cooldownDaysOf } from '../../../src/metrics/alarms-from-scores.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
/** Epoch ms of day `d` after T0. */
const at = (d: number): number => T0 + d * DAY;

function failure(
  id: string,
  type: string,
  failureDay: number,
  onsetDay: number,
  alarmDays: number[],
  span: [number, number] = [0, failureDay - 1],
): AlarmSystem {
  return {
    systemId: id,
    failureType: type,
    anomaly: true,
    alarms: Float64Array.from(alarmDays, at),
    failureAt: at(failureDay),
    onsetAt: Number.isNaN(onsetDay) ? NaN : at(onsetDay),
    spanStart: at(span[0]),
    spanEnd: at(span[1]),
  };
}

function normal(id: string, alarmDays: number[], span: [number, number]): AlarmSystem {
  return {
    systemId: id,
    failureType: 'none',
    anomaly: false,
    alarms: Float64Array.from(alarmDays, at),
    failureAt: NaN,
    onsetAt: NaN,
    spanStart: at(span[0]),
    spanEnd: at(span[1]),
  };
}

describe('judgeSystemAlarms', () => {
  it('detects with the first alarm in [onset, failure]; early and late alarms are false, ties merge', () => {
    // onset day 80, failure day 100: 70 is early, 85 (twice) detects, 90 is in the event, 101 is late.
    const sys = failure('F', 'thermal_runaway', 100, 80, [70, 85, 85, 90, 101]);
    const r = judgeSystemAlarms(sys);
    expect(r.detectionAt).toBe(at(85));
    expect(r.warningDays).toBe(15);
    expect(r.delayDays).toBe(5);
    expect(r.falseAlarms).toBe(2); // 70 and 101; the in-window alarms are the one event
    // Cooldown 20 days: 101 is 11 days after the last counted alarm (90), so it merges.
    expect(judgeSystemAlarms(sys, { cooldownDays: 20 }).falseAlarms).toBe(1);
    expect(r.nabWeight).toBeCloseTo(
      (2 / (1 + Math.exp(5 * (-15 / 20))) - 1) / nabScaledSigmoid(-1),
      12,
    );
  });

  it('counts an alarm exactly at onset (delay 0) and exactly at failure (warning 0)', () => {
    expect(judgeSystemAlarms(failure('A', 't', 100, 80, [80])).delayDays).toBe(0);
    const atFailure = judgeSystemAlarms(failure('B', 't', 100, 80, [100]));
    expect(atFailure.warningDays).toBe(0);
    expect(atFailure.nabWeight).toBe(0);
    // Only after the failure: missed, and the alarm is false.
    const late = judgeSystemAlarms(failure('C', 't', 100, 80, [100.5]));
    expect(late.detectionAt).toBeNaN();
    expect(late.falseAlarms).toBe(1);
  });

  it('without an onset the window is the pre-window, or everything before the failure', () => {
    const sys = failure('F', 't', 100, NaN, [50]);
    expect(judgeSystemAlarms(sys).warningDays).toBe(50);
    expect(judgeSystemAlarms(sys).delayDays).toBeNaN();
    const pre = judgeSystemAlarms(sys, { preWindowDays: 30 });
    expect(pre.detectionAt).toBeNaN();
    expect(pre.falseAlarms).toBe(1);
  });

  it('with alarms inside the data, a failure whose data ends before the onset is unobservable', () => {
    const inside = { alarmsInsideData: true };
    expect(judgeSystemAlarms(failure('F', 't', 100, 80, [], [0, 70]), inside).observable).toBe(
      false,
    );
    expect(judgeSystemAlarms(failure('F', 't', 100, 80, [], [0, 80]), inside).observable).toBe(
      true,
    );
    // An alarm past the data's end cannot come from a run: a caller's bug, not a catch to count.
    expect(() => judgeSystemAlarms(failure('F', 't', 100, 80, [90], [0, 70]), inside)).toThrow(
      /after its data ends .* though alarmsInsideData is set/,
    );
  });

  it('with alarms from a log, a failure past the data is observable whether caught or missed', () => {
    // Observability was `caught || data reaches the window`: the catch counted, the miss vanished.
    const caught = judgeSystemAlarms(failure('F', 't', 100, 80, [90], [0, 70]));
    const missed = judgeSystemAlarms(failure('F', 't', 100, 80, [], [0, 70]));
    expect([caught.observable, missed.observable]).toEqual([true, true]);
    expect(caught.warningDays).toBe(10);
    const r = evaluateAlarms(
      [failure('A', 't', 100, 80, [90], [0, 70]), failure('B', 't', 200, 180, [], [0, 170])],
      { reps: 50 },
    );
    expect(r.metrics['event_recall']).toBe(1 / 2);
    expect(r.counts).toMatchObject({ failures: 2, caught: 1, unobservable: 0 });
  });

  it('debounces a normal system: ties are one alarm even with cooldown 0', () => {
    const sys = normal('N', [5, 5, 5, 10], [0, 30]);
    expect(judgeSystemAlarms(sys).falseAlarms).toBe(2);
    expect(judgeSystemAlarms(sys, { cooldownDays: 5 }).falseAlarms).toBe(1); // 10 − 5 is not > 5
    expect(judgeSystemAlarms(sys, { cooldownDays: 4.9 }).falseAlarms).toBe(2);
  });

  it('an alarm exactly one cooldown later is within it whatever the unit (30 s is not 29999.999… ms)', () => {
    // cooldownDaysOf('30s') = 30/86400 days, and 30/86400 × 86.4e6 = 29999.999999999996 ms in
    // floating point: an alarm exactly 30 s after the last counted one was "more than" the
    // cooldown and counted twice.
    const cooldownDays = cooldownDaysOf('30s', 'test');
    const t0 = at(5);
    const sys: AlarmSystem = {
      ...normal('N', [], [0, 30]),
      alarms: Float64Array.of(t0, t0 + 30_000),
    };
    expect(judgeSystemAlarms(sys, { cooldownDays }).falseAlarms).toBe(1);
  });

  it('a cooldown too long for milliseconds (Infinity ms) still counts the first false alarm', () => {
    // 1e304 days × 86.4e6 ms overflows to Infinity; the first alarm came after −Infinity.
    expect(
      judgeSystemAlarms(normal('N', [5, 10], [0, 30]), { cooldownDays: 1e304 }).falseAlarms,
    ).toBe(1);
    const early = failure('F', 't', 100, 80, [70, 75, 90]);
    const r = judgeSystemAlarms(early, { cooldownDays: 1e304 });
    expect(r.falseAlarms).toBe(1);
    expect(r.detectionAt).toBe(at(90));
  });

  it('rejects unsorted alarms', () => {
    expect(() => judgeSystemAlarms(normal('N', [5, 4], [0, 30]))).toThrow(/ascending/);
  });

  it("weighs a detection as NAB's true positives: σ(y)/σ(−1), 1 at the window's start", () => {
    // The metrics reference's worked example (B4): window 10..19 (W = 10), detection at 12:
    // y = −(19 − 12 + 1)/10 = −0.8, weight 0.9771068409. In time: onset day 10, failure day 20.
    expect(judgeSystemAlarms(failure('F', 't', 20, 10, [12])).nabWeight).toBeCloseTo(
      0.9771068409,
      9,
    );
    // At the onset a detection scores a whole A_TP, so a perfect early detector has weighted recall 1.
    const perfect = evaluateAlarms(
      [failure('A', 't', 20, 10, [10]), failure('B', 't', 30, 5, [5])],
      {
        reps: 10,
        weighting: 'nab',
      },
    );
    expect(perfect.metrics['event_recall_weighted']).toBe(1);
    expect(perfect.metrics['event_precision_weighted']).toBe(1);
  });

  it('uses NAB scaled sigmoid', () => {
    expect(nabScaledSigmoid(0)).toBe(0);
    expect(nabScaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
  });
});

describe('evaluateAlarms', () => {
  /** These alarms fall inside their systems' data, as a run's: F4 is unobservable. */
  const RUN = { alarmsInsideData: true } as const;
  const fleet: AlarmSystem[] = [
    failure('F1', 'thermal_runaway', 100, 80, [85]), // warning 15, delay 5
    failure('F2', 'thermal_runaway', 100, 95, [99.5]), // warning 0.5, delay 4.5
    failure('F3', 'cell_imbalance', 200, 150, []), // missed
    failure('F4', 'cell_imbalance', 200, 150, [], [0, 140]), // data ends before onset: unobservable in a run
    failure('F5', 'cell_imbalance', 200, 150, [120, 160]), // 120 early (false), warning 40, delay 10
    // A gap in the data does not shorten the span: first to last timestamp, 2 months.
    normal('N1', [10, 10, 30], [0, 2 * 30.44]), // 2 false alarms (the tie merges)
    normal('N2', [], [0, 30.44]), // 1 month, no alarm
  ];

  it('computes every metric as by hand', () => {
    const r = evaluateAlarms(fleet, { reps: 200, ...RUN });
    const m = r.metrics;
    expect(m['warning_days']).toBeCloseTo((15 + 0.5 + 40) / 3, 12);
    expect(m['median_warning_days']).toBe(15);
    expect(m['caught_with_1d_warning']).toBe(2 / 4);
    expect(m['caught_with_7d_warning']).toBe(2 / 4);
    expect(m['caught_with_30d_warning']).toBe(1 / 4);
    expect(m['event_recall']).toBe(3 / 4);
    expect(m['event_precision']).toBe(3 / (3 + 2 + 1));
    expect(m['false_alarms_per_system_month']).toBeCloseTo(2 / 3, 12);
    expect(m['detection_delay_days']).toBeCloseTo((5 + 4.5 + 10) / 3, 12);
    expect(r.counts).toMatchObject({
      failures: 5,
      unobservable: 1,
      caught: 3,
      normals: 2,
      false_alarms_on_normals: 2,
      false_alarms_on_failures: 1,
      alarms: 7,
    });
    expect(r.distributions.warning_days).toMatchObject({ n: 3, min: 0.5, median: 15, max: 40 });
    expect(r.undefined).toEqual({});
  });

  it('gives every metric an interval around its value, the same for the same seed', () => {
    const a = evaluateAlarms(fleet, { reps: 300, seed: 's' });
    for (const name of [
      'warning_days',
      'caught_with_7d_warning',
      'event_recall',
      'event_precision',
      'false_alarms_per_system_month',
    ]) {
      const ci = a.ci[name]!;
      expect(ci, name).not.toBeNull();
      expect(ci.low, name).toBeLessThanOrEqual(a.metrics[name]!);
      expect(ci.high, name).toBeGreaterThanOrEqual(a.metrics[name]!);
    }
    expect(a.ci['caught_with_7d_warning']!.method).toBe('wilson');
    expect(a.ci['warning_days']!.method).toBe('bootstrap');
    expect(evaluateAlarms(fleet, { reps: 300, seed: 's' })).toEqual(a);
  });

  it('breaks the failure-side metrics down by failure type', () => {
    const r = evaluateAlarms(fleet, { reps: 100, ...RUN });
    const byType = Object.fromEntries(r.breakdown.failure_type.map((c) => [c.stratum, c]));
    expect(byType['thermal_runaway']!.metrics['median_warning_days']).toBeCloseTo(7.75, 12);
    expect(byType['thermal_runaway']!.metrics['event_recall']).toBe(1);
    expect(byType['cell_imbalance']!.metrics['event_recall']).toBe(1 / 2);
    expect(byType['cell_imbalance']!.metrics['median_warning_days']).toBe(40);
    expect(byType['cell_imbalance']!.failures).toBe(3);
  });

  it('weights early detections the NAB way as an option', () => {
    const r = evaluateAlarms(fleet, { reps: 50, weighting: 'nab', ...RUN });
    const w = [85, 99.5, 160].map(
      (d, i) =>
        nabScaledSigmoid(
          (at(d) - at([100, 100, 200][i]!)) / (at([100, 100, 200][i]!) - at([80, 95, 150][i]!)),
        ) / nabScaledSigmoid(-1),
    );
    const sum = w.reduce((a, b) => a + b, 0);
    expect(r.metrics['event_recall_weighted']).toBeCloseTo(sum / 4, 12);
    expect(r.metrics['event_precision_weighted']).toBeCloseTo(sum / (sum + 3), 12);
    expect(evaluateAlarms(fleet, { reps: 50 }).metrics).not.toHaveProperty('event_recall_weighted');
  });

  it('leaves the failure metrics undefined with a reason on an all-normal set', () => {
    const r = evaluateAlarms([normal('N1', [1], [0, 30.44]), normal('N2', [], [0, 30.44])], {
      reps: 50,
    });
    expect(r.metrics['warning_days']).toBeNull();
    expect(r.undefined['warning_days']).toMatch(/no observable failure/);
    expect(r.metrics['event_recall']).toBeNull();
    expect(r.metrics['false_alarms_per_system_month']).toBeCloseTo(0.5, 12);
    expect(r.metrics['event_precision']).toBe(0);
  });

  it('leaves the false-alarm rate undefined with a reason on an all-anomaly set', () => {
    const r = evaluateAlarms([failure('F1', 't', 100, 80, [90]), failure('F2', 't', 100, 80, [])], {
      reps: 50,
    });
    expect(r.metrics['false_alarms_per_system_month']).toBeNull();
    expect(r.undefined['false_alarms_per_system_month']).toBe('no normal systems');
    expect(r.metrics['event_precision']).toBe(1);
    expect(r.metrics['event_recall']).toBe(0.5);
  });

  it('says why when no alarm was raised at all, and when a span is unknown', () => {
    const r = evaluateAlarms(
      [failure('F1', 't', 100, 80, []), { ...normal('N1', [], [0, 1]), spanEnd: NaN }],
      { reps: 50 },
    );
    expect(r.undefined['warning_days']).toMatch(/no failure was caught/);
    expect(r.undefined['event_precision']).toMatch(/no alarm/);
    expect(r.undefined['false_alarms_per_system_month']).toMatch(
      /span of 1 normal system is unknown.*N1/,
    );
    expect(r.metrics['caught_with_30d_warning']).toBe(0);
  });

  it('leaves anomalies without failure_at out of every metric', () => {
    const r = evaluateAlarms(
      [
        failure('F1', 't', 100, 80, [90]),
        { ...failure('F2', 't', 100, 80, [1]), failureAt: NaN, onsetAt: NaN },
      ],
      { reps: 50 },
    );
    expect(r.counts.failures_without_failure_at).toBe(1);
    expect(r.metrics['event_recall']).toBe(1);
    expect(r.metrics['event_precision']).toBe(1);
  });

  it('past BOOTSTRAP_MAX_UNITS switches to asymptotic intervals that agree with the bootstrap', () => {
    // Deterministic spread: normal i raises i mod 4 alarms over a span of 20–40 days.
    const normals = (n: number): AlarmSystem[] =>
      Array.from({ length: n }, (_, i) =>
        normal(
          `N${i}`,
          Array.from({ length: i % 4 }, (_, k) => 1 + k),
          [0, 20 + (i % 21)],
        ),
      );
    const failures = (n: number): AlarmSystem[] =>
      Array.from({ length: n }, (_, i) => failure(`F${i}`, 't', 100, 50, [100 - (i % 37)]));
    const small = evaluateAlarms(
      [...normals(BOOTSTRAP_MAX_UNITS), ...failures(BOOTSTRAP_MAX_UNITS)],
      { reps: 400 },
    );
    const big = evaluateAlarms(
      [...normals(BOOTSTRAP_MAX_UNITS + 1), ...failures(BOOTSTRAP_MAX_UNITS + 1)],
      { reps: 400 },
    );
    for (const [name, method] of [
      ['false_alarms_per_system_month', 'normal'],
      ['warning_days', 'normal'],
      ['median_warning_days', 'order_statistic'],
    ] as const) {
      expect(small.ci[name]!.method, name).toBe('bootstrap');
      const a = small.ci[name]!;
      const b = big.ci[name]!;
      expect(b.method, name).toBe(method);
      expect(b.low, name).toBeLessThanOrEqual(big.metrics[name]!);
      expect(b.high, name).toBeGreaterThanOrEqual(big.metrics[name]!);
      // One more unit moves nothing much: the two methods give nearly the same interval.
      const width = Math.max(a.high - a.low, 1e-9);
      expect(Math.abs(b.low - a.low), name).toBeLessThanOrEqual(0.25 * width + 1e-9);
      expect(Math.abs(b.high - a.high), name).toBeLessThanOrEqual(0.25 * width + 1e-9);
    }
  });
});
