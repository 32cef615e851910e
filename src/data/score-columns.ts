/**
 * A scores file read into typed columns: a million scores without a row object each. The byte
 * path accepts exactly the rows readScoresFile accepts and gives up on anything else, so a file
 * with a problem is read by readScoresFile's parser and its messages are unchanged.
 */
import { isSafeIdAt, plainDecimalAt, type ByteTable } from './csv-bytes.ts';
import { DECIMAL, NON_FINITE, parseScoresText, SCORES_OPTIONAL, SCORES_REQUIRED, type ScoreRow } from './load-scores.ts';
import { SOURCES } from './schema.ts';
import { cleanHeader, codesOf, FieldCursor, FieldStrings, readTableColumns } from './table-columns.ts';

/** The scores of one file as columns, row i of each array being one score. */
export interface ScoreColumns {
  readonly file: string;
  readonly n: number;
  readonly ids: readonly string[];
  readonly score: Float64Array;
  /** Index into SOURCES; undefined when the file has no source column. */
  readonly source?: Uint8Array;
  readonly lines: Int32Array;
}

const SOURCE_CODES = codesOf(SOURCES);

/** Reads a scores file into columns; throws HarnessError('E_SCORES') listing the problems (as readScoresFile does). */
export async function readScoreColumns(file: string): Promise<ScoreColumns> {
  return readTableColumns(file, scoreColumnsFromBytes, (text) => scoreColumnsOf(file, parseScoresText(text, file)));
}

/** A score's text as readScoresFile reads it (trimmed, a plain decimal, finite); undefined otherwise. */
function scoreOfText(text: string): number | undefined {
  const raw = text.trim();
  if (raw === '' || NON_FINITE.test(raw) || !DECIMAL.test(raw)) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) ? v : undefined;
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
  const ids = new Array<string>(n);
  const score = new Float64Array(n);
  const source = cSource >= 0 ? new Uint8Array(n) : undefined;
  // A system scored twice is an error: one set of ids per source (one in all without the column).
  const seen = [new Set<string>(), new Set<string>()];
  const enums = new FieldStrings(buf);
  const f = new FieldCursor(t);
  for (let r = 0; r < n; r++) {
    f.at(r, cId);
    if (!isSafeIdAt(buf, f.a, f.b)) return null;
    const id = buf.toString('latin1', f.a, f.b);
    f.at(r, cScore);
    const v = f.empty ? undefined : (plainDecimalAt(buf, f.a, f.b) ?? scoreOfText(buf.toString('utf8', f.a, f.b)));
    if (v === undefined) return null;
    let src = 0;
    if (source) {
      const code = SOURCE_CODES.get(enums.get(f.at(r, cSource).a, f.b));
      if (code === undefined) return null;
      source[r] = src = code;
    }
    const ids0 = seen[src]!;
    if (ids0.has(id)) return null;
    ids0.add(id);
    ids[r] = id;
    score[r] = v;
  }
  return { file: t.file, n, ids, score, ...(source ? { source } : {}), lines: t.lines.slice() };
}

/** Score rows (from the exact path) as columns. */
export function scoreColumnsOf(file: string, rows: readonly ScoreRow[]): ScoreColumns {
  const withSource = rows.some((r) => r.source !== undefined);
  return {
    file,
    n: rows.length,
    ids: rows.map((r) => r.systemId),
    score: Float64Array.from(rows, (r) => r.score),
    ...(withSource ? { source: Uint8Array.from(rows, (r) => SOURCES.indexOf(r.source!)) } : {}),
    lines: Int32Array.from(rows, (r) => r.line),
  };
}

/** Row i of the columns as a ScoreRow (the shape readScoresFile returns). */
export function scoreRowAt(c: ScoreColumns, i: number): ScoreRow {
  const base = { systemId: c.ids[i]!, score: c.score[i]!, line: c.lines[i]! };
  return c.source ? { ...base, source: SOURCES[c.source[i]!]! } : base;
}
