/**
 * One system's alarms judged against its ground truth in time: which alarm detects the failure,
 * how many alarms are false, and how much of the system's life was watched. Pure, O(alarms).
 *
 * Rules (the JSDoc of {@link judgeSystemAlarms} is the reference; alarms.ts aggregates them):
 * - The **event window** of a failure is [start, failure_at], both ends included. start =
 *   `onset_at` when the label knows it; else `failure_at − preWindowDays` when that option is
 *   set; else unbounded (any alarm before the failure is in it).
 * - The **detection** is the first alarm inside the window. An alarm before the window is *early*:
 *   the precursor was not there to see, so it does not detect the failure; it is a false alarm.
 *   An alarm after `failure_at` is late: it never detects, and it is a false alarm as well (the
 *   event is over; NAB counts it the same way).
 * - **Debounce**: alarms are taken in time order; an alarm is a new false alarm only when it comes
 *   more than `cooldownDays` after the previous alarm that counted (a detection counts too), so
 *   a burst is one false alarm and alarms tied in time are always one (with cooldown 0 as well).
 * - **Observable**: whether a failure counts in recall-like denominators is decided before the
 *   alarms are looked at, so a catch can never make a failure count where a miss would not
 *   (that counted the catches of failures past the data and dropped their misses: recall 1 for
 *   one failure caught of two). With `alarmsInsideData` (a run: alarms fire only at scored
 *   instants, inside the data) a failure whose data ends before its event window starts is
 *   **unobservable**: no alarm could fall in its window, so it is left out (and counted, so a
 *   report can say so). Without it (`harness evaluate --alarms`: an alarm log may run past the
 *   telemetry export, so an alarm after the data's end is in the window by design) every
 *   failure with a failure_at is observable.
 */
import { HarnessError } from '../errors.ts';
import type { AlarmSystem } from './alarm-types.ts';

/** Milliseconds per day. */
export const DAY_MS = 86_400_000;

/**
 * Scaled sigmoid of NAB (Lavin & Ahmad 2015, `scaledSigmoid`): 2/(1 + e^{5y}) − 1. y is the
 * alarm's place relative to the end of the window in window lengths: y = −1 at the window's
 * start (≈ 0.987), y = 0 at `failure_at` (0, an alarm with no warning).
 */
