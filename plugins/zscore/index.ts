/**
 * The `zscore` baseline: how far one sensor strays from what the training normals show.
 * fit pools the sensor's finite readings over the training normals and keeps their centre and
 * scale (median and MAD·1.4826 by default, or mean and standard deviation); score is the largest
 * |z| of the series. See README.md for what it can and cannot catch.
 */
import {
  DERIVED_FEATURES,
  defineModel,
  percentileOfFinite,
  type DerivedFeature,
  type ModelPlugin,
  type SystemSeries,
} from 'bess-harness';

/** Options of the zscore plugin. */
export interface ZscoreOptions {
  /** A sensor column (SENSORS or a declared extra sensor) or a derived feature. Default `cell_delta_v_mv` (see README.md for why). */
  readonly sensor?: string;
  /** How a series' z-scores become one number (see {@link ZscoreStatistic}). Default `max_abs_median3`. */
  readonly statistic?: ZscoreStatistic;
  /** Which side of the centre counts: `both` (default, |z|), `high` (z > 0 only) or `low` (z < 0 only). */
  readonly direction?: ZscoreDirection;
  /** Another sensor subtracted sample by sample before scoring, e.g. `temp_ambient_c` (rise over ambient). */
  readonly minus?: string;
  /** Median and MAD·1.4826 (true, default) or mean and standard deviation (false). */
  readonly robust?: boolean;
  /** Most readings pooled at fit time, taken evenly from each training normal. Default 200 000. */
  readonly maxPool?: number;
}

/**
 * `max_abs`: the largest |z|. `p99_abs`: the 99th percentile of |z| (ignores up to 1 % of
 * outlying samples, such as single-sample spikes). `max_abs_median3`: the largest |z| of the
 * series after a 3-sample running median (removes isolated spikes, keeps any excursion that
 * lasts two samples or more).
 */
export type ZscoreStatistic = 'max_abs' | 'p99_abs' | 'max_abs_median3';
const STATISTICS: readonly ZscoreStatistic[] = ['max_abs', 'p99_abs', 'max_abs_median3'];

/** Which deviations count: both sides (|z|), only readings above the centre, or only below. */
export type ZscoreDirection = 'both' | 'high' | 'low';
const DIRECTIONS: readonly ZscoreDirection[] = ['both', 'high', 'low'];

/** The centre and scale learned at fit time. */
export interface ZscoreState {
  readonly center: number;
  readonly scale: number;
  /** Readings pooled and training normals they came from. */
  readonly pooled: number;
  readonly normals: number;
}

/** Defaults of the options. */
export const ZSCORE_DEFAULTS: {
  readonly sensor: string;
  readonly minus: string | undefined;
  readonly statistic: ZscoreStatistic;
  readonly direction: ZscoreDirection;
  readonly robust: boolean;
  readonly maxPool: number;
} = {
  sensor: 'cell_delta_v_mv',
  minus: undefined,
  statistic: 'max_abs_median3',
  direction: 'both',
  robust: true,
  maxPool: 200_000,
};

/**
 * A pool whose scale is at most this × |centre| is constant: a spread that small is rounding
 * ((3.1 − 3)·1000 and (3.127 − 3.027)·1000 differ in the 14th digit), far below any sensor resolution, and
 * whether rounding leaves some depends on the unit (`harness check` found a pool constant in one unit
 * but "spread" by 1e-13 in another, scored with z ≈ 1e13). The same holds for a MAD that small, which
 * falls back on the standard deviation as a MAD of 0 does. Keeps the plugin unit-scale invariant.
 */
const CONSTANT_SPREAD = 1e-9;

/** MAD of a normal distribution × this = its standard deviation. */
const MAD_TO_SD = 1.482602218505602;

function isDerived(name: string): name is DerivedFeature {
  return (DERIVED_FEATURES as readonly string[]).includes(name);
}

/** Median of a sorted array. */
function medianSorted(xs: Float64Array): number {
  const m = xs.length;
  const h = m >> 1;
  return m % 2 === 1 ? (xs[h] as number) : ((xs[h - 1] as number) + (xs[h] as number)) / 2;
}

