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

/** A quote where RFC 4180 allows none, located as an editor shows it. */
interface QuoteError {
  readonly kind: 'opening' | 'closing' | 'unclosed';
  readonly line: number;
  /** 1-based field of the record. */
  readonly column: number;
}

/** What {@link recordLines} found: the line each record starts on, up to the first misplaced quote. */
interface RecordLines {
  /** 1-based start line of every record (blank lines hold none), in file order. */
  readonly starts: readonly number[];
  readonly quoteError?: QuoteError;
}

/**
 * The line each record of `text` starts on, counted as an editor counts: CRLF, LF and a CR alone
 * are each one line break, inside a quoted field too. csv-parse's own count (`info.lines`)
 * counts a CRLF inside quotes as two breaks, so every multi-line Excel note pushed the problems
 * below it one line down; and it fixes the record delimiter to the first one it meets, so a file
 * whose lines end first in CRLF and then in LF was read as one long row. Quotes follow csv-parse's
 * rules (a quote opens a field only at its start; a closing quote is followed by a delimiter, a
 * line break or the end), so the first misplaced one is the error csv-parse throws, located here.
 */
function recordLines(text: string, delimiter: string): RecordLines {
  const starts: number[] = [];
  const n = text.length;
  let line = 1;
  let field = 0;
  let fieldStart = true;
  let inRecord = false;
  const isBreak = (c: number): boolean => c === 10 || c === 13;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isBreak(c)) {
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line++;
      inRecord = false;
      field = 0;
      fieldStart = true;
      continue;
    }
    if (!inRecord) {
      inRecord = true;
      starts.push(line);
    }
    if (text.startsWith(delimiter, i)) {
      i += delimiter.length;
      field++;
      fieldStart = true;
      continue;
    }
    i++;
    if (c !== 34) {
      fieldStart = false;
      continue;
    }
    if (!fieldStart) return { starts, quoteError: { kind: 'opening', line, column: field + 1 } };
    const openLine = line;
    for (;;) {
      if (i >= n) return { starts, quoteError: { kind: 'unclosed', line: openLine, column: field + 1 } };
      const q = text.charCodeAt(i);
      if (q === 34 && text.charCodeAt(i + 1) === 34) i += 2;
      else if (q === 34) break;
      else if (isBreak(q)) {
        i += q === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
        line++;
      } else i++;
    }
    i++;
    if (i < n && !isBreak(text.charCodeAt(i)) && !text.startsWith(delimiter, i)) {
      return { starts, quoteError: { kind: 'closing', line, column: field + 1 } };
    }
    fieldStart = false;
  }
  return { starts };
}

/**
 * Parses CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks; a BOM and
 * blank lines are skipped; a line may end in CRLF, LF or a CR alone, mixed in one file, and
 * lines are numbered as an editor numbers them). A row with the wrong number of fields, or text csv-parse cannot
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
  const delimiter = options.delimiter ?? ',';
  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      delimiter,
      // Any of the three ends a line, whichever the file begins with (see recordLines).
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (err) {
    if (err instanceof CsvError) {
      const e = err as CsvError & { lines?: number; column?: number };
      // csv-parse's line is off by one for every CRLF inside quotes before it: recordLines
      // finds the same misplaced quote and says where it is.
      const at = recordLines(text, delimiter).quoteError;
      const line = at?.line ?? (typeof e.lines === 'number' ? e.lines : 1);
      if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
        report({ file, line, column: 0, message: 'not valid CSV: a quoted field that starts on this line is never closed' });
      } else {
        report({
          file,
          line,
          column: at?.column ?? (typeof e.column === 'number' ? e.column + 1 : 0),
          message: `not valid CSV: ${at ? err.message.replace(/ at line \d+/, ` at line ${line}`) : err.message}`,
        });
      }
      return { file, header: [], records: [], rowCount: 0, complete: false };
    }
    throw err;
  }
  const first = rows[0];
  if (!first) return { file, header: [], records: [], rowCount: 0, complete: true };
  const { starts } = recordLines(text, delimiter);
  if (starts.length !== rows.length) throw new Error(`csv-read: ${rows.length} records parsed but ${starts.length} found in ${file}`);
  const header = first;
  const records: CsvRecord[] = [];
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i] as string[];
    const line = starts[i] as number;
    if (r.length !== header.length) {
      report(raggedProblem(file, line, r.length, header.length));
      continue;
    }
    records.push({ line, fields: r });
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
 * every known column by name. A table whose parsing stopped at a syntax error (`complete`
 * false) has no header to check: its one problem is the syntax error, already reported.
 */
export function checkHeader(
  table: Pick<CsvTable, 'file' | 'header'> & { readonly complete?: boolean },
  required: readonly string[],
  optional: readonly string[],
  report: ProblemSink,
  suggest?: (name: string) => string,
): Map<string, number> {
  const { file, header } = table;
  const index = new Map<string, number>();
  if (table.complete === false) return index;
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
