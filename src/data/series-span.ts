/**
 * The observed span of a series file: its first and last timestamp, read without parsing the
 * sensor columns (the alarm metrics need only this, for every system of a fleet).
 */
import { existsSync, statSync } from 'node:fs';
import { HarnessError } from '../errors.ts';
import { readTextFile } from './csv-read.ts';
import { scanSeriesParquet } from './parquet-read.ts';
import type { Problem } from '../errors.ts';
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
  if (statSync(file).isDirectory()) return parquetSpan(file);
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

/**
 * The span of a Parquet partition folder (`raw/system_id=<id>/`, as {@link locateSeries} gives
 * it): its parts read and merged as the loader reads them, so a part that is damaged, out of
 * order or overlapping another is the same HarnessError here. A Parquet file has no text lines
 * to read the first and last of; its timestamp pages are decoded whole.
 */
async function parquetSpan(dir: string): Promise<SeriesSpan> {
  const problems: Problem[] = [];
  const scan = await scanSeriesParquet(dir, { report: (p) => void problems.push(p) });
  if (problems.length === 0 && scan.rows === 0) problems.push({ file: dir, line: 0, column: 0, message: 'no rows' });
  if (problems.length > 0) {
    const first = problems[0] as Problem;
    throw new HarnessError('E_DATA', `cannot read the observed span of ${dir}: ${first.message}`, problems);
  }
  return { first: scan.timestamps[0] as number, last: scan.timestamps[scan.rows - 1] as number };
}
