/**
 * Per-system summary features: one fixed-length vector per series, the input of feature-based
 * models (the `pca` plugin) and a quick way to compare systems.
 *
 * Two rules make the vector comparable across systems that differ in what a battery team does
 * not care about:
 * - **Length-independent.** Every statistic estimates a property of the series' distribution
 *   (quantiles) or is defined relative to the series' own span (the drift compares its last
 *   quarter with its first), so a one-hour window and a thirty-day series of the same healthy
 *   system give the same features in expectation. Nothing is per day or summed over time.
 * - **Per cell.** Pack voltage is divided by the number of cells in series (estimated from the
 *   data: pack voltage over the mean of the cell max and min), current becomes a C-rate, and ΔV
 *   is in mV: a 573 V pack and a 768 V pack of the same chemistry look alike.
 *
 * Every statistic skips NaN (a missing reading); a statistic with no data to compute it from is
 * NaN, never a crash.
 */
import { deriveFeature } from '../data/index.ts';
import type { SystemSeries } from '../data/types.ts';

/**
 * Channels summarized, each a per-sample column computed from the sensors:
 * - `volts_per_cell`: voltage_v / cells in series ({@link estimateCellsInSeries});
 * - `c_rate`: |current_a · voltage_v| / (capacity_kwh · 1000), a power-based C-rate in 1/h (NaN
 *   without a capacity in the metadata: a current in amperes says nothing about the pack's size);
 * - `temp_rise_c`: temp_cell_max_c − temp_ambient_c;
 * - the derived `cell_delta_v_mv` (cell max − min, mV) and `temp_spread_c`;
 * - the sensors already per cell or unitless: SOC, cell max/min voltage, temperatures, insulation.
 */
export const SUMMARY_CHANNELS = [
  'volts_per_cell',
  'c_rate',
  'soc_pct',
  'cell_voltage_max_v',
  'cell_voltage_min_v',
  'cell_delta_v_mv',
  'temp_cell_max_c',
  'temp_ambient_c',
  'temp_rise_c',
  'temp_spread_c',
  'insulation_resistance_kohm',
] as const;
/** One of {@link SUMMARY_CHANNELS}. */
export type SummaryChannel = (typeof SUMMARY_CHANNELS)[number];

/** Which side of a feature's normal range signals a fault (see {@link SUMMARY_FEATURES}). */
export type FeatureDirection = 'high' | 'low' | 'both';

/** Quantiles a feature can take of its channel (type 7, of the finite values). */
export type ChannelStatistic = 'p05' | 'p50' | 'p95';

/** One entry of the summary vector: a quantile of a channel, and the side a fault pushes it to. */
export interface SummaryFeature {
  /** `<channel>:<statistic>`, or `cell_delta_v_mv:rest_p50` / `rest_drift` / `load_p50`. */
  readonly name: string;
  readonly direction: FeatureDirection;
}

/**
 * The summary vector, in order. Statistics: `pNN` (type-7 quantile), `spread` (p95 − p05) and
 * `drift` (median of the last quarter of the time span minus median of the first quarter);
 * `rest_…` and `load_…` take them of ΔV at rest or under load only.
 *
 * Each feature carries the side a fault pushes it to, and a model honours it (pca ignores a
 * deviation to the healthy side). That is what makes a window safe to score: a healthy window's
 * outer tails and spread sit inside its series' (an hour at rest never reaches the month's p95
 * C-rate or p99 temperature rise), so on the faulty side it cannot look worse than its series.
 * State channels (voltage per cell, SOC, C-rate, cell max/min) appear only as outer tails;
 * medians only for health channels (ΔV, temperature rise and spread, insulation), whose level a
 * healthy system holds hour after hour. A drift only where a healthy hour does not move much
 * more than a healthy month (ΔV, temperature rise, insulation): the drift of temperature spread
 * swings within an hour of load: with it, 18 % of healthy one-hour windows scored above the
 * 5 % threshold of pca, without it 6 %.
 *
 * - `cell_delta_v_mv:rest_p50`: median ΔV at rest (C-rate < {@link REST_C_RATE}, or |current| <
 *   {@link REST_CURRENT_A} A when the C-rate is unknown): cells relax to nearly the same
 *   open-circuit voltage, so a leaking or unbalanced cell shows there and load does not mask it;
 * - `cell_delta_v_mv:load_p50`: median ΔV under load (C-rate ≥ {@link LOAD_C_RATE}; NaN without a
 *   C-rate): the resistance and capacity spread of the cells.
 * - `cell_delta_v_mv:rest_drift`: the drift of ΔV at rest. A precursor grows towards the failure,
 *   and at rest on the plateau a healthy rack's ΔV holds still, so the system is its own baseline:
 *   on the default fleet it took pca from 0.71 to 0.74 on the smoke split (internal short 0.80 →
 *   0.97 over both halves). It replaces the spread (p95 − p05) of ΔV, which under the cell model
 *   measures how hard a rack is driven (load against rest), not its health.
 *
 * Every ΔV feature reads the SOC plateau only ({@link DELTA_V_SOC_BAND}).
 */
