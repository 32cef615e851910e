/**
 * Trailing windows over a series, for a plugin's `scoreOverTime`: the same statistic as its
 * one score, computed on the last `window` of data at instants `step` apart. The baselines use
 * it; any plugin may.
 */
import type { SystemSeries } from '../data/types.ts';
import type { ScoresOverTime } from './model.ts';

/** Where the trailing windows end and how long they are, in ms. */
export interface RollingOptions {
  /** Length of each trailing window. */
  readonly windowMs: number;
  /** Time between two window ends. */
  readonly stepMs: number;
}

/**
 * The baselines' windows: a day of data (a full daily cycle of charge and discharge, so a
 * window's statistic compares like with like), every 6 hours (four instants a day: an alarm
 * with minDuration 3 needs half a day of evidence).
 */
export const DEFAULT_ROLLING: RollingOptions = { windowMs: 86_400_000, stepMs: 21_600_000 };

/**
 * One trailing window: it ends at `end` (its instant) and holds the samples with timestamps in
 * (end − window, end]: rows `from` (included) to `to` (excluded).
 */
export interface TrailingWindow {
  readonly end: number;
  readonly from: number;
  readonly to: number;
}

/**
 * The trailing windows of ascending `timestamps`: ends at first + window, then every step, and
 * at the last timestamp (the first is a full window, so an early score never rests on a few
 * samples; the last scores the newest data).
 * A series shorter than one window has one window, ending at its last timestamp, holding it all.
 */
export function trailingWindows(timestamps: Float64Array, opts: RollingOptions): TrailingWindow[] {
  const n = timestamps.length;
  if (n === 0) return [];
  if (!(opts.windowMs > 0) || !(opts.stepMs > 0))
    throw new RangeError(
      `trailingWindows: window and step must be > 0 ms (got ${opts.windowMs}, ${opts.stepMs})`,
    );
  const first = timestamps[0] as number;
  const last = timestamps[n - 1] as number;
  if (last - first < opts.windowMs) return [{ end: last, from: 0, to: n }];
  const out: TrailingWindow[] = [];
  let from = 0;
  let to = 0;
  const push = (end: number) => {
    while (to < n && (timestamps[to] as number) <= end) to++;
    while (from < to && (timestamps[from] as number) <= end - opts.windowMs) from++;
    out.push({ end, from, to });
  };
  let end = first + opts.windowMs;
  for (; end <= last; end += opts.stepMs) push(end);
  // The newest data gets a score too: a last window ends at the last timestamp.
  if (end - opts.stepMs < last) push(last);
  return out;
}

/** The rows `from`–`to` of a series, as views (no copy): a plugin must not write into them. */
export function sliceSeries(series: SystemSeries, from: number, to: number): SystemSeries {
  const sensors: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(series.sensors))
    if (values) sensors[name] = values.subarray(from, to);
  return { ...series, timestamps: series.timestamps.subarray(from, to), sensors };
}

/**
 * A score over time from a one-window statistic: `stat` of each trailing window's rows, NaN
 * for a window without samples (a gap in the data) or a non-finite statistic.
 */
export function rollingScores(
  series: SystemSeries,
  opts: RollingOptions,
  stat: (window: SystemSeries) => number,
): ScoresOverTime {
  const windows = trailingWindows(series.timestamps, opts);
  const t = new Float64Array(windows.length);
  const score = new Float64Array(windows.length);
  windows.forEach((w, k) => {
    t[k] = w.end;
    const v = w.to > w.from ? stat(sliceSeries(series, w.from, w.to)) : NaN;
    score[k] = Number.isFinite(v) ? v : NaN;
  });
  return { t, score };
}
