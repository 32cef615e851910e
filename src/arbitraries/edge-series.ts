/**
 * One system's series with the shapes that break models: 1–50 samples, long gaps between
 * timestamps, constant and all-NaN sensors, absent sensor columns, extreme values (±1e12, 0,
 * denormals) and, on request, duplicated or unsorted timestamps. Every column is described by a
 * small shape record and materialized deterministically, so fast-check shrinks the shape (a
 * failing sensor shrinks towards "absent", a series towards 1 sample) rather than raw numbers.
 */
import fc from 'fast-check';
import { SENSORS, type Sensor } from '../data/index.ts';
import type { SystemSeries } from '../data/types.ts';

/** How one sensor column is made. `absent` leaves the column out of the series. */
export type ColumnShape =
  | { readonly kind: 'absent' }
  | { readonly kind: 'all_nan' }
  | { readonly kind: 'constant'; readonly value: number }
  /** A sine around `base`; every `missingEvery`-th reading is NaN (0 = none). */
  | {
      readonly kind: 'wave';
      readonly base: number;
      readonly amplitude: number;
      readonly period: number;
      readonly missingEvery: number;
    }
  /** A wave with a few readings replaced by extreme values. */
  | {
      readonly kind: 'extreme';
      readonly base: number;
      readonly amplitude: number;
      readonly extremes: readonly { readonly at: number; readonly value: number }[];
    };

/** Order of the timestamps: strictly increasing (what the loader delivers) or not. */
export type TimestampOrder = 'increasing' | 'duplicated' | 'unsorted';

/** A generated series and whether the loader could have delivered it. */
export interface EdgeSeries {
  readonly series: SystemSeries;
  /** How the timestamps were made. */
  readonly timestampOrder: TimestampOrder;
  /**
   * Whether the timestamps strictly increase (computed from the array, not from the shape): the
   * loader rejects a file whose timestamps do not, so a plugin is only ever handed such a series.
   */
  readonly loadable: boolean;
}

/** Options of {@link edgeSeriesArb}. */
export interface EdgeSeriesOptions {
  /** The series' system id. Default `sys-0`. */
  readonly systemId?: string;
  /** Fewest / most samples. Default 1 / 50. */
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Sensors that may appear (each may still be absent). Default: every default sensor. */
  readonly sensors?: readonly Sensor[];
  /**
   * Also make duplicated or unsorted timestamps (flagged `loadable: false`), for loader and
   * validation tests. Default false: only what a plugin can be handed.
   */
  readonly oddTimestamps?: boolean;
}

/** Typical range of each sensor, where a wave's base is drawn (0.1 steps keep fixtures readable). */
const TYPICAL: Readonly<Record<Sensor, readonly [number, number]>> = {
  voltage_v: [650, 820],
  current_a: [-250, 250],
  soc_pct: [5, 95],
  temp_cell_max_c: [15, 45],
  temp_cell_min_c: [10, 40],
  temp_ambient_c: [-10, 40],
  cell_voltage_max_v: [3.2, 3.45],
  cell_voltage_min_v: [3.1, 3.35],
  insulation_resistance_kohm: [500, 5000],
};

/** Values no sensor should report but an export may contain. */
export const EXTREME_VALUES: readonly number[] = [
  1e12,
  -1e12,
  0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308,
];

const HOUR_MS = 3_600_000;

/** A reading on a 0.1 grid inside [lo, hi] (shrinks towards the bound nearer 0). */
function tenths(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.integer({ min: Math.round(lo * 10), max: Math.round(hi * 10) }).map((v) => v / 10);
}

/** The shape of one sensor's column: mostly realistic, sometimes degenerate. */
export function columnShapeArb(sensor: Sensor): fc.Arbitrary<ColumnShape> {
  const [lo, hi] = TYPICAL[sensor];
  const amplitude = tenths(0.1, Math.max(0.2, (hi - lo) / 4));
  const wave = fc.record({
    kind: fc.constant('wave' as const),
    base: tenths(lo, hi),
    amplitude,
    period: fc.integer({ min: 3, max: 48 }),
    missingEvery: fc.oneof(fc.constant(0), fc.integer({ min: 2, max: 7 })),
  });
  const extreme = fc.record({
    kind: fc.constant('extreme' as const),
    base: tenths(lo, hi),
    amplitude,
    extremes: fc.array(
      fc.record({ at: fc.nat({ max: 49 }), value: fc.constantFrom(...EXTREME_VALUES) }),
      { minLength: 1, maxLength: 3 },
    ),
  });
  const constant = fc.record({
    kind: fc.constant('constant' as const),
    value: fc.oneof(tenths(lo, hi), fc.constant(0)),
  });
  // `absent` first: a failing column shrinks towards "not there", so a shrunk fixture shows
  // only the columns the failure needs.
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant({ kind: 'absent' as const }), weight: 1 },
    { arbitrary: wave, weight: 8 },
    { arbitrary: constant, weight: 2 },
    { arbitrary: fc.constant({ kind: 'all_nan' as const }), weight: 1 },
    { arbitrary: extreme, weight: 1 },
  );
}

