/**
 * Tied instants of a score over time (one score per string at one timestamp) are one moment, on
 * a system as on a rack. A system's run counted them one by one, so one hot moment emitted
 * three times fired an alarm with minDuration 3 (1.7 false alarms per system-month), while the
 * same series as a one-window rack was merged first (mergeTimelines) and raised none.
 */
import { describe, expect, it } from 'vitest';
import type { LabelRow, SystemRecord } from '../../../src/data/types.ts';
import { caseAlarms, noAlarmPossible } from '../../../src/runner/case-alarms.ts';
import type { OverTime } from '../../../src/runner/over-time.ts';

const H = 3_600_000;

/** A normal system scored `copies` times at each of 24 hourly instants, hot at `hotHour` only. */
function tripled(id: string, rack: string | undefined, hotHour: number, copies = 3) {
  const hours = Array.from({ length: 24 }, (_, i) => i);
  const t = Float64Array.from(hours.flatMap((h) => Array<number>(copies).fill(h * H)));
  const overTime: OverTime = {
    t,
    score: Float64Array.from(t, (x) => (x === hotHour * H ? 1 : 0)),
    spanStart: 0,
    spanEnd: 23 * H,
  };
  const record: SystemRecord = {
    systemId: id,
    source: 'synthetic',
    label: {
      system_id: id,
      label: 'normal',
      failure_type: 'none',
      lead_time_days: null,
      source: 'synthetic',
      label_version: 1,
    } as LabelRow,
    metadata: {
      system_id: id,
      source: 'synthetic',
      operational_mode: 'arbitrage',
      season: 'summer',
      scenario_tags: [],
      ...(rack !== undefined ? { parent_system_id: rack } : {}),
    } as SystemRecord['metadata'],
    loadSeries: () => Promise.reject(new Error('not loaded')),
  };
  return { overTime, record };
}

function judge(systems: readonly ReturnType<typeof tripled>[]) {
  return caseAlarms(
    { overTime: systems.map((s) => s.overTime), threshold: 0.5 },
    systems.map((s) => s.record),
    { minDuration: 3, cooldownDays: 0 },
    'seed',
  ).alarms.summary;
}

describe('caseAlarms: tied instants', () => {
  it('one hot moment emitted three times raises no alarm with minDuration 3, alone or as a rack', () => {
    const alone = judge([tripled('S1', undefined, 10), tripled('S2', undefined, 99)]);
    const rack = judge([tripled('S1-w0', 'S1', 10), tripled('S2-w0', 'S2', 99)]);
    expect(alone.counts.alarms).toBe(0);
    expect(alone.metrics['false_alarms_per_system_month']).toBe(0);
    expect(alone.counts).toEqual(rack.counts);
    expect(alone.metrics).toEqual(rack.metrics);
  });
});

describe('noAlarmPossible', () => {
  it('counts tied instants as one: three scores at one timestamp are no run of three', () => {
    const once = { t: Float64Array.of(0, 0, 0), score: Float64Array.of(1, 1, 1) };
    expect(noAlarmPossible([{ ...once, spanStart: 0, spanEnd: 0 }], 0.5, 3)).toMatch(
      /no alarm could fire: .* 3 scored instants in a row .* the most is 1/,
    );
    const three = { t: Float64Array.of(0, 1, 1, 2), score: Float64Array.of(1, NaN, 1, 1) };
    expect(noAlarmPossible([{ ...three, spanStart: 0, spanEnd: 2 }], 0.5, 3)).toBeNull();
  });
});
