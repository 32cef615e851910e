/**
 * `--labels` rows checked against the series they label, by the rule `harness validate` and the
 * label app apply (lead-time.ts): a failure_at before the data, or one after it that disagrees
 * with lead_time_days, was merged at exit 0 and then refused by validate.
 */
import { failureAtDisagreement, type SampleSpan } from '../lead-time.ts';
import { readCsvFile } from '../csv-read.ts';
import { locateSeries } from '../layout.ts';
import { readSeriesSpan } from '../series-span.ts';
import type { Problem } from '../../errors.ts';
import type { LabelRow } from '../types.ts';
import type { LocatedRow } from '../row-fields.ts';
import type { ImportedSystem } from './split.ts';

/**
 * A problem at the failure_at cell of each row of `file` that disagrees with its series: the
 * imported one when this import writes the system, else the stored one. A stored series that
 * cannot be read is validate's to report, not a reason to refuse a label (as in the label app).
 */
export async function labelSpanProblems(
  file: string,
  provided: readonly LocatedRow<LabelRow>[],
  systems: readonly ImportedSystem[],
  dataDir: string,
): Promise<Problem[]> {
  const timed = provided.filter((p) => p.row.failure_at !== undefined);
  if (timed.length === 0) return [];
  const column = (await readCsvFile(file)).header.indexOf('failure_at') + 1;
  const imported = new Map(systems.map((s) => [s.systemId, s]));
  const problems: Problem[] = [];
  for (const { row, line } of timed) {
    const span = await spanOf(row.system_id, imported, dataDir);
    if (span === undefined) continue;
    const message = failureAtDisagreement(row.system_id, row.lead_time_days, row.failure_at!, span);
    if (message !== undefined) problems.push({ file, line, column, message });
  }
  return problems;
}

async function spanOf(
  id: string,
  imported: ReadonlyMap<string, ImportedSystem>,
  dataDir: string,
): Promise<SampleSpan | undefined> {
  const s = imported.get(id);
  if (s !== undefined) return { first: s.timestamps[0]!, last: s.timestamps[s.timestamps.length - 1]! };
  return readSeriesSpan(locateSeries(dataDir, 'real', id).path).catch(() => undefined);
}
