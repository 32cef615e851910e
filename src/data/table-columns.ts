/**
 * What the columnar readers of labels, metadata and scores share: the byte path first, the exact
 * path (parseCsv + the row parser, with every problem located as file:line:column) when the byte
 * path gives up. The byte path gives up at the first thing it does not accept, so a file is read
 * by the exact path whenever it has a problem, and the messages are the exact path's.
 */
import type { Problem } from '../errors.ts';
import { checkHeader, parseCsv, throwIfProblems, type CsvTable, type ProblemSink } from './csv-read.ts';
import { FieldStrings, plainDecimalAt, readByteTable, type ByteTable } from './csv-bytes.ts';
import { utf8Text } from './read-file.ts';
import { parseNumberText } from './series-scan.ts';

/** How many tables each path read in this process: the benchmark prints it. */
export const tablePathCounts = { bytes: 0, exact: 0 };

/**
 * Reads `file` with `fast` on its split bytes; when the file does not split or `fast` returns
 * null, with `exact` on its text (which throws a HarnessError listing every problem).
 */
export async function readTableColumns<T>(file: string, fast: (t: ByteTable) => T | null, exact: (text: string) => T): Promise<T> {
  const { bytes, table } = await readByteTable(file);
  const got = table === null ? null : fast(table);
  if (got !== null) {
    tablePathCounts.bytes++;
    return got;
  }
  tablePathCounts.exact++;
  return exact(utf8Text(bytes, file));
}

/**
 * The exact path of a labels or metadata file: parseCsv and the table's row parser, throwing a
 * HarnessError (`cannot read <what> <file>`) listing every problem, else the rows as columns.
 */
export function parseExactTable<R, T>(
  text: string,
  file: string,
  what: string,
  parseTable: (table: CsvTable, report: ProblemSink) => R,
  toColumns: (rows: R) => T,
): T {
  const problems: Problem[] = [];
  const rows = parseTable(
    parseCsv(text, file, (p) => problems.push(p)),
    (p) => problems.push(p),
  );
  throwIfProblems(problems, `cannot read ${what} ${file}`);
  return toColumns(rows);
}

/** Column index by name when the header is clean (no unknown, duplicate or missing column); else null. */
export function cleanHeader(t: ByteTable, required: readonly string[], optional: readonly string[]): Map<string, number> | null {
  const problems: Problem[] = [];
  const index = checkHeader(t, required, optional, (p) => problems.push(p));
  return problems.length === 0 ? index : null;
}

/** Field j of row r of a byte table: a cursor that reads its bounds. */
export class FieldCursor {
  /** Start and end (exclusive) of the current field. */
  a = 0;
  b = 0;
  private readonly stride: number;
  constructor(private readonly t: ByteTable) {
    this.stride = t.header.length + 1;
  }
  /** Moves to field `col` of row `row`; returns this. */
  at(row: number, col: number): this {
    const k = row * this.stride + col;
    this.a = this.t.bounds[k] as number;
    this.b = (this.t.bounds[k + 1] as number) - 1;
    return this;
  }
  get empty(): boolean {
    return this.a === this.b;
  }
  /** The field as a number: NaN when empty, undefined when not a number (parseNumberText's rules). */
  number(): number | undefined {
    if (this.a === this.b) return NaN;
    const v = plainDecimalAt(this.t.buf, this.a, this.b);
    if (v !== undefined) return v;
    const w = parseNumberText(this.t.buf.toString('latin1', this.a, this.b));
    return w === undefined || w !== w ? undefined : w;
  }
}

/** Index of each value of an enum, for lookups by decoded field text. */
export function codesOf(values: readonly string[]): ReadonlyMap<string, number> {
  return new Map(values.map((v, i) => [v, i]));
}

export { FieldStrings };
