/**
 * The runner's side of `scoreOverTime` (score.ts, cross-validate.ts), in this process on an
 * in-memory fleet: what it keeps, how a bad result errors the case with a message naming the
 * system, a plugin that declines (null), and the alarm threshold from the training normals.
 */
import { describe, expect, it } from 'vitest';
import { datasetOf, inMemoryRecord } from '../../../src/data/in-memory.ts';
import type { SystemRecord, SystemSeries } from '../../../src/data/types.ts';
import { defineModel, type ModelPlugin, type ScoresOverTime } from '../../../src/plugin/index.ts';
import { scoreSplits } from '../../../src/runner/cross-validate.ts';

const H = 3_600_000;

function system(id: string, anomaly: boolean, level: number): SystemRecord {
  const series: SystemSeries = {
    systemId: id,
    source: 'synthetic',
    timestamps: Float64Array.from({ length: 10 }, (_, i) => i * H),
    sensors: { temp_cell_max_c: new Float64Array(10).fill(level) },
  };
  return inMemoryRecord(
    {
      system_id: id,
      label: anomaly ? 'anomaly' : 'normal',
      failure_type: anomaly ? 'cooling_failure' : 'none',
      lead_time_days: anomaly ? 1 : null,
      source: 'synthetic',
      label_version: 1,
    },
    {
      system_id: id,
      source: 'synthetic',
      operational_mode: 'backup',
      season: 'winter',
      scenario_tags: [],
    },
    series,
  );
}

/** Training normals at levels 1…20, test systems at 5 and 30. */
const train = Array.from({ length: 20 }, (_, i) => system(`n-${i + 1}`, false, i + 1));
const test = [system('t-low', false, 5), system('t-high', true, 30)];

const level = (s: SystemSeries) => s.sensors.temp_cell_max_c![0]!;

function plugin(overTime: (s: SystemSeries) => ScoresOverTime | null | unknown): ModelPlugin {
  return defineModel({
    name: 'p',
    version: '1',
    score: level,
    scoreOverTime: (s) => overTime(s) as ScoresOverTime | null,
  });
}

const run = (p: ModelPlugin) =>
  scoreSplits(
    [p],
    [{ train, test }],
    { kind: 'train_fpr', fpr: 0.1 },
    {
      seedFor: () => 's',
      timeoutMs: 5000,
      dataset: datasetOf([...train, ...test]),
      alarms: { minDuration: 2, cooldownDays: 1 },
    },
  );

describe('scoreOverTime in the runner', () => {
  it('keeps each test system’s score over time and sets the alarm threshold on the training normals’ peaks', async () => {
    // Each system's level at every other hour, NaN between: runs of 1, so that only the
    // last instant pair (both scored) can hold a run of 2.
    const { runs } = await run(
      plugin((s) => ({ t: [0, H, 2 * H], score: [NaN, level(s), level(s)] })),
    );
    const r = runs[0]!;
    expect(r.error).toBeNull();
    // Peaks 1…20; fpr 0.1 lets 2 of 20 alarm: threshold 19 (as the one-score rule on the same numbers).
    expect(r.alarmInput!.threshold).toBe(19);
    expect(r.alarmInput!.overTime.map((o) => Array.from(o!.score))).toEqual([
      [NaN, 5, 5],
      [NaN, 30, 30],
    ]);
    expect(r.alarmInput!.overTime[1]).toMatchObject({ spanStart: 0, spanEnd: 9 * H });
  });

  it.each([
    [{ t: [0, H], score: [1] }, 'scoreOverTime(n-1): returned 2 instants and 1 scores'],
    [
      { t: [H, 0], score: [1, 1] },
      'scoreOverTime(n-1): t[1] = 1970-01-01T00:00:00.000Z is before t[0]',
    ],
    [{ t: [0, 20 * H], score: [1, 1] }, "is outside the series' span"],
    [{ t: [0], score: [Infinity] }, 'score[0] is Infinity'],
    [{ t: [NaN], score: [1] }, 't[0] is NaN'],
    [[1, 2], 'scoreOverTime(n-1): returned an object with keys 0, 1; it must return { t, score }'],
  ])('a bad result errors the case: %j', async (bad, message) => {
    const { runs } = await run(plugin(() => bad));
    expect(runs[0]!.error).toContain(message);
    expect(runs[0]!.alarmInput).toBeUndefined();
  });

  it('a throw is the case’s error, prefixed with the call and the system', async () => {
    const { runs } = await run(
      plugin((s) => {
        if (s.systemId === 't-high') throw new Error('no windows');
        return { t: [0], score: [0] };
      }),
    );
    expect(runs[0]!.error).toBe('scoreOverTime(t-high): no windows');
  });

  it('with k folds, each fold’s scores over time are margins over its own threshold, judged at 0', async () => {
    const folds = [
      { train: train.slice(0, 10), test: [test[0]!] },
      { train: train.slice(10), test: [test[1]!] },
    ];
    const { runs } = await scoreSplits(
      [plugin((s) => ({ t: [0, H], score: [level(s), level(s)] }))],
      folds,
      { kind: 'train_fpr', fpr: 0 },
      {
        seedFor: () => 's',
        timeoutMs: 5000,
        dataset: datasetOf([...train, ...test]),
        alarms: { minDuration: 2, cooldownDays: 1 },
      },
    );
    const input = runs[0]!.alarmInput!;
    expect(input.threshold).toBe(0);
    // fpr 0: no training normal may alarm, so each threshold is just above its highest peak
    // (10, then 20): test levels 5 and 30 become margins 5 − nextUp(10) and 30 − nextUp(20).
    const margins = input.overTime.map((o) => o!.score[0]!);
    expect(margins[0]).toBeCloseTo(-5, 9);
    expect(margins[0]).toBeLessThan(-5);
    expect(margins[1]).toBeCloseTo(10, 9);
    expect(margins[1]).toBeLessThan(10);
  });

  it('without alarms nothing is scored over time', async () => {
    let calls = 0;
    const p = plugin(() => {
      calls++;
      return { t: [0], score: [0] };
    });
    const { runs } = await scoreSplits(
      [p],
      [{ train, test }],
      { kind: 'train_fpr', fpr: 0.1 },
      {
        seedFor: () => 's',
        timeoutMs: 5000,
        dataset: datasetOf([...train, ...test]),
      },
    );
    expect(runs[0]!.alarmInput).toBeUndefined();
    expect(calls).toBe(0);
  });

  it('null on the first system: no score over time, and the case is scored without alarms', async () => {
    let calls = 0;
    const { runs } = await run(
      plugin(() => {
        calls++;
        return null;
      }),
    );
    expect(runs[0]!.error).toBeNull();
    expect(runs[0]!.alarmInput).toBeUndefined();
    expect(calls).toBe(1);
  });
});
