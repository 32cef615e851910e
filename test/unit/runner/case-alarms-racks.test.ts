/**
 * The windows of one rack are one alarm timeline: one failure event per rack failure, and a
 * normal rack's time and false alarms counted once. Judged window by window, a failing rack cut
 * into 5 windows was 5 failures caught by 5 alarms, and event precision 0.5 where it is 2/12.
 */
import { describe, expect, it } from 'vitest';
import type { LabelRow, SystemRecord } from '../../../src/data/types.ts';
import { mergeTimelines } from '../../../src/runner/alarm-units.ts';
import { caseAlarms } from '../../../src/runner/case-alarms.ts';
import type { OverTime } from '../../../src/runner/over-time.ts';

const H = 3_600_000;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();

interface Win {
  readonly record: SystemRecord;
  readonly overTime: OverTime;
}

/** Window k (one day, hourly instants) of `rack`; `hot(i)` says which instants score 1. */
function window(
  rack: string,
  k: number,
  label: Partial<LabelRow>,
  hot: (i: number) => boolean,
  mode = 'arbitrage',
): Win {
  const systemId = `${rack}-w${String(k).padStart(4, '0')}`;
  const t = Float64Array.from({ length: 24 }, (_, i) => k * D + i * H);
  return {
    record: {
      systemId,
      source: 'synthetic',
      label: {
        system_id: systemId,
        label: 'normal',
        failure_type: 'none',
        lead_time_days: null,
        source: 'synthetic',
        label_version: 1,
        ...label,
        // A window's lead time is from its own last sample to its rack's failure, as the
        // generator writes it (and as validate and the run check it against failure_at).
        ...(label.failure_at !== undefined
          ? {
              lead_time_days: Math.round(((Date.parse(label.failure_at) - t[23]!) / D) * 100) / 100,
            }
          : {}),
      } as LabelRow,
      metadata: {
        system_id: systemId,
        source: 'synthetic',
        operational_mode: mode,
        season: 'summer',
        scenario_tags: [],
        parent_system_id: rack,
      } as SystemRecord['metadata'],
      loadSeries: () => Promise.reject(new Error('not loaded')),
    },
    overTime: {
      t,
      score: Float64Array.from(t, (_, i) => (hot(i) ? 1 : 0)),
      spanStart: t[0]!,
      spanEnd: t[23]!,
    },
  };
}

const failing = (failureAt: number, onsetAt: number): Partial<LabelRow> => ({
  label: 'anomaly',
  failure_type: 'thermal_runaway',
  lead_time_days: 1,
  failure_at: iso(failureAt),
  onset_at: iso(onsetAt),
});

function run(windows: readonly Win[], strata = {}) {
  return caseAlarms(
    { overTime: windows.map((w) => w.overTime), threshold: 0.5 },
    windows.map((w) => w.record),
    { minDuration: 2, cooldownDays: 0.5 },
    'seed',
    strata,
  );
}

describe('caseAlarms on windows of racks', () => {
  // Two failing racks (every instant hot) and two normal racks (instants 10 and 11 of each day
  // hot: one alarm a day), 5 one-day windows each; the failures come a day after the data ends.
  const days = [0, 1, 2, 3, 4];
  const windows = [
    ...days.map((k) => window('fail-a', k, failing(6 * D, -30 * D), () => true)),
    ...days.map((k) => window('fail-b', k, failing(6 * D, -30 * D), () => true)),
    ...days.map((k) => window('norm-a', k, {}, (i) => i === 10 || i === 11)),
    ...days.map((k) => window('norm-b', k, {}, (i) => i === 10 || i === 11)),
  ];

  it('judges one failure per rack and counts a normal rack’s alarms and time once', () => {
    const { alarms } = run(windows);
    const s = alarms.summary;
    expect(s.counts).toMatchObject({
      systems: 4,
      normals: 2,
      failures: 2,
      caught: 2,
      false_alarms_on_normals: 10,
    });
    // Window by window: 10 failures, 10 caught, 10 false alarms, precision 0.5.
    expect(s.metrics['event_precision']).toBeCloseTo(2 / 12, 12);
    // The first alarm of each rack: the second hour of its first window, 6 days before failing.
    expect(s.per_failure.map((f) => [f.system_id, f.warning_days])).toEqual([
      ['fail-a', 6 - 1 / 24],
      ['fail-b', 6 - 1 / 24],
    ]);
    // Each normal rack observed from its first to its last instant, once.
    expect(s.counts.normal_system_months).toBeCloseTo((2 * (5 * D - H)) / D / 30.44, 12);
    expect(alarms.timelines.map((t) => t.systemId)).toEqual([
      'fail-a',
      'fail-b',
      'norm-a',
      'norm-b',
    ]);
  });

  it('a failing rack’s windows labelled normal (before its precursor) are its early alarms', () => {
    const early = [
      window('r', 0, {}, () => true),
      window('r', 1, failing(3 * D, 1 * D), () => true),
      window('r', 2, failing(3 * D, 1 * D), () => true),
      ...days.map((k) => window('n', k, {}, () => false)),
    ];
    const s = run(early).alarms.summary;
    expect(s.counts).toMatchObject({ failures: 1, normals: 1, caught: 1 });
    // Day 0's alarms (at 1 h and, after the 12 h cooldown, 14 h) come before the onset: false.
    expect(s.counts.false_alarms_on_failures).toBe(2);
    // The first alarm inside [onset, failure]: 13 h after the one at 14 h.
    expect(s.per_failure[0]!.detection_at).toBe(27 * H);
  });

  it('windows naming two failure_at values are two events of the rack', () => {
    const twice = [
      window('r', 0, failing(1 * D, 0), (i) => i === 5 || i === 6),
      window('r', 1, failing(3 * D, 2 * D), () => false),
      window('r', 2, failing(3 * D, 2 * D), (i) => i === 5 || i === 6),
    ];
    const s = run(twice).alarms.summary;
    expect(s.counts).toMatchObject({ systems: 2, failures: 2, caught: 2 });
    expect(s.per_failure.map((f) => f.detection_at)).toEqual([6 * H, 2 * D + 6 * H]);
  });

  it('breaks a rack down by its windows’ value, once', () => {
    const strata = { operational_mode: windows.map((w) => w.record.metadata.operational_mode) };
    const cell = run(windows, strata).cells['operational_mode']!.get('arbitrage')!;
    expect(cell.metrics['event_precision']).toBeCloseTo(2 / 12, 12);
  });

  it('systems without a parent are judged one by one, as before', () => {
    const alone = windows.slice(0, 2).map((w) => ({
      ...w,
      record: { ...w.record, metadata: { ...w.record.metadata, parent_system_id: undefined } },
    }));
    expect(run(alone).alarms.summary.counts).toMatchObject({ systems: 2, failures: 2 });
  });
});