/** Centre and scale of pooled readings; the scale is 0 only for a constant pool. */
export function centerAndScale(
  pool: Float64Array,
  robust: boolean,
): { center: number; scale: number } {
  const m = pool.length;
  let sum = 0;
  for (let i = 0; i < m; i++) sum += pool[i] as number;
  const mean = sum / m;
  let ss = 0;
  for (let i = 0; i < m; i++) ss += ((pool[i] as number) - mean) ** 2;
  const sd = Math.sqrt(ss / Math.max(1, m - 1));
  if (!robust) return { center: mean, scale: sd };
  const sorted = Float64Array.from(pool).sort();
  const median = medianSorted(sorted);
  const dev = new Float64Array(m);
  for (let i = 0; i < m; i++) dev[i] = Math.abs((sorted[i] as number) - median);
  const mad = medianSorted(dev.sort()) * MAD_TO_SD;
  // A pool with more than half its readings equal has MAD 0 (or, after rounding, nearly 0):
  // fall back on the standard deviation.
  return { center: median, scale: mad > CONSTANT_SPREAD * Math.abs(median) ? mad : sd };
}

/** The largest |x − center| / scale over the finite readings; 0 when there is none. */
export function maxAbsZ(
  col: Float64Array | undefined,
  center: number,
  scale: number,
  direction: ZscoreDirection = 'both',
): number {
  if (!col) return 0;
  const dev = deviation(direction, center);
  let best = 0;
  for (let i = 0; i < col.length; i++) {
    const d = dev(col[i] as number);
    if (d > best) best = d; // NaN > best is false: gaps are skipped
  }
  return finiteZ(best / scale);
}

/** The 99th percentile of |x − center| / scale over the finite readings; 0 when there is none. */
export function p99AbsZ(
  col: Float64Array | undefined,
  center: number,
  scale: number,
  direction: ZscoreDirection = 'both',
): number {
  if (!col) return 0;
  const dev = deviation(direction, center);
  const d = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) d[i] = dev(col[i] as number);
  const q = percentileOfFinite(d, 0.99);
  return q === q ? finiteZ(Math.max(0, q) / scale) : 0;
}

/**
 * The largest |median3 − center| / scale, where median3 is the median of each finite reading
 * and its finite neighbours in the row order (NaN gaps are skipped, not bridged).
 */
export function maxAbsMedian3Z(
  col: Float64Array | undefined,
  center: number,
  scale: number,
  direction: ZscoreDirection = 'both',
): number {
  if (!col) return 0;
  const dev = deviation(direction, center);
  const n = col.length;
  let best = 0;
  for (let i = 0; i < n; i++) {
    const b = col[i] as number;
    if (b !== b) continue;
    const a = i > 0 ? (col[i - 1] as number) : NaN;
    const c = i + 1 < n ? (col[i + 1] as number) : NaN;
    let m = b;
    if (a === a && c === c) m = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    else if (a === a || c === c) {
      // Two readings (an edge or a gap): the one nearer the centre counts, so one spike cannot win.
      const o = a === a ? a : c;
      if (dev(o) < dev(b)) m = o;
    }
    const d = dev(m);
    if (d > best) best = d;
  }
  return finiteZ(best / scale);
}

/** Signed distance from the centre in the direction that counts (NaN stays NaN). */
function deviation(direction: ZscoreDirection, center: number): (x: number) => number {
  if (direction === 'high') return (x) => x - center;
  if (direction === 'low') return (x) => center - x;
  return (x) => Math.abs(x - center);
}

function finiteZ(z: number): number {
  return Number.isFinite(z) ? z : Number.MAX_VALUE;
}

const SCORERS: Readonly<
  Record<
    ZscoreStatistic,
    (
      col: Float64Array | undefined,
      center: number,
      scale: number,
      direction: ZscoreDirection,
    ) => number
  >
> = {
  max_abs: maxAbsZ,
  p99_abs: p99AbsZ,
  max_abs_median3: maxAbsMedian3Z,
};

/** The column a zscore model reads: the sensor, or the sensor minus another one; undefined when absent. */
export function scoredColumn(
  series: SystemSeries,
  sensor: string,
  minus: string | undefined,
): Float64Array | undefined {
  const col = series.sensors[sensor];
  if (!col || minus === undefined) return col;
  const other = series.sensors[minus];
  if (!other) return undefined;
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) out[i] = (col[i] as number) - (other[i] as number);
  return out;
}

