/**
 * When a synthetic failure happens and when its precursor begins, as the label's `failure_at`
 * and `onset_at` (ISO 8601 UTC).
 *
 * - `failure_at` = the rack's last planned sample + the label's `lead_time_days` (the rounded
 *   value written in labels.csv, so `failure_at − last sample = lead_time_days` holds exactly).
 * - `onset_at` = `failure_at` − the precursor horizon: the failure type's own (the time before
 *   the event at which its precursor shape, a sum of exponentials in failures.ts, has fallen to
 *   {@link PRECURSOR_FLOOR} (5 %) of its value at the event; the shape is normalised (weights sum
 *   to 1), so this is where the precursor intensity first reaches 5 % of its intensity at the
 *   failure, whatever the severity as long as severity ≤ 1; above, the clipped intensity reaches
 *   its plateau earlier and the onset is a lower bound), or a window scenario's
 *   `window.precursorDays` when it sets one. It is the horizon that makes a window `anomaly`
 *   (windows.ts, from the same instants), so a window is anomalous exactly when its last row is
 *   at or after the onset.
 * - When the horizon is shorter than the lead time, the precursor only reaches 5 % after the data
 *   ends; `onset_at` is then the last planned sample, so it always lies within the series or
 *   before it, never in the gap between the data and the failure.
 */
import type { FailureType, LabelRow } from '../data/index.ts';
import { formatTimestamp } from '../data/index.ts';
import { FAILURE_TIME_SCALES } from './failures.ts';
import type { SystemPlan } from './types.ts';

const DAY_MS = 86_400_000;
/** A precursor weaker than this share of its strength at the event counts as not started. */
export const PRECURSOR_FLOOR = 0.05;

/**
 * Days before the event at which a failure type's precursor shape (a sum of exponentials, see
 * failures.ts) has fallen to {@link PRECURSOR_FLOOR} of its value at the event; found by
 * bisection since the shape is strictly decreasing. Rounded to 0.01 day.
 */
export function precursorHorizonDays(type: FailureType): number {
  const parts = FAILURE_TIME_SCALES[type];
  const at = (tau: number) =>
    parts.reduce((s, c) => s + c.weight * Math.exp(-tau / c.scaleDays), 0);
  const target = PRECURSOR_FLOOR * at(0);
  let lo = 0;
  let hi = 1;
  while (at(hi) > target) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid) > target) lo = mid;
    else hi = mid;
  }
  return Math.round(hi * 100) / 100;
}

/** Epoch ms of a plan's last planned sample (what lead_time_days counts from). */
export function lastPlannedMs(plan: SystemPlan): number {
  return plan.startMs + (plan.samples - 1) * plan.intervalSeconds * 1000;
}

/** Label lead time of a plan's failure: days, rounded to 0.01 as labels.csv writes it. */
export function roundedLeadDays(leadTimeDays: number): number {
  return Math.round(leadTimeDays * 100) / 100;
}

/** Epoch ms of a failing plan's failure and of its precursor's onset (not clamped to the data). */
export interface FailureInstants {
  readonly failureMs: number;
  /** `failureMs` − the horizon: a window is anomalous when its last row is at or after it. */
  readonly onsetMs: number;
}

/**
 * The failure and onset instants of a failing plan, undefined for a normal one. `horizonDays` is
 * the precursor horizon: a window scenario's `precursorDays`, by default the failure type's own.
 */
export function failureInstants(
  plan: SystemPlan,
  horizonDays?: number | null,
): FailureInstants | undefined {
  const f = plan.failure;
  if (!f) return undefined;
  const failureMs = lastPlannedMs(plan) + Math.round(roundedLeadDays(f.leadTimeDays) * DAY_MS);
  const horizon = horizonDays ?? precursorHorizonDays(f.type);
  return { failureMs, onsetMs: failureMs - Math.round(horizon * DAY_MS) };
}

/**
 * `failure_at` and `onset_at` of a failing plan (see the module comment); empty for a normal one.
 * `horizonDays` as in {@link failureInstants}.
 */
export function failureTimes(
  plan: SystemPlan,
  horizonDays?: number | null,
): Pick<LabelRow, 'failure_at' | 'onset_at'> {
  const at = failureInstants(plan, horizonDays);
  if (!at) return {};
  const onsetMs = Math.min(lastPlannedMs(plan), at.onsetMs);
  return { failure_at: formatTimestamp(at.failureMs), onset_at: formatTimestamp(onsetMs) };
}
