/**
 * A plugin's score over time on one system (capability `scoreOverTime`) as the runner keeps it:
 * checked, copied into its own arrays, with the series' span (the alarm metrics measure
 * false alarms per observed system-month over it). Plain data: it crosses worker threads and
 * goes into the score cache.
 */
import type { SystemSeries } from '../data/types.ts';
import type { ScoresOverTime } from '../plugin/index.ts';

/** One system's checked score over time. */
export interface OverTime {
  /** Instants, epoch ms, ascending (ties allowed), finite. */
  readonly t: Float64Array;
  /** Scores aligned with `t`; NaN where the model gave none. */
  readonly score: Float64Array;
  /** First and last timestamp of the series (NaN for an empty series). */
  readonly spanStart: number;
  readonly spanEnd: number;
}

/** Per test system (null: not scored, the run stopped) and per training normal: what scoreOverTime gave. */
export interface OverTimeStore {
  readonly test: (OverTime | null)[];
  readonly trainNormals: OverTime[];
}

/**
 * Checks what `scoreOverTime` returned for `series` and copies it: equal lengths, finite and
 * ascending instants within the series' span, numbers or NaN for scores (±Infinity is not a
 * score). Returns the problem in words when there is one (the caller prefixes the call and
 * the system), or the checked copy.
 */
export function checkOverTime(out: unknown, series: SystemSeries): OverTime | string {
  const o = out as Partial<ScoresOverTime> | null;
  if (typeof o !== 'object' || o === null || !isNumbers(o.t) || !isNumbers(o.score))
    return `returned ${describe(out)}; it must return { t, score }, two arrays of numbers (or null: no score over time)`;
  const t = Float64Array.from(o.t);
  const score = Float64Array.from(o.score);
  if (t.length !== score.length)
    return `returned ${t.length} instants and ${score.length} scores; t and score must have the same length`;
  const ts = series.timestamps;
  const spanStart = ts.length > 0 ? (ts[0] as number) : NaN;
  const spanEnd = ts.length > 0 ? (ts[ts.length - 1] as number) : NaN;
  for (let i = 0; i < t.length; i++) {
    const at = t[i] as number;
    if (!Number.isFinite(at)) return `t[${i}] is ${at}; every instant must be a finite epoch ms`;
    if (i > 0 && at < (t[i - 1] as number))
      return `t[${i}] = ${iso(at)} is before t[${i - 1}] = ${iso(t[i - 1] as number)}; t must be ascending`;
    if (!(at >= spanStart && at <= spanEnd))
      return `t[${i}] = ${iso(at)} is outside the series' span ${iso(spanStart)} – ${iso(spanEnd)}`;
    const s = score[i] as number;
    if (s === Infinity || s === -Infinity)
      return `score[${i}] is ${s}; a score is a finite number, or NaN for no score at that instant`;
  }
  return { t, score, spanStart, spanEnd };
}

const isNumbers = (x: unknown): x is ArrayLike<number> =>
  x instanceof Float64Array ||
  x instanceof Float32Array ||
  (Array.isArray(x) && x.every((v) => typeof v === 'number'));

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v !== 'object') return typeof v;
  return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
}

/** JSON form of an OverTime (the score cache): NaN as null. */
export interface OverTimeJson {
  readonly t: readonly number[];
  readonly score: readonly (number | null)[];
  readonly spanStart: number | null;
  readonly spanEnd: number | null;
}

const nullable = (v: number): number | null => (v === v ? v : null);
const nan = (v: number | null): number => (v === null ? NaN : v);

export function overTimeToJson(o: OverTime): OverTimeJson {
  return {
    t: Array.from(o.t),
    score: Array.from(o.score, nullable),
    spanStart: nullable(o.spanStart),
    spanEnd: nullable(o.spanEnd),
  };
}

export function overTimeFromJson(j: OverTimeJson): OverTime {
  return {
    t: Float64Array.from(j.t),
    score: Float64Array.from(j.score, nan),
    spanStart: nan(j.spanStart),
    spanEnd: nan(j.spanEnd),
  };
}