/** A model that scores a system by how far one sensor strays from the training normals (largest |z| by default). */
export default function zscore(
  options: ZscoreOptions = {},
): ModelPlugin<ZscoreOptions> & { readonly state: () => ZscoreState | undefined } {
  const sensor = options.sensor ?? ZSCORE_DEFAULTS.sensor;
  const minus = options.minus ?? ZSCORE_DEFAULTS.minus;
  const statistic = options.statistic ?? ZSCORE_DEFAULTS.statistic;
  const direction = options.direction ?? ZSCORE_DEFAULTS.direction;
  const robust = options.robust ?? ZSCORE_DEFAULTS.robust;
  const maxPool = options.maxPool ?? ZSCORE_DEFAULTS.maxPool;
  if (typeof sensor !== 'string' || sensor === '')
    throw new Error(
      `zscore: option sensor must be a sensor or derived feature name (got ${String(sensor)})`,
    );
  if (minus !== undefined && (typeof minus !== 'string' || minus === ''))
    throw new Error(
      `zscore: option minus must be a sensor or derived feature name (got ${String(minus)})`,
    );
  if (!STATISTICS.includes(statistic))
    throw new Error(
      `zscore: option statistic must be one of ${STATISTICS.join(', ')} (got ${String(statistic)})`,
    );
  if (!DIRECTIONS.includes(direction))
    throw new Error(
      `zscore: option direction must be one of ${DIRECTIONS.join(', ')} (got ${String(direction)})`,
    );
  if (!Number.isInteger(maxPool) || maxPool < 2)
    throw new Error(`zscore: option maxPool must be an integer ≥ 2 (got ${String(maxPool)})`);
  const derive: readonly DerivedFeature[] = [sensor, minus].filter(
    (n): n is DerivedFeature => n !== undefined && isDerived(n),
  );
  const what = minus === undefined ? `sensor "${sensor}"` : `"${sensor} − ${minus}"`;
  const scorer = SCORERS[statistic];
  let state: ZscoreState | undefined;

  const plugin = defineModel<ZscoreOptions>({
    name: 'zscore',
    version: '1',
    // The resolved options: reports show what ran, and a change of default changes the cache key.
    options: {
      sensor,
      ...(minus !== undefined ? { minus } : {}),
      statistic,
      direction,
      robust,
      maxPool,
    },
    ...(derive.length > 0 ? { derive } : {}),
    // z-scores are unitless and timestamps are never read (`harness check` tests both promises).
    invariantTo: { timeShift: true, unitScale: true },
    async fit(train, ctx) {
      const normals = train.systems.filter((s) => s.label.label === 'normal');
      if (normals.length === 0) {
        throw new Error(
          `zscore: the training split has no normal systems (${train.systems.length} training systems); zscore learns "normal" from them`,
        );
      }
      const perSystem = Math.max(1, Math.floor(maxPool / normals.length));
      const chunks: Float64Array[] = [];
      let total = 0;
      for (const record of normals) {
        ctx.signal.throwIfAborted();
        const col = scoredColumn(await record.loadSeries({ derive }), sensor, minus);
        if (!col) continue;
        let finite = 0;
        for (let i = 0; i < col.length; i++) if (Number.isFinite(col[i] as number)) finite++;
        // Evenly strided readings: deterministic, and each normal weighs the same.
        const take = Math.min(finite, perSystem);
        if (take === 0) continue;
        const chunk = new Float64Array(take);
        const stride = finite / take;
        for (let i = 0, f = 0, j = 0; i < col.length && j < take; i++) {
          const v = col[i] as number;
          if (!Number.isFinite(v)) continue;
          if (f >= Math.floor(j * stride)) chunk[j++] = v;
          f++;
        }
        chunks.push(chunk);
        total += take;
      }
      if (total < 2) {
        throw new Error(
          `zscore: ${what} has fewer than 2 finite readings over the ${normals.length} training normals; is the sensor in the data (or is its name a typo)?`,
        );
      }
      const pool = new Float64Array(total);
      let at = 0;
      for (const c of chunks) {
        pool.set(c, at);
        at += c.length;
      }
      const { center, scale } = centerAndScale(pool, robust);
      if (!(scale > CONSTANT_SPREAD * Math.abs(center))) {
        throw new Error(
          `zscore: ${what} is constant (${center}) over the training normals; a z-score needs some spread`,
        );
      }
      state = { center, scale, pooled: total, normals: normals.length };
    },
    // The fitted state is plain numbers and Float64Arrays: a worker thread can receive it.
    saveState: () => state,
    restoreState(saved) {
      state = saved as ZscoreState;
    },
    score(series) {
      if (!state)
        throw new Error(
          'zscore: score called before fit; zscore needs a training split with normal systems',
        );
      return scorer(scoredColumn(series, sensor, minus), state.center, state.scale, direction);
    },
  });
  return { ...plugin, state: () => state };
}
