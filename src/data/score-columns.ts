/**
 * A scores file read into typed columns: a million scores without a row object each. The byte
 * path accepts exactly the rows readScoresFile accepts and gives up on anything else, so a file
 * with a problem is read by readScoresFile's parser and its messages are unchanged.
 */
import { enumBytes, enumCodeAt, isSafeIdAt, plainDecimalAt, type ByteTable } from './csv-bytes.ts';
import { IdColumn } from './id-column.ts';
import { DECIMAL, isIntegerPastExact, NON_FINITE, parseScoresText, SCORES_OPTIONAL, SCORES_REQUIRED, type ScoreRow } from './load-scores.ts';
import { SOURCES } from './schema.ts';
import { cleanHeader, FieldCursor, readTableColumns } from './table-columns.ts';

/** The scores of one file as columns, row i of each array being one score. */
export interface ScoreColumns {
  readonly file: string;
  readonly n: number;
  /** System ids, tagged with their source code (0 without a source column). */
  readonly ids: IdColumn;
  readonly score: Float64Array;
  /** Index into SOURCES; undefined when the file has no source column. */
  readonly source?: Uint8Array;
  readonly lines: Int32Array;
}

const SOURCE_BYTES = enumBytes(SOURCES);

/** Reads a scores file into columns; throws HarnessError('E_SCORES') listing the problems (as readScoresFile does). */
export async function readScoreColumns(file: string): Promise<ScoreColumns> {
  return readTableColumns(file, scoreColumnsFromBytes, (text) => scoreColumnsOf(file, parseScoresText(text, file)));
}

/** A score's text as readScoresFile reads it (trimmed, a plain decimal, finite); undefined otherwise. */
function scoreOfText(text: string): number | undefined {
  const raw = text.trim();
  if (raw === '' || NON_FINITE.test(raw) || !DECIMAL.test(raw)) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) return undefined;
  // An integer past 2^53 is a problem the exact path names (load-scores.ts).
  return isIntegerPastExact(raw) ? undefined : v;
}

/** The byte path: the columns, or null at the first row readScoresFile would report. */
export function scoreColumnsFromBytes(t: ByteTable): ScoreColumns | null {
  const index = cleanHeader(t, SCORES_REQUIRED, SCORES_OPTIONAL);
  if (index === null) return null;
  const cId = index.get('system_id')!;
  const cScore = index.get('score')!;
  const cSource = index.get('source') ?? -1;
  const n = t.rows;
  const buf = t.buf;
  const ids = new IdColumn(buf, n);
  const score = new Float64Array(n);
  const source = cSource >= 0 ? new Uint8Array(n) : undefined;
  const f = new FieldCursor(t);
  for (let r = 0; r < n; r++) {
    f.at(r, cScore);
    const v = f.empty ? undefined : (plainDecimalAt(buf, f.a, f.b) ?? scoreOfText(buf.toString('utf8', f.a, f.b)));
    if (v === undefined) return null;
    let src = 0;
    if (source) {
      f.at(r, cSource);
      src = enumCodeAt(buf, f.a, f.b, SOURCE_BYTES);
      if (src < 0) return null;
      source[r] = src;
    }
    // A system scored twice (within a source, when the file says it) is an error.
    f.at(r, cId);
    if (!isSafeIdAt(buf, f.a, f.b) || ids.add(f.a, f.b, src) >= 0) return null;
    score[r] = v;
  }
  return { file: t.file, n, ids, score, ...(source ? { source } : {}), lines: t.lines.slice() };
}

/** Score rows (from the exact path) as columns. */
export function scoreColumnsOf(file: string, rows: readonly ScoreRow[]): ScoreColumns {
  const withSource = rows.some((r) => r.source !== undefined);
  const source = Uint8Array.from(rows, (r) => (r.source === undefined ? 0 : SOURCES.indexOf(r.source)));
  return {
    file,
    n: rows.length,
    ids: IdColumn.of(
      rows.map((r) => r.systemId),
      source,
    ),
    score: Float64Array.from(rows, (r) => r.score),
    ...(withSource ? { source } : {}),
    lines: Int32Array.from(rows, (r) => r.line),
  };
}

/** Row i of the columns as a ScoreRow (the shape readScoresFile returns). */
export function scoreRowAt(c: ScoreColumns, i: number): ScoreRow {
  const base = { systemId: c.ids.at(i), score: c.score[i]!, line: c.lines[i]! };
  return c.source ? { ...base, source: SOURCES[c.source[i]!]! } : base;
}
