import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../src/errors.ts';
import {
  alarmsFromScores,
  alarmThreshold,
  cooldownDaysOf,
  debouncedPeak,
} from '../../../src/metrics/alarms-from-scores.ts';
import { nextUp } from '../../../src/metrics/threshold.ts';

const H = 3_600_000;
const D = 24 * H;
const hours = (...h: number[]) => h.map((x) => x * H);
const alarmsAt = (
  t: number[],
  s: number[],
  threshold: number,
  minDuration: number,
  cooldownDays: number,
) => Array.from(alarmsFromScores(t, s, threshold, { minDuration, cooldownDays })).map((x) => x / H);
/** A score series with one instant an hour from 0. */
const hourly = (score: readonly number[]) => ({ t: score.map((_, i) => i * H), score });

describe('alarmsFromScores', () => {
  it('fires at the instant a run of hot instants reaches minDuration, not at its start', () => {
    //            hot:  n  y  y  y  y  n
    const t = hours(0, 1, 2, 3, 4, 5);
    const s = [0, 5, 5, 5, 5, 0];
    expect(alarmsAt(t, s, 5, 3, 1)).toEqual([3]); // the 3rd hot instant; ≥ threshold is hot
    expect(alarmsAt(t, s, 5, 1, 1)).toEqual([1]);
    expect(alarmsAt(t, s, 5, 5, 1)).toEqual([]); // only 4 in a row
    expect(alarmsAt(t, s, 5.0001, 1, 0)).toEqual([]);
  });

  it('a NaN score breaks a run: minDuration is never reached across a gap', () => {
    const t = hours(0, 1, 2, 3, 4, 5, 6);
    const s = [9, 9, NaN, 9, 9, 0, 9];
    expect(alarmsAt(t, s, 1, 3, 0)).toEqual([]);
    expect(alarmsAt(t, s, 1, 2, 0)).toEqual([1, 4]);
  });

  it('no alarm within the cooldown; a persisting condition re-alarms at the first hot instant after it', () => {
    // Hot every 6 h for 2 days; cooldown 1 day: alarms at 0 h, then the first instant more than 24 h later (30 h).
    const t = hours(0, 6, 12, 18, 24, 30, 36, 42, 48);
    const s = t.map(() => 1);
    expect(alarmsAt(t, s, 1, 1, 1)).toEqual([0, 30]);
    // Exactly at the boundary (24 h after) is still within it: "more than" the cooldown, as the metrics debounce.
    expect(alarmsAt(hours(0, 24, 24.5), [1, 1, 1], 1, 1, 1)).toEqual([0, 24.5]);
    // Cooldown 0: every hot instant alarms.
    expect(alarmsAt(hours(0, 1, 2), [1, 1, 1], 1, 1, 0)).toEqual([0, 1, 2]);
  });

  it("a persisting condition sampled every 30 s re-alarms every minute under cooldown '30s'", () => {
    // 30 s = 29999.999999999996 ms once through days: every sample was "more than" it after the last.
    const t = [0, 30_000, 60_000, 90_000, 120_000];
    const cooldownDays = cooldownDaysOf('30s', 'test');
    expect(
      Array.from(alarmsFromScores(t, [1, 1, 1, 1, 1], 1, { minDuration: 1, cooldownDays })),
    ).toEqual([0, 60_000, 120_000]);
  });

  it('a cooldown too long for milliseconds (Infinity ms) still lets the first alarm fire', () => {
    expect(alarmsAt(hours(0, 1, 2), [0, 5, 5], 5, 1, 1e304)).toEqual([1]);
  });

  it('tied instants are one moment: at most one alarm there, even with cooldown 0', () => {
    const t = hours(0, 1, 1, 1, 2);
    expect(alarmsAt(t, [1, 1, 1, 1, 1], 1, 1, 0)).toEqual([0, 1, 2]);
  });

  it('tied instants are one moment of a run: one hot moment listed three times is no run of three', () => {
    // A run counted instants: the 3rd of three ties completed minDuration 3 and fired.
    expect(alarmsAt(hours(5, 5, 5), [1, 1, 1], 1, 2, 0)).toEqual([]);
    expect(alarmsAt(hours(4, 5, 5, 5), [1, 1, 1, 1], 1, 3, 0)).toEqual([]);
    expect(alarmsAt(hours(4, 5, 5, 6), [1, 1, 1, 1], 1, 3, 0)).toEqual([6]);
  });

  it('a tied moment scores the highest of its scores, as a rack merges an instant two windows share', () => {
    // Moment 1 h holds 0 and 1 (hot), moment 2 h holds NaN and 1 (hot: one score is there).
    expect(alarmsAt(hours(0, 1, 1, 2, 2), [1, 0, 1, NaN, 1], 1, 3, 0)).toEqual([2]);
    // No score at all at a moment breaks the run; a cold highest score does too.
    expect(alarmsAt(hours(0, 1, 1, 2), [1, NaN, NaN, 1], 1, 2, 0)).toEqual([]);
    expect(alarmsAt(hours(0, 1, 1, 2), [1, 0, 0.5, 1], 1, 2, 0)).toEqual([]);
  });

  it('after a cooldown, a new run needs minDuration hot instants again', () => {
    // Hot 0–2 h (alarm at 1 h with minDuration 2), cold at 3 h, hot again 27–29 h: alarm at 28 h.
    const t = hours(0, 1, 2, 3, 27, 28, 29);
    const s = [1, 1, 1, 0, 1, 1, 1];
    expect(alarmsAt(t, s, 1, 2, 1)).toEqual([1, 28]);
  });
});