export const SUMMARY_FEATURES: readonly SummaryFeature[] = [
  { name: 'volts_per_cell:p05', direction: 'low' },
  { name: 'volts_per_cell:p95', direction: 'high' },
  { name: 'c_rate:p95', direction: 'high' },
  { name: 'soc_pct:p05', direction: 'low' },
  { name: 'soc_pct:p95', direction: 'high' },
  { name: 'cell_voltage_max_v:p95', direction: 'high' },
  { name: 'cell_voltage_min_v:p05', direction: 'low' },
  { name: 'cell_delta_v_mv:p50', direction: 'high' },
  { name: 'cell_delta_v_mv:p95', direction: 'high' },
  { name: 'cell_delta_v_mv:p99', direction: 'high' },
  { name: 'cell_delta_v_mv:drift', direction: 'high' },
  { name: 'cell_delta_v_mv:rest_drift', direction: 'high' },
  { name: 'cell_delta_v_mv:rest_p50', direction: 'high' },
  { name: 'cell_delta_v_mv:load_p50', direction: 'high' },
  { name: 'temp_cell_max_c:p95', direction: 'high' },
  { name: 'temp_cell_max_c:p99', direction: 'high' },
  { name: 'temp_rise_c:p50', direction: 'high' },
  { name: 'temp_rise_c:p95', direction: 'high' },
  { name: 'temp_rise_c:p99', direction: 'high' },
  { name: 'temp_rise_c:spread', direction: 'high' },
  { name: 'temp_rise_c:drift', direction: 'high' },
  { name: 'temp_spread_c:p50', direction: 'high' },
  { name: 'temp_spread_c:p95', direction: 'high' },
  { name: 'temp_spread_c:p99', direction: 'high' },
  { name: 'temp_spread_c:spread', direction: 'high' },
  { name: 'insulation_resistance_kohm:p01', direction: 'low' },
  { name: 'insulation_resistance_kohm:p05', direction: 'low' },
  { name: 'insulation_resistance_kohm:p50', direction: 'low' },
  { name: 'insulation_resistance_kohm:drift', direction: 'low' },
];

/** C-rate (1/h) below which a sample counts as rest: the field statistics' rest bins (< 0.02C). */
export const REST_C_RATE = 0.02;
/**
 * The power-based C-rate of a sample, |I·V| / (capacity_kwh · 1000) (1/h): the one definition
 * pca's features and the delta-v baseline read, since metadata has an energy capacity, not Ah.
 */
export function powerCRate(currentA: number, voltageV: number, capacityKwh: number): number {
  return Math.abs(currentA * voltageV) / (capacityKwh * 1000);
}

/**
 * Whether a sample is at rest: its C-rate below {@link REST_C_RATE}, or, for a series without a
 * C-rate (`cRate` undefined: no voltage or no capacity), |current| below {@link REST_CURRENT_A} A.
 * A NaN C-rate (a missing reading) is not rest.
 */
export function atRest(cRate: number | undefined, currentA: number): boolean {
  return cRate !== undefined ? cRate < REST_C_RATE : Math.abs(currentA) < REST_CURRENT_A;
}

/** C-rate (1/h) at or above which a sample counts as under load (the field statistics' ≥ 0.25C). */
export const LOAD_C_RATE = 0.25;
/** |current| (A) below which a sample counts as rest when the capacity, hence the C-rate, is unknown. */
export const REST_CURRENT_A = 5;

/** Feature names in vector order (the names of {@link SUMMARY_FEATURES}). */
export const SUMMARY_FEATURE_NAMES: readonly string[] = SUMMARY_FEATURES.map((f) => f.name);

/** The direction of each feature, in vector order. */
export const SUMMARY_FEATURE_DIRECTIONS: readonly FeatureDirection[] = SUMMARY_FEATURES.map(
  (f) => f.direction,
);

