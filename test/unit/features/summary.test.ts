import { describe, expect, it } from 'vitest';
import { SENSORS } from '../../../src/data/schema.ts';
import type { SystemSeries } from '../../../src/data/types.ts';
import {
  percentileOfFinite,
  SUMMARY_FEATURE_NAMES,
  summarizeSeries,
} from '../../../src/features/index.ts';
import { sharedFleet } from '../plugins/fleet.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

/** Hourly samples over `days` days; every sensor given by `f(sensor, dayOffset, i)`. */
function series(days: number, f: (sensor: string, d: number, i: number) => number): SystemSeries {
  const n = days * 24 + 1;
  const timestamps = new Float64Array(n);
  const sensors: Record<string, Float64Array> = {};
  for (const s of SENSORS) sensors[s] = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = T0 + i * 3_600_000;
    for (const s of SENSORS) sensors[s]![i] = f(s, i / 24, i);
  }
  return { systemId: 'hand', source: 'synthetic', timestamps, sensors };
}

function feature(values: Float64Array, name: string): number {
  const i = SUMMARY_FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`no feature ${name}`);
  return values[i]!;
}

describe('summarizeSeries', () => {
  it('names every channel × statistic plus the cross-channel features', () => {
    expect(SUMMARY_FEATURE_NAMES).toHaveLength(11 * 6 + 4);
    expect(new Set(SUMMARY_FEATURE_NAMES).size).toBe(SUMMARY_FEATURE_NAMES.length);
    const { names, values } = summarizeSeries(series(2, () => 1));
    expect(names).toBe(SUMMARY_FEATURE_NAMES);
    expect(values).toHaveLength(names.length);
  });

  it('computes exact mean, std, extremes, slope and day difference of a linear ramp', () => {
    // voltage = 700 + 3·day: slope 3 /day; over 4 days, last-day mean − first-day mean = 3 × 3 days.
    const { values } = summarizeSeries(series(4, (s, d) => (s === 'voltage_v' ? 700 + 3 * d : 10)));
    expect(feature(values, 'voltage_v:mean')).toBeCloseTo(706, 10);
    expect(feature(values, 'voltage_v:min')).toBe(700);
    expect(feature(values, 'voltage_v:max')).toBe(712);
    expect(feature(values, 'voltage_v:slope')).toBeCloseTo(3, 10);
    // Population sd of an evenly spaced ramp over N points: step·sqrt((N² − 1)/12).
    const n = 97;
    expect(feature(values, 'voltage_v:std')).toBeCloseTo(
      (3 / 24) * Math.sqrt((n * n - 1) / 12),
      10,
    );
    // First day: hours 0–23 (mean day 11.5/24); last day: hours 73–96 (mean day 84.5/24).
    expect(feature(values, 'voltage_v:last_minus_first_day')).toBeCloseTo(
      (3 * (84.5 - 11.5)) / 24,
      10,
    );
    expect(feature(values, 'current_a:std')).toBe(0);
    expect(feature(values, 'current_a:slope')).toBe(0);
  });

  it('computes the derived channels and the cross-channel features', () => {
    const s = series(2, (name, d, i) => {
      switch (name) {
        case 'cell_voltage_max_v':
          return 3.4;
        case 'cell_voltage_min_v':
          return 3.39 - (i % 2) * 0.01; // ΔV alternates 10, 20 mV
        case 'current_a':
          return i % 2 === 0 ? 0 : 100; // rest on even rows (ΔV 10 mV)
        case 'temp_cell_max_c':
          return 30 + d;
        case 'temp_cell_min_c':
          return 28;
        case 'temp_ambient_c':
          return 25;
        default:
          return 1;
      }
    });
    const { values } = summarizeSeries(s);
    expect(feature(values, 'cell_delta_v_mv:mean')).toBeCloseTo((25 * 10 + 24 * 20) / 49, 9);
    expect(feature(values, 'cell_delta_v_mv:rest_mean')).toBeCloseTo(10, 9);
    expect(feature(values, 'cell_delta_v_mv:p95')).toBeCloseTo(20, 9);
    expect(feature(values, 'temp_spread_c:min')).toBeCloseTo(2, 12);
    expect(feature(values, 'temp_spread_c:slope')).toBeCloseTo(1, 10);
    expect(feature(values, 'temp_rise_c:mean')).toBeCloseTo(6, 10);
    expect(feature(values, 'temp_rise_c:max')).toBeCloseTo(7, 10);
    // A derived column the series already carries is used as is.
    const carried = {
      ...s,
      sensors: { ...s.sensors, temp_spread_c: new Float64Array(s.timestamps.length).fill(9) },
    };
    expect(feature(summarizeSeries(carried).values, 'temp_spread_c:mean')).toBe(9);
  });

  it('skips NaN gaps', () => {
    const clean = series(3, (s, d) => (s === 'soc_pct' ? 50 + 2 * d : 1));
    const gappy = series(3, (s, d, i) => (s === 'soc_pct' ? (i % 3 === 1 ? NaN : 50 + 2 * d) : 1));
    const a = summarizeSeries(clean).values;
    const b = summarizeSeries(gappy).values;
    expect(feature(b, 'soc_pct:slope')).toBeCloseTo(2, 10);
    expect(feature(b, 'soc_pct:min')).toBe(50);
    expect(feature(b, 'soc_pct:mean')).toBeCloseTo(feature(a, 'soc_pct:mean'), 1);
    for (const v of b) expect(Number.isNaN(v)).toBe(false);
  });

  it('gives NaN features, not a crash, for an all-NaN sensor, an absent sensor or an empty series', () => {
    const s = series(2, (name) => (name === 'temp_ambient_c' ? NaN : 1));
    const { cell_voltage_min_v: _, ...rest } = s.sensors;
    const { values } = summarizeSeries({ ...s, sensors: rest });
    for (const stat of ['mean', 'std', 'max', 'min', 'slope', 'last_minus_first_day']) {
      expect(feature(values, `temp_ambient_c:${stat}`)).toBeNaN();
      expect(feature(values, `cell_voltage_min_v:${stat}`)).toBeNaN();
      expect(feature(values, `cell_delta_v_mv:${stat}`)).toBeNaN();
    }
    expect(feature(values, 'temp_rise_c:mean')).toBeNaN();
    expect(feature(values, 'cell_delta_v_mv:p95')).toBeNaN();
    expect(feature(values, 'voltage_v:mean')).toBe(1);
    const empty = summarizeSeries({
      systemId: 'e',
      source: 'synthetic',
      timestamps: new Float64Array(0),
      sensors: {},
    });
    for (const v of empty.values) expect(v).toBeNaN();
    const single = summarizeSeries(series(0, () => 4));
    expect(feature(single.values, 'voltage_v:std')).toBe(0);
    expect(feature(single.values, 'voltage_v:slope')).toBeNaN();
  });

  it('summarizes a generated system without NaN in its always-present features', () => {
    const { fleet } = sharedFleet();
    const sys = fleet.systems.find((s) => s.record.metadata.scenario_tags.length === 0)!;
    const { values } = summarizeSeries(sys.series());
    for (const v of values) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('percentileOfFinite', () => {
  it('matches the type-7 quantile and skips NaN', () => {
    const col = Float64Array.from([5, NaN, 1, 4, 2, 3, NaN]);
    expect(percentileOfFinite(col, 0)).toBe(1);
    expect(percentileOfFinite(col, 1)).toBe(5);
    expect(percentileOfFinite(col, 0.5)).toBe(3);
    expect(percentileOfFinite(col, 0.95)).toBeCloseTo(4.8, 12);
    expect(percentileOfFinite(Float64Array.from([NaN]), 0.5)).toBeNaN();
  });

  it('agrees with sorting on many random arrays', () => {
    let x = 12345;
    const next = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(next() * 60);
      const col = Float64Array.from({ length: n }, () => Math.floor(next() * 10)); // many ties
      const q = next();
      const sorted = [...col].sort((a, b) => a - b);
      const h = (n - 1) * q;
      const lo = Math.floor(h);
      const expected =
        sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, n - 1)] ?? 0) - sorted[lo]!);
      expect(percentileOfFinite(col, q)).toBeCloseTo(expected, 12);
    }
  });
});
