import { describe, expect, it } from 'vitest';
import {
  alarmBreakdown,
  evaluateAlarms,
  MISSING_STRATUM,
  type AlarmSystem,
} from '../../../src/metrics/index.ts';

const DAY = 86_400_000;

const system = (id: string, anomaly: boolean, alarmDays: number[]): AlarmSystem => ({
  systemId: id,
  failureType: anomaly ? 'short' : 'none',
  anomaly,
  alarms: Float64Array.from(alarmDays, (d) => d * DAY),
  failureAt: anomaly ? 20 * DAY : NaN,
  onsetAt: anomaly ? 5 * DAY : NaN,
  spanStart: 0,
  spanEnd: 30 * DAY,
});

// a: failure warned 10 d ahead; b: failure missed; c: normal, 2 alarms; d: normal, none.
const systems = [
  system('a', true, [10]),
  system('b', true, []),
  system('c', false, [3, 9]),
  system('d', false, []),
];

describe('alarmBreakdown', () => {
  it('judges each stratum on its own systems, as evaluateAlarms on that subset', () => {
    const mode = ['peak', 'fr', 'peak', 'fr'];
    const cells = alarmBreakdown('operational_mode', systems, (k) => mode[k], { seed: 's' });
    expect(cells.map((c) => [c.stratum, c.systems])).toEqual([
      ['fr', 2],
      ['peak', 2],
    ]);
    const peak = cells[1]!;
    // Hand count: a warned 10 days ahead; c raised 2 false alarms in 30 days of data.
    expect(peak.metrics['median_warning_days']).toBe(10);
    expect(peak.metrics['false_alarms_per_system_month']).toBeCloseTo(2 / (30 / 30.44), 12);
    expect(peak).toMatchObject(
      (({ metrics, ci, undefined: u }) => ({ metrics, ci, undefined: u }))(
        evaluateAlarms([systems[0]!, systems[2]!], { seed: 's:operational_mode=peak' }),
      ),
    );
    // fr: b missed and d silent: nothing caught, no false alarm.
    expect(cells[0]!.metrics['caught_with_7d_warning']).toBe(0);
    expect(cells[0]!.metrics['false_alarms_per_system_month']).toBe(0);
  });

  it('puts a system in each of its values, and one without a value in (missing)', () => {
    const tags: (readonly string[] | null)[] = [['x', 'y', 'x'], [], null, ['y']];
    const cells = alarmBreakdown('scenario_tags', systems, (k) => tags[k]);
    expect(cells.map((c) => [c.stratum, c.systems])).toEqual([
      [MISSING_STRATUM, 2],
      ['x', 1],
      ['y', 2],
    ]);
    // A stratum of failures only has no false-alarm rate; one of normals only no warning time.
    expect(cells[1]!.metrics['false_alarms_per_system_month']).toBeNull();
    expect(cells[1]!.undefined['false_alarms_per_system_month']).toBeTruthy();
    const normalsOnly = alarmBreakdown('k', systems, (k) => (k >= 2 ? 'n' : 'f'))[1]!;
    expect(normalsOnly.stratum).toBe('n');
    expect(normalsOnly.metrics['median_warning_days']).toBeNull();
  });
});
