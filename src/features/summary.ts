/**
 * Per-system summary features: one fixed-length vector per series, the input of feature-based
 * models (the `pca` plugin) and a quick way to compare systems. Every statistic skips NaN (a
 * missing reading); a statistic with no data to compute it from is NaN, never a crash. Each
 * channel costs O(n) time and a constant number of allocations (the ΔV p95 uses one scratch
 * buffer per series).
 */
import { DERIVED_FEATURES, deriveFeature, SENSORS } from '../data/index.ts';
import type { SystemSeries } from '../data/types.ts';

/** Channels summarized: every default sensor, then the derived cell ΔV and temperature spread. */
export const SUMMARY_CHANNELS: readonly string[] = [...SENSORS, ...DERIVED_FEATURES];

/**
 * Statistics computed for every channel, in vector order:
 * - `mean`, `std` (population, ddof 0), `max`, `min` of the finite values;
 * - `slope`: least-squares slope against time, in units per day (NaN with < 2 distinct times);
 * - `last_minus_first_day`: mean over the last 24 h of the series minus the mean over the first
 *   24 h (NaN when either window has no finite value).
 */
export const CHANNEL_STATISTICS = [
  'mean',
  'std',
  'max',
  'min',
  'slope',
  'last_minus_first_day',
] as const;
export type ChannelStatistic = (typeof CHANNEL_STATISTICS)[number];

/**
 * Cross-channel features appended after the per-channel ones:
 * - `cell_delta_v_mv:p95`: 95th percentile (type 7, linear interpolation) of the cell ΔV;
 * - `cell_delta_v_mv:rest_mean`: mean ΔV while |current| < {@link REST_CURRENT_A} A (rest is
 *   where a leaking cell's lower open-circuit voltage shows);
 * - `temp_rise_c:mean`, `temp_rise_c:max`: temp_cell_max_c − temp_ambient_c.
 */
export const EXTRA_FEATURES = [
  'cell_delta_v_mv:p95',
  'cell_delta_v_mv:rest_mean',
  'temp_rise_c:mean',
  'temp_rise_c:max',
] as const;

/** |current| below this (A) counts as rest for `cell_delta_v_mv:rest_mean`. */
export const REST_CURRENT_A = 5;

const DAY_MS = 86_400_000;

/** Feature names in vector order: `<channel>:<statistic>` for every channel, then {@link EXTRA_FEATURES}. */
export const SUMMARY_FEATURE_NAMES: readonly string[] = [
  ...SUMMARY_CHANNELS.flatMap((c) => CHANNEL_STATISTICS.map((s) => `${c}:${s}`)),
  ...EXTRA_FEATURES,
];

/** A summary vector and the name of each entry (the same names, in the same order, for every series). */
export interface SeriesSummary {
  readonly names: readonly string[];
  readonly values: Float64Array;
}

/**
 * Summarizes a series into {@link SUMMARY_FEATURE_NAMES}. Derived features the series does not
 * carry are computed with `deriveFeature`; an absent sensor gives NaN features for its channel.
 */
export function summarizeSeries(series: SystemSeries): SeriesSummary {
  const names = SUMMARY_FEATURE_NAMES;
  const values = new Float64Array(names.length).fill(NaN);
  const t = series.timestamps;
  const n = t.length;
  const channel = (name: string): Float64Array | undefined => {
    const col = series.sensors[name];
    if (col) return col;
    if (name === 'cell_delta_v_mv' || name === 'temp_spread_c') return deriveFeature(series, name);
    return undefined;
  };

  let k = 0;
  for (const name of SUMMARY_CHANNELS) {
    const col = channel(name);
    if (col) channelStats(t, col, values, k);
    k += CHANNEL_STATISTICS.length;
  }

  const dv = channel('cell_delta_v_mv');
  const current = series.sensors['current_a'];
  if (dv) {
    values[k] = percentileOfFinite(dv, 0.95);
    if (current) {
      let sum = 0;
      let cnt = 0;
      for (let i = 0; i < n; i++) {
        const v = dv[i] as number;
        const c = current[i] as number;
        if (v === v && Math.abs(c) < REST_CURRENT_A) {
          sum += v;
          cnt++;
        }
      }
      if (cnt > 0) values[k + 1] = sum / cnt;
    }
  }
  const hot = series.sensors['temp_cell_max_c'];
  const amb = series.sensors['temp_ambient_c'];
  if (hot && amb) {
    let sum = 0;
    let cnt = 0;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const r = (hot[i] as number) - (amb[i] as number);
      if (r !== r) continue;
      sum += r;
      cnt++;
      if (r > max) max = r;
    }
    if (cnt > 0) {
      values[k + 2] = sum / cnt;
      values[k + 3] = max;
    }
  }
  return { names, values };
}