/** A summary vector and the name of each entry (the same names, in the same order, for every series). */
export interface SeriesSummary {
  readonly names: readonly string[];
  readonly values: Float64Array;
}

/** What the series alone does not say: from the system's metadata. */
export interface SummaryContext {
  /** Nominal energy capacity (metadata `capacity_kwh`); without it `c_rate` is NaN. */
  readonly capacityKwh?: number | undefined;
}

/**
 * Cells in series, estimated from the data: the median over samples of pack voltage divided by
 * the mean of the cell max and min voltage, rounded (the metadata has no cell count). NaN when
 * the series has no sample with all three readings.
 */
export function estimateCellsInSeries(series: SystemSeries): number {
  const v = series.sensors['voltage_v'];
  const hi = series.sensors['cell_voltage_max_v'];
  const lo = series.sensors['cell_voltage_min_v'];
  if (!v || !hi || !lo) return NaN;
  const n = Math.min(v.length, hi.length, lo.length);
  const ratio = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cell = ((hi[i] as number) + (lo[i] as number)) / 2;
    ratio[i] = cell > 0 ? (v[i] as number) / cell : NaN;
  }
  const m = percentileOfFinite(ratio, 0.5);
  return m >= 0.5 && Number.isFinite(m) ? Math.round(m) : NaN;
}

/**
 * Summarizes a series into {@link SUMMARY_FEATURE_NAMES}. Derived features the series does not
 * carry are computed with `deriveFeature`; an absent sensor gives NaN features for its channel.
 */
export function summarizeSeries(series: SystemSeries, context: SummaryContext = {}): SeriesSummary {
  const names = SUMMARY_FEATURE_NAMES;
  const values = new Float64Array(names.length).fill(NaN);
  const cols = channelColumns(series, context);
  const sorted = new Map<string, Float64Array>();
  const sortedOf = (channel: string): Float64Array | undefined => {
    if (!sorted.has(channel)) {
      const col =
        channel.endsWith('@rest') || channel.endsWith('@load')
          ? conditionedDeltaV(series, cols, channel.endsWith('@rest'))
          : cols[channel as SummaryChannel];
      if (!col) return undefined;
      sorted.set(channel, finiteSorted(col, 0, col.length));
    }
    return sorted.get(channel);
  };
  names.forEach((name, k) => {
    const [channel = '', stat = ''] = name.split(':');
    if (stat === 'drift') {
      const col = cols[channel as SummaryChannel];
      if (col) values[k] = quarterDrift(series.timestamps, col);
      return;
    }
    if (stat === 'rest_drift') {
      const col = conditionedDeltaV(series, cols, true);
      if (col) values[k] = quarterDrift(series.timestamps, col);
      return;
    }
    const [which, q] =
      stat.startsWith('rest_') || stat.startsWith('load_')
        ? [`${channel}@${stat.slice(0, 4)}`, stat.slice(5)]
        : [channel, stat];
    const xs = sortedOf(which);
    if (!xs || xs.length === 0) return;
    values[k] =
      q === 'spread'
        ? quantileSorted(xs, 0.95) - quantileSorted(xs, 0.05)
        : quantileSorted(xs, Number(q.slice(1)) / 100);
  });
  return { names, values };
}

/** ΔV at rest or under load (NaN elsewhere); undefined without ΔV or a way to tell rest. */
function conditionedDeltaV(
  series: SystemSeries,
  cols: Partial<Record<SummaryChannel, Float64Array>>,
  rest: boolean,
): Float64Array | undefined {
  const dv = cols.cell_delta_v_mv;
  const cRate = cols.c_rate;
  const current = series.sensors['current_a'];
  if (!dv || !(cRate || (current && rest))) return undefined;
  const out = new Float64Array(dv.length).fill(NaN);
  for (let i = 0; i < dv.length; i++) {
    const c = cRate ? (cRate[i] as number) : undefined;
    const keep = rest ? atRest(c, current ? (current[i] as number) : NaN) : c! >= LOAD_C_RATE;
    if (keep) out[i] = dv[i] as number;
  }
  return out;
}

/**
 * SOC band (%) where the ΔV features are read: the OCV plateau of LFP and the flat middle of the
 * other curves. Outside it a healthy rack's ΔV is set by where it happens to rest or discharge,
 * not by its health: resting at 10 % SOC (an idle day after the evening discharge, a string
 * trip on a low-SOC discharge) puts the cells' SOC offsets on the steep end of the curve, 60–120 mV
 * at rest on the default fleet against 7 mV on the plateau, and a deep discharge has the knee of
 * ~100 mV under load (field-stats.md). A fault's ΔV (a leaking cell's deficit, a diverging cell)
 * shows on the plateau as well; with the ends counted, pca could not tell one from an idle day.
 */
