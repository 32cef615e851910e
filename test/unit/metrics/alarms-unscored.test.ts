/**
 * A normal the model never scored was not watched for false alarms. It counted as alarm-free
 * observed time (p1 `blind`: 7 unscored test normals, 1.14 system-months, 0 false alarms, so
 * `false_alarms_per_system_month < 0.1` and `event_precision > 0.9` passed), and as a training
 * normal it pulled the alarm threshold down to -MAX_VALUE.
 */
import { describe, expect, it } from 'vitest';
import { alarmThreshold, evaluateAlarms, type AlarmSystem } from '../../../src/metrics/index.ts';

const D = 86_400_000;

const normal = (id: string, days: number, alarms: number[], unscored = false): AlarmSystem => ({
  systemId: id,
  failureType: 'none',
  anomaly: false,
  alarms: Float64Array.from(alarms),
  failureAt: NaN,
  onsetAt: NaN,
  spanStart: unscored ? NaN : 0,
  spanEnd: unscored ? NaN : days * D,
  ...(unscored ? { unscored: true } : {}),
});

const caught: AlarmSystem = {
  systemId: 'f',
  failureType: 'cooling_failure',
  anomaly: true,
  alarms: Float64Array.of(5 * D),
  failureAt: 10 * D,
  onsetAt: 0,
  spanStart: 0,
  spanEnd: 9 * D,
};

describe('evaluateAlarms with unscored normals', () => {
  it('leaves an unscored normal out of the false-alarm time', () => {
    const s = evaluateAlarms([caught, normal('a', 30.44, [D]), normal('b', 0, [], true)]);
    expect(s.metrics['false_alarms_per_system_month']).toBeCloseTo(1, 12);
    expect(s.counts.normal_system_months).toBeCloseTo(1, 12);
    expect(s.counts.normals).toBe(2);
    expect(s.metrics['event_precision']).toBe(0.5);
  });

  it('with no normal scored, the rate and event precision are undefined, with the reason', () => {
    const s = evaluateAlarms([caught, normal('a', 0, [], true), normal('b', 0, [], true)], {
      weighting: 'nab',
    });
    for (const name of [
      'false_alarms_per_system_month',
      'event_precision',
      'event_precision_weighted',
    ]) {
      expect(s.metrics[name], name).toBeNull();
      expect(s.undefined[name], name).toMatch(/no normal system was scored .* 2 normals/);
    }
    expect(s.ci['event_precision']).toBeNull();
    expect(s.metrics['event_recall']).toBe(1);
  });
});

/** A score series with one instant a second from 0. */
const series = (score: Float64Array) => ({
  t: Float64Array.from(score, (_, i) => i * 1000),
  score,
});

describe('alarmThreshold with unscored training normals', () => {
  it('leaves a normal with no scored instant out', () => {
    const scored = [series(Float64Array.of(1, 1, 1)), series(Float64Array.of(2, 2, 2))];
    const blind = series(Float64Array.of(NaN, NaN, NaN));
    expect(alarmThreshold([...scored, blind, blind, blind], 0.5, 2)).toBe(
      alarmThreshold(scored, 0.5, 2),
    );
    expect(alarmThreshold([...scored, blind], 0.5, 2)).toBeGreaterThan(-Number.MAX_VALUE);
  });

  it('is Infinity (nothing may alarm) when no training normal was scored', () => {
    expect(alarmThreshold([series(Float64Array.of(NaN)), series(Float64Array.of())], 0.05, 1)).toBe(
      Infinity,
    );
  });
});
