import { describe, expect, it } from 'vitest';
import { SENSORS } from '../../../src/data/schema.ts';
import type { SystemSeries } from '../../../src/data/types.ts';
import {
  estimateCellsInSeries,
  percentileOfFinite,
  SUMMARY_FEATURE_DIRECTIONS,
  SUMMARY_FEATURE_NAMES,
  SUMMARY_FEATURES,
  summarizeSeries,
} from '../../../src/features/index.ts';
import { sharedFleet } from '../plugins/fleet.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

/** Samples every `stepMs` for `hours` hours; every sensor given by `f(sensor, hoursFromStart, i)`. */
function series(
  hours: number,
  f: (sensor: string, h: number, i: number) => number,
  stepMs = HOUR,
): SystemSeries {
  const n = Math.round((hours * HOUR) / stepMs) + 1;
  const timestamps = new Float64Array(n);
  const sensors: Record<string, Float64Array> = {};
  for (const s of SENSORS) sensors[s] = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = T0 + i * stepMs;
    for (const s of SENSORS) sensors[s]![i] = f(s, (i * stepMs) / HOUR, i);
  }
  return { systemId: 'hand', source: 'synthetic', timestamps, sensors };
}

function feature(values: Float64Array, name: string): number {
  const i = SUMMARY_FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`no feature ${name}`);
  return values[i]!;
}

/** A healthy-looking pack of `cells` cells: cell voltage 3.3 V, ΔV 10 mV, current i. */
function pack(
  cells: number,
  current: (i: number) => number,
): (s: string, h: number, i: number) => number {
  return (s, _h, i) => {
    switch (s) {
      case 'voltage_v':
        return cells * 3.3;
      case 'current_a':
        return current(i);
      case 'cell_voltage_max_v':
        return 3.305;
      case 'cell_voltage_min_v':
        return 3.295;
      default:
        return 20;
    }
  };
}

