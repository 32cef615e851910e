/**
 * An anomaly's `lead_time_days` is the time from its series' last sample to `failure_at`, so a
 * label that gives both must agree with its series. `lead_time_days` 2 beside a `failure_at` 24.8
 * days after the data ends (a typo in the label app, a hand edit) put the system in one
 * lead-time bucket while the alarm metrics measured warning from the other date. Checked by
 * `harness validate` and by the label app before it saves.
 */

/** How far `failure_at` − last sample may be from `lead_time_days`: a lead time written in whole days, or rounded, still agrees. */
export const LEAD_TIME_TOLERANCE_DAYS = 1;

/**
 * Why `failure_at` (ISO 8601) disagrees with `lead` days after the last sample `last` (epoch ms)
 * of `systemId`, or undefined when they agree. A `failure_at` inside the series is left alone: a
 * labeler marks on the plot a failure the telemetry recorded (the app draws it there), which no
 * lead time after the data's end can describe.
 */
export function leadTimeDisagreement(systemId: string, lead: number, failureAt: string, last: number): string | undefined {
  const days = (Date.parse(failureAt) - last) / 86_400_000;
  if (days < 0 || !(Math.abs(days - lead) > LEAD_TIME_TOLERANCE_DAYS)) return undefined;
  return `failure_at ${failureAt} is ${days.toFixed(1)} days after the last sample of ${systemId} (${new Date(last).toISOString()}), but lead_time_days says ${lead}: lead_time_days is the time from the last sample to the failure (the two may differ by at most ${LEAD_TIME_TOLERANCE_DAYS} day)`;
}