/** The values of a column of `n` samples, or undefined for an absent one. */
export function materializeColumn(shape: ColumnShape, n: number): Float64Array | undefined {
  switch (shape.kind) {
    case 'absent':
      return undefined;
    case 'all_nan':
      return new Float64Array(n).fill(NaN);
    case 'constant':
      return new Float64Array(n).fill(shape.value);
    case 'wave': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const missing = shape.missingEvery > 0 && i % shape.missingEvery === shape.missingEvery - 1;
        out[i] = missing
          ? NaN
          : Math.round(
              (shape.base + shape.amplitude * Math.sin((2 * Math.PI * i) / shape.period)) * 1000,
            ) / 1000;
      }
      return out;
    }
    case 'extreme': {
      const out = materializeColumn(
        { kind: 'wave', base: shape.base, amplitude: shape.amplitude, period: 12, missingEvery: 0 },
        n,
      )!;
      for (const e of shape.extremes) out[e.at % n] = e.value;
      return out;
    }
  }
}

/** Timestamps of `n` samples, with gaps, in the given order (epoch ms, whole seconds). */
export function materializeTimestamps(
  timing: {
    readonly startSec: number;
    readonly stepMs: number;
    readonly gaps: readonly { readonly at: number; readonly lengthMs: number }[];
  },
  n: number,
  order: TimestampOrder,
): Float64Array {
  const t = new Float64Array(n);
  let at = timing.startSec * 1000;
  for (let i = 0; i < n; i++) {
    if (i > 0) at += timing.stepMs;
    for (const g of timing.gaps) if (i > 0 && g.at % n === i) at += g.lengthMs;
    t[i] = at;
  }
  if (n >= 2 && order === 'duplicated') t[n - 1] = t[n - 2] as number;
  if (n >= 2 && order === 'unsorted') {
    const last = t[n - 1] as number;
    t[n - 1] = t[0] as number;
    t[0] = last;
  }
  return t;
}

/** Whether timestamps strictly increase, as the loader requires. */
export function strictlyIncreasing(t: Float64Array): boolean {
  for (let i = 1; i < t.length; i++) if (!((t[i] as number) > (t[i - 1] as number))) return false;
  return true;
}

/** One SystemSeries with edge shapes; see {@link EdgeSeriesOptions}. */
export function edgeSeriesArb(opts: EdgeSeriesOptions = {}): fc.Arbitrary<EdgeSeries> {
  const sensors = opts.sensors ?? SENSORS;
  const columns = fc.record(
    Object.fromEntries(sensors.map((s) => [s, columnShapeArb(s)])) as Record<
      Sensor,
      fc.Arbitrary<ColumnShape>
    >,
  );
  const timing = fc.record({
    // 2020-01-01 … 2030-01-01, whole seconds; shrinks towards 2020-01-01T00:00:00Z.
    startSec: fc.integer({ min: 1_577_836_800, max: 1_893_456_000 }),
    stepMs: fc.constantFrom(300_000, 1000, 60_000, 900_000, HOUR_MS),
    gaps: fc.array(
      fc.record({
        at: fc.nat({ max: 49 }),
        lengthMs: fc.integer({ min: 1, max: 30 * 24 }).map((h) => h * HOUR_MS),
      }),
      { maxLength: 2 },
    ),
  });
  const order: fc.Arbitrary<TimestampOrder> = opts.oddTimestamps
    ? fc.oneof(
        { arbitrary: fc.constant('increasing' as const), weight: 6 },
        { arbitrary: fc.constantFrom('duplicated' as const, 'unsorted' as const), weight: 2 },
      )
    : fc.constant('increasing' as const);
  const systemId = opts.systemId ?? 'sys-0';
  return fc
    .record({
      n: fc.integer({ min: opts.minLength ?? 1, max: opts.maxLength ?? 50 }),
      timing,
      order,
      columns,
    })
    .map(({ n, timing: tm, order: ord, columns: shapes }): EdgeSeries => {
      const timestamps = materializeTimestamps(tm, n, ord);
      const cols: Record<string, Float64Array> = {};
      for (const s of sensors) {
        const col = materializeColumn(shapes[s], n);
        if (col) cols[s] = col;
      }
      return {
        series: { systemId, source: 'synthetic', timestamps, sensors: cols },
        timestampOrder: ord,
        loadable: strictlyIncreasing(timestamps),
      };
    });
}
