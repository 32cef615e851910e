/**
 * Alarms from a score over time (plugin capability `scoreOverTime`): the threshold an instant
 * must reach, and the debounce that turns instants above it into alarms. Pure; O(instants).
 *
 * Debounce rules (a suite's `alarms: { minDuration, cooldown }`):
 * - tied instants (equal `t`, e.g. one score per string at one timestamp) are one *moment*,
 *   scored by the highest of their scores (NaN only when none has a score): the rule a rack's
 *   merged timeline applies to an instant two windows share (runner/alarm-units.ts), so one hot
 *   moment listed three times never makes a run of three on its own, on a system as on a rack;
 * - a moment is *hot* when its score is ≥ the threshold; a NaN score (no score there) is not
 *   hot and breaks a run, as a gap in the data would;
 * - an alarm fires at the moment where a run of hot moments reaches `minDuration` (the alarm
 *   is raised when the evidence is complete, never back-dated to the run's start);
 * - after an alarm, no other fires until more than `cooldown` has passed (the same "more than"
 *   as alarm-events.ts's false-alarm debounce, so the metrics count these alarms one by one);
 *   a condition that persists past the cooldown raises a reminder at the first hot moment
 *   after it, since the run still has `minDuration` hot moments; two alarms never share a
 *   moment.
 */
import { HarnessError } from '../errors.ts';
import { counted, daysToMs } from './alarm-events.ts';
import { chooseThreshold } from './threshold.ts';

/**
 * Default consecutive hot instants before an alarm: 3. With the baselines' instants a few hours
 * apart, three in a row is half a day of evidence: one noisy window (a single spike, a sensor
 * glitch) never alarms, yet a precursor lasting days loses only hours of warning.
 */
export const DEFAULT_MIN_DURATION = 3;
/**
 * Default cooldown: 1 day. An operator acts on an alarm within a day; a condition that persists
 * re-alarms once a day rather than at every instant, which would count one fault as many false
 * alarms per system-month.
 */
export const DEFAULT_COOLDOWN_DAYS = 1;

/** Debounce of {@link alarmsFromScores}. */
export interface Debounce {
  readonly minDuration: number;
  readonly cooldownDays: number;
}

/** A score over time: instants (epoch ms, ascending, ties allowed) and their scores. */
export interface ScoreSeries {
  readonly t: ArrayLike<number>;
  readonly score: ArrayLike<number>;
}

/**
 * One score per moment of a series (see the module comment): each run of tied instants
 * collapsed to its highest score, NaN when none of them has one. `t` ascending, as long as
 * `score`.
 */
export function momentsOf(series: ScoreSeries): { t: Float64Array; score: Float64Array } {
  const { t, score } = series;
  const outT: number[] = [];
  const outScore: number[] = [];
  for (let i = 0; i < t.length;) {
    const at = t[i] as number;
    let best = NaN;
    for (; i < t.length && t[i] === at; i++) {
      const v = score[i] as number;
      if (v === v && (best !== best || v > best)) best = v;
    }
    outT.push(at);
    outScore.push(best);
  }
  return { t: Float64Array.from(outT), score: Float64Array.from(outScore) };
}

/**
 * The alarm instants of one score series (see the module comment for the rules). `t` must be
 * ascending (ties allowed: one moment) and as long as `score`.
 */
export function alarmsFromScores(
  t: ArrayLike<number>,
  score: ArrayLike<number>,
  threshold: number,
  debounce: Debounce,
): Float64Array {
  const moments = momentsOf({ t, score });
  const cooldownMs = daysToMs(debounce.cooldownDays);
  const out: number[] = [];
  let run = 0;
  let last = -Infinity;
  for (let i = 0; i < moments.t.length; i++) {
    const s = moments.score[i] as number;
    run = s >= threshold ? run + 1 : 0; // NaN ≥ x is false: a gap breaks the run
    const at = moments.t[i] as number;
    // The same debounce as the alarm events: the first alarm always fires, even under a cooldown
    // that overflows to Infinity ms.
    if (run >= debounce.minDuration && counted(at, last, cooldownMs)) {
      out.push(at);
      last = at;
    }
  }
  return Float64Array.from(out);
}

/**
 * The highest score a series keeps for `minDuration` consecutive scored moments (tied instants
 * are one, at their highest score): the max over every run of that many moments of the run's
 * min (−Infinity when no run is that long). An alarm fires on the series at threshold x exactly
 * when this is ≥ x, whatever the cooldown.
 */
export function debouncedPeak(series: ScoreSeries, minDuration: number): number {
  const score = momentsOf(series).score;
  let peak = -Infinity;
  // Sliding-window minimum over the last `minDuration` instants (a monotone deque of indices).
  const deque: number[] = [];
  let head = 0;
  let runStart = 0;
  for (let i = 0; i < score.length; i++) {
    const s = score[i] as number;
    if (s !== s) {
      deque.length = 0;
      head = 0;
      runStart = i + 1;
      continue;
    }
    while (deque.length > head && (score[deque[deque.length - 1]!] as number) >= s) deque.pop();
    deque.push(i);
    while ((deque[head] as number) <= i - minDuration) head++;
    if (i - runStart + 1 >= minDuration) peak = Math.max(peak, score[deque[head]!] as number);
  }
  return peak;
}

/**
 * The alarm threshold of a score over time, from the training normals' scores over time, for a
 * train-FPR rule: the score that makes a share `fpr` of the training normal *systems* raise at
 * least one alarm, i.e. the train-FPR threshold of their debounced peaks. This is the rule the
 * one-score threshold follows (a share of normal systems flagged), applied to what an alarm
 * model flags; a quantile over all instants instead would bound the share of hot instants, which
 * says nothing of alarms per system (a month of instants at 5 % each is an alarm a day).
 * A training normal the model scored at no instant says nothing of where alarms fire: it is left
 * out (as -MAX_VALUE, "never alarms", it dragged the threshold down to -MAX_VALUE, so every
 * scored test instant was hot). Infinity (no alarm ever) when no training normal is left.
 */
export function alarmThreshold(
  trainNormals: readonly ScoreSeries[],
  fpr: number,
  minDuration: number,
): number {
  const scored = trainNormals.filter((s) => hasScore(s.score));
  if (scored.length === 0) return Infinity;
  const peaks = scored.map((s) => debouncedPeak(s, minDuration));
  // A normal too short (or too gappy) ever to alarm cannot raise one at any threshold.
  const finite = peaks.map((p) => (Number.isFinite(p) ? p : -Number.MAX_VALUE));
  return chooseThreshold(
    { kind: 'train_fpr', fpr, trainNormalScores: finite },
    { y: [], scores: [] },
  ).threshold;
}

function hasScore(score: ArrayLike<number>): boolean {
  for (let i = 0; i < score.length; i++) if (score[i] === score[i]) return true;
  return false;
}

/**
 * Days of a cooldown written as a number of days or a duration (`'12h'`, `'1d'`, `'90m'`,
 * `'30s'`, `'0'`). Throws a HarnessError naming `where` on anything else.
 */
export function cooldownDaysOf(value: number | string, where: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)?\s*$/.exec(value);
    if (m) {
      const unitDays: Record<string, number> = {
        s: 1 / 86400,
        m: 1 / 1440,
        min: 1 / 1440,
        h: 1 / 24,
        d: 1,
      };
      return Number(m[1]) * (unitDays[m[2] ?? 'd'] as number);
    }
  }
  throw new HarnessError(
    'E_SUITE',
    `${where}: alarms.cooldown must be a number of days ≥ 0 or a duration like '12h' or '1d', got ${JSON.stringify(value)}`,
  );
}
