/**
 * When a synthetic failure happens and when its precursor begins, as the label's `failure_at`
 * and `onset_at` (ISO 8601 UTC).
 *
 * - `failure_at` = the rack's last planned sample + the label's `lead_time_days` (the rounded
 *   value written in labels.csv, so `failure_at − last sample = lead_time_days` holds exactly).
 * - `onset_at` = `failure_at` − the failure type's precursor horizon: the time before the event
 *   at which its precursor shape (a sum of exponentials, failures.ts) has fallen to
 *   {@link PRECURSOR_FLOOR} (5 %) of its value at the event. The shape is normalised (weights sum
 *   to 1), so this is where the precursor intensity first reaches 5 % of its intensity at the
 *   failure, whatever the severity (as long as severity ≤ 1; above, the clipped intensity reaches
 *   its plateau earlier and the onset is a lower bound). It is the same floor that makes a window
 *   `anomaly` (windows.ts), so a window is anomalous exactly when it ends after the onset.
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

/** `failure_at` and `onset_at` of a failing plan (see the module comment); empty for a normal one. */
export function failureTimes(plan: SystemPlan): Pick<LabelRow, 'failure_at' | 'onset_at'> {
  const f = plan.failure;
  if (!f) return {};
  const last = lastPlannedMs(plan);
  const failureMs = last + Math.round(roundedLeadDays(f.leadTimeDays) * DAY_MS);
  const onsetMs = Math.min(last, failureMs - Math.round(precursorHorizonDays(f.type) * DAY_MS));
  return { failure_at: formatTimestamp(failureMs), onset_at: formatTimestamp(onsetMs) };
}
