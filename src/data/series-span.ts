/**
 * The observed span of a series file: its first and last timestamp, read without parsing the
 * sensor columns (the alarm metrics need only this, for every system of a fleet).
 */
import { existsSync, statSync } from 'node:fs';
import { HarnessError } from '../errors.ts';
import { readTextFile } from './csv-read.ts';
import { scanSeriesParquet } from './parquet-read.ts';
import type { Problem } from '../errors.ts';
import { CR_ONLY, parseTimestampAt } from './series-scan.ts';

/** First and last timestamp of a series, epoch ms. */
export interface SeriesSpan {
  readonly first: number;
  readonly last: number;
}

/** The start of the first line at or after `from` that is not blank (LF or CRLF line ends), and its line number. */
function nonBlankLine(text: string, from: number, line: number): { readonly at: number; readonly line: number } {
  let at = from;
  let n = line;
  for (;;) {
    if (text.charCodeAt(at) === 13 && text.charCodeAt(at + 1) === 10) at++;
    if (text.charCodeAt(at) !== 10) return { at, line: n };
    at++;
    n++;
  }
}

/**
 * First and last timestamp (first field of the first and last data rows) of a series file;
 * timestamps strictly increase by contract, so they bound the series. Blank lines are skipped
 * where the series loader skips them (before the header, between rows, at the end). Undefined
 * when the file does not exist. A file with no data row, whose lines end in a CR alone, or whose
 * first or last timestamp is not ISO 8601 UTC, is a HarnessError located at file:line
 * (`harness validate` checks the rest).
 */
export async function readSeriesSpan(file: string): Promise<SeriesSpan | undefined> {
  if (!existsSync(file)) return undefined;
  if (statSync(file).isDirectory()) return parquetSpan(file);
  const text = await readTextFile(file);
  const head = nonBlankLine(text, text.charCodeAt(0) === 0xfeff ? 1 : 0, 1);
  let headerEnd = text.indexOf('\n', head.at);
  const headerStop = headerEnd < 0 ? text.length : headerEnd;
  if (text.slice(head.at, text.charCodeAt(headerStop - 1) === 13 ? headerStop - 1 : headerStop).includes('\r'))
    throw new HarnessError('E_DATA', `cannot read the observed span of ${file}`, [{ file, line: head.line, column: 0, message: CR_ONLY }]);
  if (headerEnd < 0) headerEnd = text.length;
  const row = nonBlankLine(text, headerEnd + 1, head.line + 1);
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  if (row.at >= end)
    throw new HarnessError('E_DATA', `series ${file} has no data rows: its observed span is unknown`, [
      { file, line: head.line, column: 1, message: 'a header and no rows' },
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
  const first = read(row.at, () => row.line);
  // The last line's number is counted only for an error message.
  const lastLine = () => text.slice(0, lastStart).split('\n').length;
  const last = read(lastStart, lastLine);
  // The rows between are not read (`harness validate` checks their order), but a last row that
  // is not after the first would make a span of zero or less: false alarms per month divided by it.
  if (lastStart > row.at && last <= first)
    throw new HarnessError('E_DATA', `cannot read the observed span of ${file}`, [
      { file, line: lastLine(), column: 1, message: `the last row's timestamp ${text.slice(...field(lastStart))} is not after the first row's ${text.slice(...field(row.at))} (line ${row.line}): timestamps must strictly increase` },
    ]);
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
