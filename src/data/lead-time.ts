/**
 * An anomaly's `lead_time_days` is the time from its series' last sample to `failure_at`, so a
 * label that gives both must agree with its series. `lead_time_days` 2 beside a `failure_at` 24.8
 * days after the data ends (a typo in the label app, a hand edit) put the system in one
 * lead-time bucket while the alarm metrics measured warning from the other date. Checked by
 * `harness validate` and by the label app before it saves.
 */

/** How far `failure_at` − last sample may be from `lead_time_days`: a lead time written in whole days, or rounded, still agrees. */
export const LEAD_TIME_TOLERANCE_DAYS = 1;

/** The first and last sample of a series, epoch ms. */
export interface SampleSpan {
  readonly first: number;
  readonly last: number;
}

/**
 * Why an anomaly's `failure_at` (ISO 8601) disagrees with its series `span` (epoch ms) or with
 * `lead` days after the last sample, or undefined when it agrees:
 * - before the first sample: a failure is labelled where its data shows it or after, and one
 *   before the data is almost always a year or month typed wrong (2024 for 2025), which would
 *   put every sample after the failure and the alarm metrics' warning window before the data;
 * - after the last sample, more than a day off `lead` (see the module comment).
 * A `failure_at` inside the series is left alone: a labeler marks on the plot a failure the
 * telemetry recorded (the app draws it there), which no lead time after the data's end can describe.
 */
export function failureAtDisagreement(systemId: string, lead: number | null, failureAt: string, span: SampleSpan): string | undefined {
  const at = Date.parse(failureAt);
  if (at < span.first) {
    const days = (span.first - at) / 86_400_000;
    return `failure_at ${failureAt} is ${days.toFixed(1)} days before the first sample of ${systemId} (${new Date(span.first).toISOString()}): a failure is labelled during its series or after it (is the year or month right?)`;
  }
  if (lead === null) return undefined;
  const days = (at - span.last) / 86_400_000;
  if (days < 0 || !(Math.abs(days - lead) > LEAD_TIME_TOLERANCE_DAYS)) return undefined;
  return `failure_at ${failureAt} is ${days.toFixed(1)} days after the last sample of ${systemId} (${new Date(span.last).toISOString()}), but lead_time_days says ${lead}: lead_time_days is the time from the last sample to the failure (the two may differ by at most ${LEAD_TIME_TOLERANCE_DAYS} day)`;
}