/** Writes the {@link CHANNEL_STATISTICS} of one column into `out[at …]` (left NaN without data). */
function channelStats(t: Float64Array, col: Float64Array, out: Float64Array, at: number): void {
  const n = Math.min(t.length, col.length);
  if (n === 0) return;
  const t0 = t[0] as number;
  const tEnd = t[n - 1] as number;
  // Pass 1: count, sums, extremes, first/last-day windows. Times are in days from the first
  // sample so the regression sums stay well conditioned.
  let cnt = 0;
  let sumV = 0;
  let sumT = 0;
  let min = Infinity;
  let max = -Infinity;
  let firstSum = 0;
  let firstCnt = 0;
  let lastSum = 0;
  let lastCnt = 0;
  for (let i = 0; i < n; i++) {
    const v = col[i] as number;
    if (v !== v) continue;
    const ti = t[i] as number;
    cnt++;
    sumV += v;
    sumT += (ti - t0) / DAY_MS;
    if (v < min) min = v;
    if (v > max) max = v;
    if (ti < t0 + DAY_MS) {
      firstSum += v;
      firstCnt++;
    }
    if (ti > tEnd - DAY_MS) {
      lastSum += v;
      lastCnt++;
    }
  }
  if (cnt === 0) return;
  const meanV = sumV / cnt;
  const meanT = sumT / cnt;
  // Pass 2: centred sums (numerically stable variance and covariance).
  let ssV = 0;
  let ssT = 0;
  let sTV = 0;
  for (let i = 0; i < n; i++) {
    const v = col[i] as number;
    if (v !== v) continue;
    const dv = v - meanV;
    const dt = ((t[i] as number) - t0) / DAY_MS - meanT;
    ssV += dv * dv;
    ssT += dt * dt;
    sTV += dt * dv;
  }
  out[at] = meanV;
  out[at + 1] = Math.sqrt(ssV / cnt);
  out[at + 2] = max;
  out[at + 3] = min;
  out[at + 4] = ssT > 0 ? sTV / ssT : NaN;
  out[at + 5] = firstCnt > 0 && lastCnt > 0 ? lastSum / lastCnt - firstSum / firstCnt : NaN;
}

/**
 * The q-quantile (type 7: linear interpolation between order statistics, as numpy's default)
 * of the finite values of a column, NaN when there is none. Expected O(n): quickselect on one
 * scratch copy.
 */
export function percentileOfFinite(col: Float64Array, q: number): number {
  const buf = new Float64Array(col.length);
  let m = 0;
  for (let i = 0; i < col.length; i++) {
    const v = col[i] as number;
    if (v === v) buf[m++] = v;
  }
  if (m === 0) return NaN;
  const h = (m - 1) * q;
  const lo = Math.floor(h);
  const a = select(buf, m, lo);
  if (lo === h || lo + 1 >= m) return a;
  // After selecting `lo`, everything right of it is ≥ a: the next order statistic is their minimum.
  let b = Infinity;
  for (let i = lo + 1; i < m; i++) if ((buf[i] as number) < b) b = buf[i] as number;
  return a + (h - lo) * (b - a);
}

/** Hoare-style quickselect over buf[0, m): the k-th smallest value; partially reorders buf. */
function select(buf: Float64Array, m: number, k: number): number {
  let left = 0;
  let right = m - 1;
  while (right > left) {
    // Median of three as the pivot: deterministic and robust to sorted input.
    const mid = (left + right) >>> 1;
    const a = buf[left] as number;
    const b = buf[mid] as number;
    const c = buf[right] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((buf[i] as number) < pivot) i++;
      while ((buf[j] as number) > pivot) j--;
      if (i <= j) {
        const tmp = buf[i] as number;
        buf[i] = buf[j] as number;
        buf[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return buf[k] as number;
  }
  return buf[k] as number;
}