export function nabScaledSigmoid(y: number): number {
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/**
 * NAB's weight of a true positive at place y: σ(y)/σ(−1) (NAB's sweeper divides by
 * `scaledSigmoid(-1)`, so that a detection at the window's start scores exactly A_TP; worked
 * example of the metrics reference, B4: window 10..19, detection at 12, y = −0.8 → 0.9771068409). Without it a
 * perfect early detector scored a weighted recall of 0.987, never 1.
 */
export function nabTruePositiveWeight(y: number): number {
  return nabScaledSigmoid(y) / nabScaledSigmoid(-1);
}

/** How one system's alarms fared. Times are epoch ms, durations days. */
export interface SystemAlarmResult {
  readonly systemId: string;
  readonly failureType: string;
  /** `normal`; `failure` (judged); `no_failure_time` (an anomaly whose label lacks failure_at: not judged). */
  readonly kind: 'normal' | 'failure' | 'no_failure_time';
  /** Debounced false alarms (see the module comment). */
  readonly falseAlarms: number;
  /** Observed system-time in days (last − first timestamp, gaps included); NaN when unknown. */
  readonly spanDays: number;
  /** Failures only: false when alarms fall inside the data and the data ends before the window. */
  readonly observable: boolean;
  /** Failures only: the first alarm inside the event window, NaN when none. */
  readonly detectionAt: number;
  /** failure_at − detection, days (≥ 0); NaN when not caught. */
  readonly warningDays: number;
  /** detection − onset_at, days (≥ 0, detections are never before the onset); NaN when not caught or the onset is unknown. */
  readonly delayDays: number;
  /** NAB weight of the detection (see {@link nabTruePositiveWeight}): 1 at the window's start, 0 at failure_at or when not caught. */
  readonly nabWeight: number;
}

/** Options of {@link judgeSystemAlarms}. */
export interface JudgeOptions {
  /** Merge an alarm into the previous counted one when at most this many days after it. Default 0. */
  readonly cooldownDays?: number;
  /** Window start when the onset is unknown: this many days before failure_at. Default: unbounded. */
  readonly preWindowDays?: number | null;
  /**
   * True when alarms can only fall inside each system's data (a run's alarms fire at scored
   * instants): a failure whose data ends before its event window is then unobservable. Default
   * false (alarms from a log, which may run past the data): every failure is observable.
   */
  readonly alarmsInsideData?: boolean;
}

/**
 * A duration in days (a cooldown, a pre-window) as milliseconds, rounded to the microsecond.
 * days × 86.4e6 is inexact for most durations ('30s' = 30/86400 days gives 29999.999999999996
 * ms), so an alarm exactly one cooldown later counted as "more than" it. Overflow stays
 * Infinity.
 */
export function daysToMs(days: number): number {
  return Math.round(days * DAY_MS * 1000) / 1000;
}

/**
 * Whether an alarm at `t` counts after the last counted one (`-Infinity`: none yet). The first
 * always counts: a cooldown so long that it overflows to Infinity ms made `Infinity > Infinity`
 * false, and every false alarm vanished.
 */
export function counted(t: number, last: number, cooldownMs: number): boolean {
  return last === -Infinity || t - last > cooldownMs;
}

function checkSorted(sys: AlarmSystem): void {
  const a = sys.alarms;
  for (let i = 0; i < a.length; i++) {
    const t = a[i] as number;
    if (!Number.isFinite(t) || (i > 0 && t < (a[i - 1] as number)))
      throw new HarnessError(
        'E_METRIC',
        `judgeSystemAlarms: alarms of ${sys.systemId} must be finite and ascending (index ${i})`,
      );
  }
}

/** Judges one system's alarms against its label (see the module comment for every rule). */
export function judgeSystemAlarms(sys: AlarmSystem, opts: JudgeOptions = {}): SystemAlarmResult {
  checkSorted(sys);
  const cooldownMs = daysToMs(opts.cooldownDays ?? 0);
  const spanDays = (sys.spanEnd - sys.spanStart) / DAY_MS;
  const alarms = sys.alarms;
  if (!sys.anomaly || !Number.isFinite(sys.failureAt)) {
    // A normal: every alarm is false, debounced.
    let count = 0;
    let last = -Infinity;
    for (let i = 0; i < alarms.length; i++) {
      const t = alarms[i] as number;
      if (counted(t, last, cooldownMs)) {
        count++;
        last = t;
      }
    }
    return result(
      sys,
      sys.anomaly ? 'no_failure_time' : 'normal',
      sys.anomaly ? 0 : count,
      spanDays,
      true,
      NaN,
      0,
    );
  }
  const failureAt = sys.failureAt;
  const pre = opts.preWindowDays;
  const start = Number.isFinite(sys.onsetAt)
    ? sys.onsetAt
    : pre !== undefined && pre !== null
      ? failureAt - daysToMs(pre)
      : -Infinity;
  let detectionAt = NaN;
  let falseAlarms = 0;
  let last = -Infinity;
  for (let i = 0; i < alarms.length; i++) {
    const t = alarms[i] as number;
    if (t >= start && t <= failureAt) {
      if (detectionAt !== detectionAt) detectionAt = t;
      last = t;
    } else if (counted(t, last, cooldownMs)) {
      falseAlarms++;
      last = t;
    }
  }
  const caught = detectionAt === detectionAt;
  // Unknown span (NaN) ⇒ assume the data reached the window: only a known data end excuses a miss.
  const observable = opts.alarmsInsideData !== true || !(sys.spanEnd < start);
  if (caught && !observable)
    // The caller said alarms fall inside the data, yet one past its end is in the window.
    throw new HarnessError(
      'E_METRIC',
      `judgeSystemAlarms: ${sys.systemId} has an alarm at ${new Date(detectionAt).toISOString()}, after its data ends (${new Date(sys.spanEnd).toISOString()}), though alarmsInsideData is set`,
    );
  let nabWeight = 0;
  if (caught) {
    // An unbounded window is measured from the series start (or the detection, if earlier).
    const from = Number.isFinite(start)
      ? start
      : Number.isFinite(sys.spanStart)
        ? Math.min(sys.spanStart, detectionAt)
        : detectionAt;
    const length = failureAt - from;
    nabWeight = nabTruePositiveWeight(length > 0 ? (detectionAt - failureAt) / length : 0);
  }
  return result(sys, 'failure', falseAlarms, spanDays, observable, detectionAt, nabWeight);
}

/** One fixed-shape result object (a fleet has millions; spreads would cost the GC dearly). */
function result(
  sys: AlarmSystem,
  kind: SystemAlarmResult['kind'],
  falseAlarms: number,
  spanDays: number,
  observable: boolean,
  detectionAt: number,
  nabWeight: number,
): SystemAlarmResult {
  const caught = detectionAt === detectionAt;
  return {
    systemId: sys.systemId,
    failureType: sys.failureType,
    kind,
    falseAlarms,
    spanDays,
    observable,
    detectionAt,
    warningDays: caught ? (sys.failureAt - detectionAt) / DAY_MS : NaN,
    delayDays: caught && Number.isFinite(sys.onsetAt) ? (detectionAt - sys.onsetAt) / DAY_MS : NaN,
    nabWeight,
  };
}
