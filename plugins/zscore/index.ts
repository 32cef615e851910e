/**
 * The `zscore` baseline: how far one sensor strays from what the training normals show.
 * fit pools the sensor's finite readings over the training normals and keeps their centre and
 * scale (median and MAD·1.4826 by default, or mean and standard deviation), per operating state
 * (SOC decile × current flow, state-bins.ts) by default; score is the 99th percentile of the
 * series' |z|. See README.md for what it can and cannot catch.
 */
import {
  atRest,
  DERIVED_FEATURES,
  powerCRate,
  REST_C_RATE,
  REST_CURRENT_A,
  defineModel,
  DEFAULT_ROLLING,
  percentileOfFinite,
  rollingScores,
  type DerivedFeature,
  type MetadataRow,
  type ModelPlugin,
  type SystemSeries,
} from 'bess-harness';
import {
  MIN_BIN_READINGS,
  MIN_BIN_SCALE_SHARE,
  STATE_BINS,
  UNKNOWN_STATE,
  stateBins,
  zByState,
  type StateTable,
} from './state-bins.ts';

/** Options of the zscore plugin. */
export interface ZscoreOptions {
  /** A sensor column (SENSORS or a declared extra sensor) or a derived feature. Default `cell_delta_v_mv` (see README.md for why). */
  readonly sensor?: string;
  /** How a series' z-scores become one number (see {@link ZscoreStatistic}). Default `p99_abs`. */
  readonly statistic?: ZscoreStatistic;
  /** Which side of the centre counts: `both` (default, |z|), `high` (z > 0 only) or `low` (z < 0 only). */
  readonly direction?: ZscoreDirection;
  /** Another sensor subtracted sample by sample before scoring, e.g. `temp_ambient_c` (rise over ambient). */
  readonly minus?: string;
  /** Median and MAD·1.4826 (true, default) or mean and standard deviation (false). */
  readonly robust?: boolean;
  /** Most readings pooled at fit time, taken evenly from each training normal. Default 200 000. */
  readonly maxPool?: number;
  /**
   * Only readings whose `soc_pct` lies in [lo, hi] count (fit and score); `null` counts every
   * reading. A series without a SOC column keeps every reading. See README.md ("Where it reads").
   */
  readonly socBand?: readonly [number, number] | null;
  /**
   * Only readings at rest count: C-rate below REST_C_RATE (metadata `capacity_kwh`), or |current|
   * below REST_CURRENT_A A without a capacity. A series without current keeps no reading (scores 0).
   */
  readonly rest?: boolean;
  /**
   * `state` (default): each reading is compared with the training normals' readings in the same
   * operating state, SOC decile × current flow (rest, or charge or discharge at three C-rates;
   * see state-bins.ts). `none`: with all their readings pooled.
   */
  readonly condition?: ZscoreCondition;
}

/** What a reading is compared with: the normals' readings in the same operating state, or all of them. */
export type ZscoreCondition = 'state' | 'none';
const CONDITIONS: readonly ZscoreCondition[] = ['state', 'none'];

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
  /** Per operating-state bin (`condition: 'state'`): centre and scale, NaN where a bin had too few readings. */
  readonly byState?: StateTable;
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
  readonly socBand: readonly [number, number] | null;
  readonly rest: boolean;
  readonly condition: ZscoreCondition;
} = {
  sensor: 'cell_delta_v_mv',
  minus: undefined,
  statistic: 'p99_abs',
  direction: 'both',
  robust: true,
  maxPool: 200_000,
  socBand: null,
  rest: false,
  condition: 'state',
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

/**
 * The column with every reading outside the SOC band, or not at rest, set to NaN (skipped by
 * fit and every statistic). Returns the column itself when neither condition is asked for.
 */
export function conditionedColumn(
  col: Float64Array | undefined,
  series: SystemSeries,
  metadata: MetadataRow | undefined,
  socBand: readonly [number, number] | null,
  rest: boolean,
): Float64Array | undefined {
  if (!col || (socBand === null && !rest)) return col;
  const soc = socBand === null ? undefined : series.sensors['soc_pct'];
  const current = series.sensors['current_a'];
  const voltage = series.sensors['voltage_v'];
  const kwh = metadata?.capacity_kwh;
  const byCRate = voltage !== undefined && kwh !== undefined && kwh > 0;
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    let keep = true;
    if (soc && socBand) {
      const s = soc[i] as number;
      keep = s >= socBand[0] && s <= socBand[1]; // NaN SOC: unknown, not counted
    }
    if (keep && rest) {
      const c = current ? (current[i] as number) : NaN;
      keep = atRest(byCRate ? powerCRate(c, voltage[i] as number, kwh) : undefined, c);
    }
    out[i] = keep ? (col[i] as number) : NaN;
  }
  return out;
}