describe('summarizeSeries', () => {
  it('names every feature once, each with the side a fault pushes it to', () => {
    expect(SUMMARY_FEATURE_NAMES).toHaveLength(SUMMARY_FEATURES.length);
    expect(new Set(SUMMARY_FEATURE_NAMES).size).toBe(SUMMARY_FEATURE_NAMES.length);
    for (const d of SUMMARY_FEATURE_DIRECTIONS) expect(['high', 'low', 'both']).toContain(d);
    // Nothing per day or summed over time is left.
    for (const n of SUMMARY_FEATURE_NAMES) expect(n).not.toMatch(/slope|day|mean|std|max$|min$/);
    const { names, values } = summarizeSeries(series(48, () => 1));
    expect(names).toBe(SUMMARY_FEATURE_NAMES);
    expect(values).toHaveLength(names.length);
  });

  it('computes exact quantiles, spread and quarter drift of a linear ramp', () => {
    // ΔV = 10 + h mV over 96 h, hourly: 97 samples 10…106.
    const s = series(96, (name, h) =>
      name === 'cell_voltage_max_v'
        ? 3.3 + (10 + h) / 1000
        : name === 'cell_voltage_min_v'
          ? 3.3
          : 1,
    );
    const { values } = summarizeSeries(s);
    expect(feature(values, 'cell_delta_v_mv:p50')).toBeCloseTo(58, 6);
    expect(feature(values, 'cell_delta_v_mv:p95')).toBeCloseTo(10 + 0.95 * 96, 6);
    // First quarter: h 0–24 (median 12); last quarter: h 72–96 (median 84).
    expect(feature(values, 'cell_delta_v_mv:drift')).toBeCloseTo(72, 6);
    // Every sample is at rest (1 A, no capacity): the drift at rest is the same.
    expect(feature(values, 'cell_delta_v_mv:rest_drift')).toBeCloseTo(72, 6);
  });

  it('does not depend on the length of a stationary series: an hour and a month agree', () => {
    // Every channel cycles with a 10-minute period, sampled each minute: any whole number of
    // periods has the same quantiles, and a stationary drift is 0 for an hour as for a month.
    const f = (name: string, h: number, i: number): number => {
      const phase = Math.sin((2 * Math.PI * (i % 10)) / 10);
      if (name === 'voltage_v') return 240 * (3.3 + 0.05 * phase);
      if (name === 'current_a') return 100 * phase;
      if (name === 'cell_voltage_max_v') return 3.3 + 0.05 * phase + 0.004;
      if (name === 'cell_voltage_min_v') return 3.3 + 0.05 * phase - 0.004 - 0.002 * phase ** 2;
      if (name === 'insulation_resistance_kohm') return 5000;
      return (
        25 +
        2 * phase +
        (name === 'temp_ambient_c' ? -3 : 0) +
        (name === 'temp_cell_min_c' ? -1 : 0)
      );
    };
    const ctx = { capacityKwh: 224 };
    const hour = summarizeSeries(series(1, f, 60_000), ctx).values;
    const month = summarizeSeries(series(30 * 24, f, 60_000), ctx).values;
    SUMMARY_FEATURE_NAMES.forEach((name, j) => {
      if (Number.isNaN(month[j]!)) expect(hour[j], name).toBeNaN();
      else expect(hour[j], name).toBeCloseTo(month[j]!, 1);
    });
    expect(feature(month, 'cell_delta_v_mv:drift')).toBeCloseTo(0, 9);
  });

  it('is per cell: packs of 180 and 240 cells of one kind give the same features', () => {
    expect(
      estimateCellsInSeries(
        series(
          24,
          pack(240, () => 0),
        ),
      ),
    ).toBe(240);
    expect(
      estimateCellsInSeries(
        series(
          24,
          pack(180, () => 0),
        ),
      ),
    ).toBe(180);
    // Same current through cells of the same capacity: the same C-rate.
    const big = summarizeSeries(
      series(
        24,
        pack(240, (i) => (i % 2) * 60),
      ),
      { capacityKwh: 280 },
    );
    const small = summarizeSeries(
      series(
        24,
        pack(180, (i) => (i % 2) * 60),
      ),
      { capacityKwh: 210 },
    );
    SUMMARY_FEATURE_NAMES.forEach((name, j) => {
      if (Number.isNaN(big.values[j]!)) expect(small.values[j], name).toBeNaN();
      else expect(small.values[j], name).toBeCloseTo(big.values[j]!, 9);
    });
    expect(feature(big.values, 'volts_per_cell:p95')).toBeCloseTo(3.3, 12);
    // 60 A × 792 V / 280 kWh = 0.1697 /h.
    expect(feature(big.values, 'c_rate:p95')).toBeCloseTo((60 * 792) / 280_000, 9);
  });

  it('splits ΔV at rest and under load by C-rate, or by current without a capacity', () => {
    // Odd rows at 0.5C with ΔV 30 mV, even rows at rest with ΔV 10 mV.
    const s = series(24, (name, _h, i) => {
      if (name === 'voltage_v') return 800;
      if (name === 'current_a') return i % 2 === 1 ? 140 : 0; // 140 A × 800 V / 224 kWh = 0.5C
      if (name === 'cell_voltage_max_v') return 3.3 + (i % 2 === 1 ? 0.03 : 0.01);
      if (name === 'cell_voltage_min_v') return 3.3;
      return 20;
    });
    const withCap = summarizeSeries(s, { capacityKwh: 224 }).values;
    expect(feature(withCap, 'cell_delta_v_mv:rest_p50')).toBeCloseTo(10, 9);
    expect(feature(withCap, 'cell_delta_v_mv:load_p50')).toBeCloseTo(30, 9);
    const without = summarizeSeries(s).values;
    expect(feature(without, 'cell_delta_v_mv:rest_p50')).toBeCloseTo(10, 9);
    expect(feature(without, 'cell_delta_v_mv:load_p50')).toBeNaN();
    expect(feature(without, 'c_rate:p95')).toBeNaN();
  });

  it('reads ΔV on the SOC plateau, or everywhere when the series never reaches it', () => {
    // Even rows rest at 50 % SOC with ΔV 5 mV, odd rows rest at 10 % SOC with ΔV 100 mV.
    const f = (low: (i: number) => boolean) =>
      series(48, (name, _h, i) => {
        if (name === 'soc_pct') return low(i) ? 10 : 50;
        if (name === 'voltage_v') return 800;
        if (name === 'current_a') return 0;
        if (name === 'cell_voltage_max_v') return 3.3 + (low(i) ? 0.1 : 0.005);
        if (name === 'cell_voltage_min_v') return 3.3;
        return 20;
      });
    const mixed = summarizeSeries(
      f((i) => i % 2 === 1),
      { capacityKwh: 224 },
    ).values;
    for (const name of ['p50', 'p95', 'p99', 'rest_p50'])
      expect(feature(mixed, `cell_delta_v_mv:${name}`), name).toBeCloseTo(5, 9);
    expect(feature(mixed, 'cell_delta_v_mv:rest_drift')).toBeCloseTo(0, 9);
    // Only low SOC: no plateau to read, so every reading counts.
    const low = summarizeSeries(
      f(() => true),
      { capacityKwh: 224 },
    ).values;
    expect(feature(low, 'cell_delta_v_mv:p50')).toBeCloseTo(100, 9);
  });

  it('gives NaN features, not a crash, for an all-NaN sensor, an absent sensor or an empty series', () => {
    const s = series(48, (name) => (name === 'temp_ambient_c' ? NaN : 1));
    const { cell_voltage_min_v: _, ...rest } = s.sensors;
    const { values } = summarizeSeries({ ...s, sensors: rest });
    expect(feature(values, 'temp_rise_c:p50')).toBeNaN();
    expect(feature(values, 'cell_voltage_min_v:p05')).toBeNaN();
    expect(feature(values, 'cell_delta_v_mv:p50')).toBeNaN();
    expect(feature(values, 'volts_per_cell:p95')).toBeNaN();
    expect(feature(values, 'soc_pct:p95')).toBe(1);
    const empty = summarizeSeries({
      systemId: 'e',
      source: 'synthetic',
      timestamps: new Float64Array(0),
      sensors: {},
    });
    for (const v of empty.values) expect(v).toBeNaN();
    const single = summarizeSeries(series(0, () => 4));
    expect(feature(single.values, 'soc_pct:p95')).toBe(4);
    expect(feature(single.values, 'temp_rise_c:drift')).toBeNaN();
  });

  it('summarizes a generated system without NaN in its always-present features', () => {
    const { fleet } = sharedFleet();
    const sys = fleet.systems.find((s) => s.record.metadata.scenario_tags.length === 0)!;
    const { values } = summarizeSeries(sys.series(), {
      capacityKwh: sys.record.metadata.capacity_kwh,
    });
    SUMMARY_FEATURE_NAMES.forEach((name, j) => {
      // ΔV under load needs ≥ 0.25C, which a backup or lightly cycled rack may never reach.
      if (name !== 'cell_delta_v_mv:load_p50') expect(Number.isFinite(values[j]!), name).toBe(true);
    });
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
