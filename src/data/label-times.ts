/**
 * The two optional instants of a label, `failure_at` and `onset_at`, parsed and checked in one
 * place so the labels parser only spreads the result into its row.
 */
import type { RowReader } from './row-fields.ts';
import type { Label } from './schema.ts';
import { parseTimestampAt } from './series-scan.ts';
import type { LabelRow } from './types.ts';

/** Epoch ms of a contract timestamp, NaN when it is not one or absent (a label without failure_at). */
export function labelInstantMs(text: string | undefined): number {
  return text === undefined ? NaN : parseTimestampAt(text, 0, text.length);
}

function instant(r: RowReader, name: 'failure_at' | 'onset_at'): { text: string; ms: number } | undefined {
  const text = r.optionalText(name);
  if (text === undefined) return undefined;
  const ms = labelInstantMs(text);
  if (ms !== ms) {
    r.problem(name, `${name} is not an ISO 8601 UTC timestamp: ${JSON.stringify(text)} (expected e.g. 2026-01-01T00:00:00Z)`);
    return undefined;
  }
  return { text, ms };
}

/**
 * `failure_at` and `onset_at` of a row (each optional, empty = unknown). Each must be an ISO 8601
 * UTC timestamp as series write them; only an anomaly may carry them (a normal did not fail);
 * `onset_at` needs a `failure_at` and must not be after it. Problems go to the row's reader.
 */
export function labelTimes(r: RowReader, label: Label | undefined): Pick<LabelRow, 'failure_at' | 'onset_at'> {
  const failure = instant(r, 'failure_at');
  const onset = instant(r, 'onset_at');
  if (label === 'normal') {
    for (const [name, v] of [['failure_at', failure], ['onset_at', onset]] as const) {
      if (v !== undefined) r.problem(name, `a normal system has an empty ${name}, found ${v.text}`);
    }
    return {};
  }
  if (onset !== undefined && r.optionalText('failure_at') === undefined) {
    r.problem('onset_at', 'onset_at needs a failure_at (the onset of which failure?)');
  } else if (onset !== undefined && failure !== undefined && onset.ms > failure.ms) {
    r.problem('onset_at', `onset_at ${onset.text} is after failure_at ${failure.text}: a precursor starts before its failure`);
  }
  return {
    ...(failure !== undefined ? { failure_at: failure.text } : {}),
    ...(onset !== undefined ? { onset_at: onset.text } : {}),
  };
}