function concatBins(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Centre and scale of each state bin's pooled readings; a bin with fewer than MIN_BIN_READINGS
 * stays NaN (its readings are scored against the pooled centre and scale), and a bin's scale is
 * at least MIN_BIN_SCALE_SHARE × the pooled scale.
 */
export function stateTable(
  pool: Float64Array,
  bins: Uint8Array,
  robust: boolean,
  pooledScale: number,
): StateTable {
  const counts = new Int32Array(STATE_BINS);
  for (let i = 0; i < bins.length; i++) {
    const b = bins[i] as number;
    if (b !== UNKNOWN_STATE) counts[b]!++;
  }
  const center = new Float64Array(STATE_BINS).fill(NaN);
  const scale = new Float64Array(STATE_BINS).fill(NaN);
  for (let b = 0; b < STATE_BINS; b++) {
    if ((counts[b] as number) < MIN_BIN_READINGS) continue;
    const vals = new Float64Array(counts[b] as number);
    for (let i = 0, j = 0; i < bins.length; i++) if (bins[i] === b) vals[j++] = pool[i] as number;
    const cs = centerAndScale(vals, robust);
    center[b] = cs.center;
    scale[b] = Math.max(cs.scale, MIN_BIN_SCALE_SHARE * pooledScale);
  }
  return { center, scale };
}

/** A model that scores a system by how far one sensor strays from the training normals in the same operating state. */
export default function zscore(
  options: ZscoreOptions = {},
): ModelPlugin<ZscoreOptions> & { readonly state: () => ZscoreState | undefined } {
  const sensor = options.sensor ?? ZSCORE_DEFAULTS.sensor;
  const minus = options.minus ?? ZSCORE_DEFAULTS.minus;
  const statistic = options.statistic ?? ZSCORE_DEFAULTS.statistic;
  const direction = options.direction ?? ZSCORE_DEFAULTS.direction;
  const robust = options.robust ?? ZSCORE_DEFAULTS.robust;
  const maxPool = options.maxPool ?? ZSCORE_DEFAULTS.maxPool;
  const socBand = options.socBand === undefined ? ZSCORE_DEFAULTS.socBand : options.socBand;
  const rest = options.rest ?? ZSCORE_DEFAULTS.rest;
  const condition = options.condition ?? ZSCORE_DEFAULTS.condition;
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
  if (
    socBand !== null &&
    !(
      Array.isArray(socBand) &&
      socBand.length === 2 &&
      Number.isFinite(socBand[0]) &&
      Number.isFinite(socBand[1]) &&
      socBand[0] < socBand[1]
    )
  )
    throw new Error(
      `zscore: option socBand must be [lo, hi] with lo < hi (SOC %), or null (got ${JSON.stringify(socBand)})`,
    );
  if (typeof rest !== 'boolean')
    throw new Error(`zscore: option rest must be true or false (got ${String(rest)})`);
  if (!CONDITIONS.includes(condition))
    throw new Error(
      `zscore: option condition must be one of ${CONDITIONS.join(', ')} (got ${String(condition)})`,
    );
  const byState = condition === 'state';
  const derive: readonly DerivedFeature[] = [sensor, minus].filter(
    (n): n is DerivedFeature => n !== undefined && isDerived(n),
  );
  const what = minus === undefined ? `sensor "${sensor}"` : `"${sensor} − ${minus}"`;
  const scorer = SCORERS[statistic];
  /** The readings this model scores: the (differenced) column, outside the SOC band or rest set to NaN. */
  const columnOf = (series: SystemSeries, metadata: MetadataRow | undefined) =>
    conditionedColumn(scoredColumn(series, sensor, minus), series, metadata, socBand, rest);
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
      socBand,
      rest,
      condition,
    },
    ...(derive.length > 0 ? { derive } : {}),
    // z-scores are unitless and timestamps are never read (`harness check` tests both promises);
    // a SOC band, a rest threshold or a state bin is in units (SOC %, C-rate or amperes), so then
    // only time.
    invariantTo:
      socBand === null && !rest && !byState
        ? { timeShift: true, unitScale: true }
        : { timeShift: true },
    async fit(train, ctx) {
      const normals = train.systems.filter((s) => s.label.label === 'normal');
      if (normals.length === 0) {
        throw new Error(
          `zscore: the training split has no normal systems (${train.systems.length} training systems); zscore learns "normal" from them`,
        );
      }
      const perSystem = Math.max(1, Math.floor(maxPool / normals.length));
      const chunks: Float64Array[] = [];
      const binChunks: Uint8Array[] = [];
      let total = 0;
      for (const record of normals) {
        ctx.signal.throwIfAborted();
        const series = await record.loadSeries({ derive });
        const col = columnOf(series, record.metadata);
        if (!col) continue;
        // A normal whose states cannot be told apart adds to the pooled centre and scale only.
        const bins = byState ? stateBins(series, record.metadata) : undefined;
        let finite = 0;
        for (let i = 0; i < col.length; i++) if (Number.isFinite(col[i] as number)) finite++;
        // Evenly strided readings: deterministic, and each normal weighs the same.
        const take = Math.min(finite, perSystem);
        if (take === 0) continue;
        const chunk = new Float64Array(take);
        const binChunk = new Uint8Array(byState ? take : 0).fill(UNKNOWN_STATE);
        const stride = finite / take;
        for (let i = 0, f = 0, j = 0; i < col.length && j < take; i++) {
          const v = col[i] as number;
          if (!Number.isFinite(v)) continue;
          if (f >= Math.floor(j * stride)) {
            if (bins) binChunk[j] = bins[i] as number;
            chunk[j++] = v;
          }
          f++;
        }
        chunks.push(chunk);
        binChunks.push(binChunk);
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
      state = {
        center,
        scale,
        ...(byState
          ? { byState: stateTable(pool, concatBins(binChunks, total), robust, scale) }
          : {}),
        pooled: total,
        normals: normals.length,
      };
    },
    // The fitted state is plain numbers and Float64Arrays: a worker thread can receive it.
    saveState: () => state,
    restoreState(saved) {
      state = saved as ZscoreState;
    },
    score: (series, ctx) => scoreOne(series, ctx.metadata),
    // The same statistic over each trailing day, every 6 hours (DEFAULT_ROLLING).
    scoreOverTime: (series, ctx) =>
      rollingScores(series, DEFAULT_ROLLING, (w) => scoreOne(w, ctx.metadata)),
  });
  function scoreOne(series: SystemSeries, metadata: MetadataRow): number {
    if (!state)
      throw new Error(
        'zscore: score called before fit; zscore needs a training split with normal systems',
      );
    const col = columnOf(series, metadata);
    const bins = col && state.byState ? stateBins(series, metadata) : undefined;
    return bins && col && state.byState
      ? scorer(zByState(col, bins, state.byState, state.center, state.scale), 0, 1, direction)
      : scorer(col, state.center, state.scale, direction);
  }
  return { ...plugin, state: () => state };
}
