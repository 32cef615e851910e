/**
 * Reads `alarms.csv`, alarms raised by a detector anywhere (a plant's SCADA, a notebook, a
 * streaming job): `system_id,alarm_at`, plus an optional `score` and `source`.
 */
import { HarnessError, type Problem } from '../errors.ts';
import { checkHeader, parseCsv, readTextFile } from './csv-read.ts';
import { SOURCES, isOneOf, systemIdProblem, type Source } from './schema.ts';
import { parseTimestampAt } from './series-scan.ts';
import { didYouMean } from './suggest.ts';

/** One alarm of `alarms.csv` and the 1-based line it is on. */
export interface AlarmRow {
  readonly systemId: string;
  /** Epoch milliseconds. */
  readonly atMs: number;
  readonly line: number;
  /** The detector's score at the alarm, when the file has one. */
  readonly score?: number;
  /** Set when the file has a `source` column (needed when an id is labelled in both sources). */
  readonly source?: Source;
}

/** Required columns of `alarms.csv`. */
export const ALARMS_REQUIRED = ['system_id', 'alarm_at'] as const;
/** Optional columns of `alarms.csv`; any other column is an error (it is usually a typo). */
export const ALARMS_OPTIONAL = ['score', 'source'] as const;

const MAX_PROBLEMS = 50;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Epoch ms of an `alarm_at`: a contract timestamp (`…Z`), or the same written with the offset
 * `+00:00`, which is UTC exactly (pandas writes a UTC timestamp so). Any other offset, `-00:00`
 * (RFC 3339's "offset unknown") included, is NaN: alarms are judged in UTC against the labels.
 */
function parseAlarmAt(when: string): number {
  if (when.endsWith('+00:00')) return parseTimestampAt(`${when.slice(0, -6)}Z`, 0, when.length - 5);
  return parseTimestampAt(when, 0, when.length);
}

/**
 * Reads an `alarms.csv`. Every problem is located as file:line:column: a missing, unknown or
 * duplicate column, an empty or unsafe system id, an `alarm_at` that is not ISO 8601 UTC
 * (`2026-01-01T00:00:00Z`, or `…+00:00`), a `score` that is not a finite number (an empty score is allowed:
 * the score is informative only), an unknown source. Several alarms of one system at one
 * instant are allowed (the metrics count them once). Up to 50 problems are collected, then
 * thrown as one `HarnessError('E_ALARMS')`. Rows come back in file order.
 */
export async function readAlarmsFile(file: string): Promise<AlarmRow[]> {
  const text = await readTextFile(file);
  const problems: Problem[] = [];
  let more = 0;
  const report = (p: Problem): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
    else more++;
  };
  const table = parseCsv(text, file, report);
  const all = [...ALARMS_REQUIRED, ...ALARMS_OPTIONAL];
  // A missing column is put at column 1 of the header, as every other problem of this file has
  // a 1-based column (checkHeader's 0 is the whole line, the convention of the data files).
  const headerReport = (p: Problem): void => report(p.line === 1 && p.column === 0 ? { ...p, column: 1 } : p);
  const index = checkHeader(table, ALARMS_REQUIRED, ALARMS_OPTIONAL, headerReport, (n) => didYouMean(n, all));
  const out: AlarmRow[] = [];
  const idCol = index.get('system_id');
  const atCol = index.get('alarm_at');
  const scoreCol = index.get('score');
  const sourceCol = index.get('source');
  if (idCol !== undefined && atCol !== undefined) {
    for (const rec of table.records) {
      let bad = false;
      const problem = (col: number, message: string): void => {
        bad = true;
        report({ file, line: rec.line, column: col + 1, message });
      };
      const id = rec.fields[idCol] ?? '';
      const idProblem = systemIdProblem(id);
      if (idProblem !== undefined) problem(idCol, idProblem);
      const when = rec.fields[atCol] ?? '';
      const atMs = parseAlarmAt(when);
      if (atMs !== atMs)
        problem(atCol, `alarm_at is not an ISO 8601 UTC timestamp: ${JSON.stringify(when)} (expected e.g. 2026-01-01T00:00:00Z or 2026-01-01T00:00:00+00:00)`);
      let score: number | undefined;
      if (scoreCol !== undefined) {
        const raw = (rec.fields[scoreCol] ?? '').trim();
        if (raw !== '') {
          score = DECIMAL.test(raw) ? Number(raw) : NaN;
          if (!Number.isFinite(score)) problem(scoreCol, `score is not a finite number: ${JSON.stringify(raw)}`);
        }
      }
      let source: Source | undefined;
      if (sourceCol !== undefined) {
        const s = rec.fields[sourceCol] ?? '';
        if (isOneOf(SOURCES, s)) source = s;
        else problem(sourceCol, `unknown source ${JSON.stringify(s)}${didYouMean(s, SOURCES)} (expected one of ${SOURCES.join(', ')})`);
      }
      if (!bad)
        out.push({
          systemId: id,
          atMs,
          line: rec.line,
          ...(score !== undefined ? { score } : {}),
          ...(source !== undefined ? { source } : {}),
        });
    }
  }
  if (problems.length > 0) {
    const total = problems.length + more;
    const shown = more > 0 ? ` (the first ${problems.length} are listed)` : '';
    throw new HarnessError('E_ALARMS', `cannot read alarms ${file}: ${total} problem${total === 1 ? '' : 's'}${shown}`, problems);
  }
  return out;
}