describe('caseAlarms: labels that disagree with their series', () => {
  it('refuses a failure_at before the data (a year typed wrong), as validate does, not judge alarms from it', () => {
    const wrongYear = window(
      'bad',
      3,
      { label: 'anomaly', failure_type: 'thermal_runaway', failure_at: iso(-365 * D) },
      () => true,
    );
    const ok = window('good', 0, {}, () => false);
    expect(() => run([wrongYear, ok])).toThrow(
      /^1 anomaly label\(s\) disagree with their series, so their alarms cannot be judged: failure_at 1969-01-01T00:00:00\.000Z is 368\.0 days before the first sample of bad-w0003/,
    );
  });
});

describe('mergeTimelines', () => {
  it('keeps an instant two overlapping windows share once, with its highest score', () => {
    const a = {
      t: Float64Array.of(0, 1, 2),
      score: Float64Array.of(0, NaN, 5),
      spanStart: 0,
      spanEnd: 2,
    };
    const b = {
      t: Float64Array.of(1, 2, 3),
      score: Float64Array.of(4, 1, NaN),
      spanStart: 1,
      spanEnd: 3,
    };
    const m = mergeTimelines([b, a]);
    expect(Array.from(m.t)).toEqual([0, 1, 2, 3]);
    expect(Array.from(m.score)).toEqual([0, 4, 5, NaN]);
    expect([m.spanStart, m.spanEnd]).toEqual([0, 3]);
  });
});

describe('caseAlarms: a normal’s observed time is what the model scored', () => {
  const alone = (w: Win, score: (i: number) => number): Win => ({
    record: { ...w.record, metadata: { ...w.record.metadata, parent_system_id: undefined } },
    overTime: { ...w.overTime, score: Float64Array.from(w.overTime.score, (_, i) => score(i)) },
  });
  const fail = alone(
    window('f', 0, failing(2 * D, 0), () => true),
    () => 1,
  );

  it('counts a normal from its first to its last scored instant, and an unscored one not at all', () => {
    const half = alone(
      window('n', 0, {}, () => false),
      (i) => (i >= 12 && i <= 18 ? 0 : NaN),
    );
    const blind = alone(
      window('m', 0, {}, () => false),
      () => NaN,
    );
    const s = run([fail, half, blind]).alarms.summary;
    // Was 2 × 23 h (each series' span).
    expect(s.counts.normal_system_months).toBeCloseTo(6 / 24 / 30.44, 12);
    expect(s.metrics['false_alarms_per_system_month']).toBe(0);
  });

  it('with no test normal scored, the false-alarm rate and event precision are undefined', () => {
    const blind = alone(
      window('m', 0, {}, () => false),
      () => NaN,
    );
    const s = run([fail, blind]).alarms.summary;
    expect(s.metrics['false_alarms_per_system_month']).toBeNull();
    expect(s.metrics['event_precision']).toBeNull();
    expect(s.undefined['event_precision']).toMatch(/no normal system was scored/);
  });
});
