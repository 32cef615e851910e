/**
 * The observed span of a series file: its first and last timestamp, read without parsing the
 * sensor columns (the alarm metrics need only this, for every system of a fleet).
 */
import { existsSync } from 'node:fs';
import { HarnessError } from '../errors.ts';
import { readTextFile } from './csv-read.ts';
import { parseTimestampAt } from './series-scan.ts';

/** First and last timestamp of a series, epoch ms. */
export interface SeriesSpan {
  readonly first: number;
  readonly last: number;
}

/**
 * First and last timestamp (first field of the first and last data rows) of a series file;
 * timestamps strictly increase by contract, so they bound the series. Undefined when the file
 * does not exist. A file with no data row, or whose first or last timestamp is not ISO 8601
 * UTC, is a HarnessError located at file:line:1 (`harness validate` checks the rest).
 */
export async function readSeriesSpan(file: string): Promise<SeriesSpan | undefined> {
  if (!existsSync(file)) return undefined;
  const text = await readTextFile(file);
  const headerEnd = text.indexOf('\n');
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  if (headerEnd < 0 || headerEnd >= end)
    throw new HarnessError('E_DATA', `series ${file} has no data rows: its observed span is unknown`, [
      { file, line: 1, column: 1, message: 'a header and no rows' },
    ]);
  const lastStart = text.lastIndexOf('\n', end - 1) + 1;
  const field = (a: number): [number, number] => {
    let b = a;
    while (b < text.length && text[b] !== ',' && text[b] !== '\n' && text[b] !== '\r') b++;
    return [a, b];
  };
  const read = (a: number, line: () => number): number => {
    const [s, e] = field(a);
    const ms = parseTimestampAt(text, s, e);
    if (ms !== ms)
      throw new HarnessError('E_DATA', `cannot read the observed span of ${file}`, [
        { file, line: line(), column: 1, message: `not an ISO 8601 UTC timestamp: ${JSON.stringify(text.slice(s, e))}` },
      ]);
    return ms;
  };
  const first = read(headerEnd + 1, () => 2);
  // The last line's number is counted only for an error message.
  const last = read(lastStart, () => text.slice(0, lastStart).split('\n').length);
  return { first, last };
}