export const DELTA_V_SOC_BAND: readonly [number, number] = [30, 95];

/**
 * ΔV on the plateau only (NaN elsewhere). A series without SOC, or with no reading inside the
 * band (a window spent at one end), keeps every reading: better an uncertain ΔV than none.
 */
function onPlateau(dv: Float64Array, soc: Float64Array | undefined): Float64Array {
  if (!soc) return dv;
  const [lo, hi] = DELTA_V_SOC_BAND;
  const out = new Float64Array(dv.length).fill(NaN);
  let inside = 0;
  for (let i = 0; i < dv.length; i++) {
    const x = soc[i] as number;
    if (x >= lo && x <= hi) {
      out[i] = dv[i] as number;
      inside++;
    }
  }
  return inside > 0 ? out : dv;
}

/** The per-sample column of every channel the series can give (absent when it cannot). */
function channelColumns(
  series: SystemSeries,
  context: SummaryContext,
): Partial<Record<SummaryChannel, Float64Array>> {
  const s = series.sensors;
  const n = series.timestamps.length;
  const out: Partial<Record<SummaryChannel, Float64Array>> = {};
  const map = (f: (i: number) => number): Float64Array => {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = f(i);
    return col;
  };
  const v = s['voltage_v'];
  const cells = estimateCellsInSeries(series);
  if (v && cells === cells) out.volts_per_cell = map((i) => (v[i] as number) / cells);
  const current = s['current_a'];
  const kwh = context.capacityKwh;
  if (v && current && kwh !== undefined && kwh > 0 && Number.isFinite(kwh))
    out.c_rate = map((i) => powerCRate(current[i] as number, v[i] as number, kwh));
  for (const name of [
    'soc_pct',
    'cell_voltage_max_v',
    'cell_voltage_min_v',
    'temp_cell_max_c',
    'temp_ambient_c',
    'insulation_resistance_kohm',
  ] as const) {
    const col = s[name];
    if (col) out[name] = col;
  }
  for (const name of ['cell_delta_v_mv', 'temp_spread_c'] as const) {
    const col = s[name];
    if (col) out[name] = col;
    else {
      const derived = deriveFeature(series, name);
      if (derived.some((x) => x === x)) out[name] = derived;
    }
  }
  if (out.cell_delta_v_mv) out.cell_delta_v_mv = onPlateau(out.cell_delta_v_mv, s['soc_pct']);
  const hot = s['temp_cell_max_c'];
  const amb = s['temp_ambient_c'];
  if (hot && amb) out.temp_rise_c = map((i) => (hot[i] as number) - (amb[i] as number));
  return out;
}

/**
 * Median of the last quarter of the time span minus the median of the first quarter, NaN when
 * either has no finite value: defined relative to the series itself, for an hour as for a month.
 */
function quarterDrift(t: Float64Array, col: Float64Array): number {
  const n = Math.min(t.length, col.length);
  if (n < 2) return NaN;
  const t0 = t[0] as number;
  const span = (t[n - 1] as number) - t0;
  if (!(span > 0)) return NaN;
  let firstEnd = 0;
  while (firstEnd < n && (t[firstEnd] as number) <= t0 + span / 4) firstEnd++;
  let lastStart = n;
  while (lastStart > 0 && (t[lastStart - 1] as number) >= t0 + (3 * span) / 4) lastStart--;
  const first = finiteSorted(col, 0, firstEnd);
  const last = finiteSorted(col, lastStart, n);
  return first.length > 0 && last.length > 0
    ? quantileSorted(last, 0.5) - quantileSorted(first, 0.5)
    : NaN;
}

/** The finite values of col[from, to), sorted ascending. */
function finiteSorted(col: Float64Array, from: number, to: number): Float64Array {
  const buf = new Float64Array(Math.max(0, to - from));
  let m = 0;
  for (let i = from; i < to; i++) {
    const v = col[i] as number;
    if (v === v) buf[m++] = v;
  }
  return buf.subarray(0, m).sort();
}

/** The q-quantile (type 7) of a non-empty sorted array. */
function quantileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  return lo + 1 < sorted.length ? a + (h - lo) * ((sorted[lo + 1] as number) - a) : a;
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
