/**
 * The small hand-written fleets of the `evaluate --alarms` integration tests: one header and one
 * three-sample day series, so that each test's file shows only the labels and alarms it is about.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** labels.csv's header with the event times alarm evaluation reads. */
export const ALARM_LABELS_HEADER =
  'system_id,label,failure_type,lead_time_days,source,label_version,failure_at,onset_at\n';

/** A series of three readings on `day` (YYYY-MM-DD): 00:00, 12:00 and 23:00 UTC. */
export const daySeries = (day: string): string =>
  `timestamp,voltage_v\n${day}T00:00:00Z,800\n${day}T12:00:00Z,801\n${day}T23:00:00Z,802\n`;

/**
 * Writes a hand-written fleet into `dir`: labels.csv (`labels`, the rows after
 * {@link ALARM_LABELS_HEADER}), metadata.csv when `metadata` is given (whole, header included),
 * and raw/<id>.csv as {@link daySeries} of each system's day in `series`.
 */
export async function writeAlarmFleet(
  dir: string,
  fleet: { labels: string; metadata?: string; series: Readonly<Record<string, string>> },
): Promise<void> {
  await mkdir(path.join(dir, 'raw'), { recursive: true });
  await writeFile(path.join(dir, 'labels.csv'), ALARM_LABELS_HEADER + fleet.labels);
  if (fleet.metadata !== undefined) await writeFile(path.join(dir, 'metadata.csv'), fleet.metadata);
  for (const [id, day] of Object.entries(fleet.series))
    await writeFile(path.join(dir, 'raw', `${id}.csv`), daySeries(day));
}