describe('debouncedPeak and alarmThreshold', () => {
  it('the peak is the max over runs of minDuration of their min, NaN breaking runs', () => {
    expect(debouncedPeak(hourly([1, 5, 4, 9, 2]), 1)).toBe(9);
    expect(debouncedPeak(hourly([1, 5, 4, 9, 2]), 2)).toBe(4); // windows [1,5] [5,4] [4,9] [9,2] → mins 1 4 4 2
    expect(debouncedPeak(hourly([1, 5, 4, 9, 2]), 3)).toBe(4); // [1,5,4] [5,4,9] [4,9,2] → 1 4 2
    expect(debouncedPeak(hourly([9, 9, NaN, 8, 1]), 2)).toBe(9);
    expect(debouncedPeak(hourly([9, NaN, 9, NaN, 9]), 2)).toBe(-Infinity);
    expect(debouncedPeak(hourly([]), 1)).toBe(-Infinity);
  });

  it('tied instants are one moment at their highest score, as alarmsFromScores has them', () => {
    expect(debouncedPeak({ t: hours(0, 0, 0), score: [9, 9, 9] }, 3)).toBe(-Infinity);
    expect(debouncedPeak({ t: hours(0, 0, 0), score: [9, 9, 9] }, 1)).toBe(9);
    // Moments 0 h: 5; 1 h: max(2, 7) = 7; 2 h: 5 → the run of 3 holds 5.
    expect(debouncedPeak({ t: hours(0, 1, 1, 2), score: [5, 2, 7, 5] }, 3)).toBe(5);
    // A training normal scored three times per instant sets the threshold as one scored once.
    const once = { t: hours(0, 1, 2, 3), score: [0, 4, 0, 0] };
    const thrice = {
      t: once.t.flatMap((x) => [x, x, x]),
      score: once.score.flatMap((x) => [x, x, x]),
    };
    expect(alarmThreshold([thrice, once], 0.5, 2)).toBe(alarmThreshold([once, once], 0.5, 2));
  });

  it('an alarm fires at threshold x exactly when the peak is ≥ x', () => {
    const t = hours(0, 1, 2, 3, 4, 5, 6, 7);
    const s = [3, 7, 6, NaN, 8, 8, 2, 7];
    const peak = debouncedPeak(hourly(s), 2); // runs [3,7,6] → 6 ; [8,8,2,7] → 8
    expect(peak).toBe(8);
    expect(alarmsAt(t, s, peak, 2, 0)).toEqual([5]);
    expect(alarmsAt(t, s, nextUp(peak), 2, 0)).toEqual([]);
  });

  it('the threshold lets a share fpr of the training normal systems alarm', () => {
    // Peaks with minDuration 1: 1, 2, …, 20. fpr 0.1 ⇒ 2 of 20 may alarm: threshold 19.
    const normals = Array.from({ length: 20 }, (_, i) => [0, i + 1, 0]);
    const thr = alarmThreshold(normals.map(hourly), 0.1, 1);
    expect(thr).toBe(19);
    const alarming = normals.filter((s) => alarmsAt(hours(0, 1, 2), s, thr, 1, 0).length > 0);
    expect(alarming).toHaveLength(2);
    expect(alarmThreshold([], 0.05, 3)).toBe(Infinity);
    // A normal too short to hold a run never alarms: it counts as a normal with no alarm.
    expect(alarmThreshold([hourly([5]), hourly([1, 1, 1])], 0.5, 3)).toBe(1);
  });
});

describe('cooldownDaysOf', () => {
  it('reads days and durations', () => {
    expect(cooldownDaysOf(2, 'x')).toBe(2);
    expect(cooldownDaysOf('1d', 'x')).toBe(1);
    expect(cooldownDaysOf('12h', 'x')).toBe(0.5);
    expect(cooldownDaysOf('0', 'x')).toBe(0);
    expect(cooldownDaysOf('90m', 'x')).toBeCloseTo(1 / 16, 12);
  });

  it('rejects the rest with a message naming where', () => {
    expect(() => cooldownDaysOf('1 week', 'suites/a.suite.ts: suite "a"')).toThrow(
      /suites\/a\.suite\.ts: suite "a": alarms\.cooldown must be .* got "1 week"/,
    );
    expect(() => cooldownDaysOf(-1, 'x')).toThrow(HarnessError);
  });
});
