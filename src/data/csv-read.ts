import { CsvError, parse } from 'csv-parse/sync';
import { HarnessError, type Problem } from '../errors.ts';
import { readRegularText } from './read-file.ts';

/** One data row of a CSV file and the 1-based line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** A parsed CSV file: the header, and every data row that has as many fields as the header. */
export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  readonly records: readonly CsvRecord[];
  /** Data rows in the file, counting ragged rows that `records` leaves out. */
  readonly rowCount: number;
  /** False when a syntax error stopped parsing: header and records are then empty, not partial. */
  readonly complete: boolean;
}

/** Where problems go: collected by validation, thrown by the loaders. */
export type ProblemSink = (p: Problem) => void;

/** Number of `\n` in `s` from `from` to `to`. */
function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The line a record starts on: csv-parse reports the line it ends on and the raw text, which
 * may begin with skipped blank lines and ends with the record delimiter. */
function startLine(endLine: number, raw: string): number {
  let a = 0;
  while (a < raw.length && (raw[a] === '\n' || raw[a] === '\r')) a++;
  let b = raw.length;
  while (b > a && (raw[b - 1] === '\n' || raw[b - 1] === '\r')) b--;
  return endLine - countNewlines(raw, a, b);
}

/**
 * Parses CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks; a BOM and
 * blank lines are skipped). A row with the wrong number of fields, or text csv-parse cannot
 * read, goes to `report` located as file:line:column and is left out of `records`; parsing
 * stops at the first syntax error because nothing after an unclosed quote can be located.
 * An empty file has an empty header. `delimiter` defaults to a comma (the contract's files);
 * `harness import` passes the export's own.
 */
export function parseCsv(text: string, file: string, report: ProblemSink, options: { readonly delimiter?: string } = {}): CsvTable {
  return splitPlainCsv(text, file, report, options.delimiter ?? ',') ?? parseCsvExact(text, file, report, options);
}

/**
 * {@link parseCsv} for text without a quote or a CR, which is every file the harness writes
 * and most exports: lines split on LF, fields on the delimiter, with csv-parse's results (empty
 * lines skipped, ragged rows reported and left out). Null for any other text. csv-parse with
 * the line information parseCsv needs made a record object per row: 10,000 metadata rows took
 * 230 ms and 20 MB at peak, which loading a fleet paid in every thread.
 */
export function splitPlainCsv(text: string, file: string, report: ProblemSink, delimiter: string): CsvTable | null {
  if (text.includes('"') || text.includes('\r')) return null;
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');
  let header: string[] | null = null;
  const records: CsvRecord[] = [];
  let rowCount = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const fields = line.split(delimiter);
    if (header === null) {
      header = fields;
      continue;
    }
    rowCount++;
    if (fields.length !== header.length) {
      report(raggedProblem(file, i + 1, fields.length, header.length));
      continue;
    }
    records.push({ line: i + 1, fields });
  }
  return { file, header: header ?? [], records, rowCount, complete: true };
}

/** {@link parseCsv} through csv-parse: any RFC 4180 text, every syntax error located. */
export function parseCsvExact(text: string, file: string, report: ProblemSink, options: { readonly delimiter?: string } = {}): CsvTable {
  let rows: { record: string[]; raw: string; info: { lines: number } }[];
  // Line of the last record parsed: an unclosed quote is only noticed at the end of the file,
  // but the record it belongs to starts right after this one.
  let lastLine = 0;
  try {
    rows = parse(text, {
      bom: true,
      delimiter: options.delimiter ?? ',',
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record, context) => {
        lastLine = context.lines;
        return record;
      },
    }) as typeof rows;
  } catch (err) {
    if (err instanceof CsvError) {
      const e = err as CsvError & { lines?: number; column?: number };
      if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
        const lines = text.split('\n');
        let line = lastLine + 1;
        while (line < lines.length && (lines[line - 1] ?? '').trim() === '') line++;
        report({ file, line, column: 0, message: 'not valid CSV: a quoted field that starts on this line is never closed' });
      } else {
        report({
          file,
          line: typeof e.lines === 'number' ? e.lines : 1,
          column: typeof e.column === 'number' ? e.column + 1 : 0,
          message: `not valid CSV: ${err.message}`,
        });
      }
      return { file, header: [], records: [], rowCount: 0, complete: false };
    }
    throw err;
  }
  const first = rows[0];
  if (!first) return { file, header: [], records: [], rowCount: 0, complete: true };
  const header = first.record;
  const records: CsvRecord[] = [];
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i];
    if (!r) continue;
    const line = startLine(r.info.lines, r.raw);
    if (r.record.length !== header.length) {
      report(raggedProblem(file, line, r.record.length, header.length));
      continue;
    }
    records.push({ line, fields: r.record });
  }
  return { file, header, records, rowCount: rows.length - 1, complete: true };
}

/** A row with `found` fields where the header has `expected`: located at the first extra or missing field. */
export function raggedProblem(file: string, line: number, found: number, expected: number): Problem {
  return {
    file,
    line,
    column: found > expected ? expected + 1 : found + 1,
    message: `row has ${found} field${found === 1 ? '' : 's'} but the header has ${expected}`,
  };
}

/** Throws a HarnessError('E_DATA') carrying `problems` when there are any. */
export function throwIfProblems(problems: readonly Problem[], what: string): void {
  if (problems.length === 0) return;
  const files = [...new Set(problems.map((p) => p.file))];
  throw new HarnessError(
    'E_DATA',
    `${what}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files.join(', ')} (run \`harness validate\` to see every problem in the data folder)`,
    problems,
  );
}

/** Reads and parses a CSV file, throwing a HarnessError for a missing file, a syntax error or a ragged row. */
export async function readCsvFile(file: string): Promise<CsvTable> {
  const text = await readTextFile(file);
  const problems: Problem[] = [];
  const table = parseCsv(text, file, (p) => problems.push(p));
  throwIfProblems(problems, `cannot read ${file}`);
  return table;
}

/** Reads a UTF-8 file; a missing, unreadable or non-regular file is a HarnessError naming the path. */
export const readTextFile = readRegularText;

/**
 * Checks a header against the columns a file must and may have: a missing required column,
 * an unknown column and a duplicate column are each a problem on line 1. Returns the index of
 * every known column by name.
 */
export function checkHeader(
  table: Pick<CsvTable, 'file' | 'header'>,
  required: readonly string[],
  optional: readonly string[],
  report: ProblemSink,
  suggest?: (name: string) => string,
): Map<string, number> {
  const { file, header } = table;
  const index = new Map<string, number>();
  const known = new Set([...required, ...optional]);
  header.forEach((name, i) => {
    const column = i + 1;
    if (index.has(name)) {
      report({ file, line: 1, column, message: `duplicate column "${name}" (first at column ${(index.get(name) ?? 0) + 1})` });
    } else if (!known.has(name)) {
      report({
        file,
        line: 1,
        column,
        message: name === '' ? 'empty column name' : `unknown column "${name}"${suggest ? suggest(name) : ''}`,
      });
    } else {
      index.set(name, i);
    }
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length > 0) {
    report({
      file,
      line: 1,
      column: 0,
      message: `missing required column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (header: ${header.join(',') || 'empty'})`,
    });
  }
  return index;
}
