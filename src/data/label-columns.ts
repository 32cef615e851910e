/**
 * A labels file read into typed columns: what `harness evaluate` joins a million scores against.
 * The byte path accepts exactly the rows parseLabelsTable accepts, and gives up on anything
 * else, so a file with a problem is read by parseLabelsTable and its messages are unchanged.
 */
import { labelInstantMs } from './label-times.ts';
import { parseLabelsTable } from './load-labels.ts';
import { FAILURE_TYPES_OR_NONE, LABELS, LABELS_OPTIONAL, LABELS_REQUIRED, SOURCES, type Source } from './schema.ts';
import { cleanHeader, FieldCursor, FieldStrings, parseExactTable, readTableColumns } from './table-columns.ts';
import { enumBytes, enumCodeAt, isSafeIdAt, type ByteTable } from './csv-bytes.ts';
import { IdColumn } from './id-column.ts';
import type { LocatedRow } from './row-fields.ts';
import type { LabelRow } from './types.ts';

/** The labels of one or more files as columns, row i of each array being one label. */
export interface LabelColumns {
  /** The files read; `fileOf[i]` indexes it. */
  readonly files: readonly string[];
  readonly fileOf: Uint8Array;
  readonly n: number;
  /** System ids, tagged with their source code (the same id may be labelled once per source). */
  readonly ids: IdColumn;
  /** 1 = anomaly, 0 = normal. */
  readonly anomaly: Uint8Array;
  /** Index into FAILURE_TYPES_OR_NONE. */
  readonly failureType: Uint8Array;
  /** Days; NaN for a normal (an empty field). */
  readonly leadTime: Float64Array;
  /** Index into SOURCES. */
  readonly source: Uint8Array;
  readonly labelVersion: Float64Array;
  /** NaN when absent. */
  readonly confidence: Float64Array;
  /** Present when the file has the column; undefined entries for empty fields. */
  readonly notes?: readonly (string | undefined)[];
  readonly labeler?: readonly (string | undefined)[];
  readonly labeledAt?: readonly (string | undefined)[];
  readonly failureAt?: readonly (string | undefined)[];
  readonly onsetAt?: readonly (string | undefined)[];
  /** The 1-based line of each row in its file. */
  readonly lines: Int32Array;
}

const LABEL_BYTES = enumBytes(LABELS);
const FAILURE_BYTES = enumBytes(FAILURE_TYPES_OR_NONE);
const SOURCE_BYTES = enumBytes(SOURCES);
const NONE = FAILURE_TYPES_OR_NONE.indexOf('none');

/**
 * Reads a labels file into columns; throws a HarnessError listing every problem (as
 * readLocatedLabels does). `folderSource`: the source every row must have.
 */
export async function readLabelColumns(file: string, folderSource?: Source): Promise<LabelColumns> {
  return readTableColumns(
    file,
    (t) => labelColumnsFromBytes(t, folderSource),
    (text) =>
      parseExactTable(
        text,
        file,
        'labels',
        (t, report) => parseLabelsTable(t, report, folderSource),
        (rows) => labelColumnsOf(file, rows),
      ),
  );
}

/** The byte path: the columns, or null at the first row parseLabelsTable would report. */
export function labelColumnsFromBytes(t: ByteTable, folderSource?: Source): LabelColumns | null {
  const index = cleanHeader(t, LABELS_REQUIRED, LABELS_OPTIONAL);
  if (index === null) return null;
  const col = (name: string): number => index.get(name) ?? -1;
  const [cId, cLabel, cFail, cLead, cSource, cVersion] = LABELS_REQUIRED.map(col) as [number, number, number, number, number, number];
  const [cConf, cNotes, cLabeler, cAt, cFailAt, cOnsetAt] = LABELS_OPTIONAL.map(col) as [number, number, number, number, number, number];
  const n = t.rows;
  const buf = t.buf;
  const ids = new IdColumn(buf, n);
  const anomaly = new Uint8Array(n);
  const failureType = new Uint8Array(n);
  const leadTime = new Float64Array(n);
  const source = new Uint8Array(n);
  const labelVersion = new Float64Array(n);
  const confidence = new Float64Array(n).fill(NaN);
  const text = (c: number) => (c < 0 ? undefined : new Array<string | undefined>(n));
  const notes = text(cNotes);
  const labeler = text(cLabeler);
  const labeledAt = text(cAt);
  const failureAt = text(cFailAt);
  const onsetAt = text(cOnsetAt);
  const free = new FieldStrings(buf, 1024);
  const folder = folderSource === undefined ? -1 : SOURCES.indexOf(folderSource);
  const f = new FieldCursor(t);
  for (let r = 0; r < n; r++) {
    f.at(r, cLabel);
    const label = enumCodeAt(buf, f.a, f.b, LABEL_BYTES);
    f.at(r, cFail);
    const fail = enumCodeAt(buf, f.a, f.b, FAILURE_BYTES);
    f.at(r, cSource);
    const src = enumCodeAt(buf, f.a, f.b, SOURCE_BYTES);
    if (label < 0 || fail < 0 || src < 0 || (folder >= 0 && src !== folder)) return null;
    // A system labelled twice within one source is a problem of the exact path's.
    f.at(r, cId);
    if (!isSafeIdAt(buf, f.a, f.b) || ids.add(f.a, f.b, src) >= 0) return null;
    const lead = f.at(r, cLead).number();
    if (lead === undefined || lead < 0) return null;
    // label_version: a positive integer (`^[1-9]\d*$`), short enough to be read exactly here.
    f.at(r, cVersion);
    if (f.b - f.a > 15 || f.empty || buf[f.a] === 48) return null;
    let version = 0;
    for (let i = f.a; i < f.b; i++) {
      const d = (buf[i] as number) - 48;
      if (d < 0 || d > 9) return null;
      version = version * 10 + d;
    }
    if (cConf >= 0) {
      const c = f.at(r, cConf).number();
      if (c === undefined || c < 0 || c > 1) return null;
      confidence[r] = c;
    }
    // normal ⇔ failure_type none and no lead time.
    const isAnomaly = label === 1;
    if (isAnomaly === (fail === NONE) || isAnomaly === Number.isNaN(lead)) return null;
    anomaly[r] = label;
    failureType[r] = fail;
    leadTime[r] = lead;
    source[r] = src;
    labelVersion[r] = version;
    if (notes) notes[r] = f.at(r, cNotes).empty ? undefined : free.get(f.a, f.b);
    if (labeler) labeler[r] = f.at(r, cLabeler).empty ? undefined : free.get(f.a, f.b);
    if (labeledAt) labeledAt[r] = f.at(r, cAt).empty ? undefined : free.get(f.a, f.b);
    // failure_at / onset_at (label-times.ts): only on an anomaly, each an instant, onset ≤ failure
    // with a failure; anything else is the exact path's to report.
    const failText = failureAt && !f.at(r, cFailAt).empty ? free.get(f.a, f.b) : undefined;
    const onsetText = onsetAt && !f.at(r, cOnsetAt).empty ? free.get(f.a, f.b) : undefined;
    if (failText !== undefined || onsetText !== undefined) {
      if (!isAnomaly) return null;
      const failMs = labelInstantMs(failText);
      if (failText !== undefined && failMs !== failMs) return null;
      if (onsetText !== undefined) {
        const onsetMs = labelInstantMs(onsetText);
        if (onsetMs !== onsetMs || failText === undefined || onsetMs > failMs) return null;
      }
      if (failureAt) failureAt[r] = failText;
      if (onsetAt) onsetAt[r] = onsetText;
    }
  }
  return {
    files: [t.file],
    fileOf: new Uint8Array(n),
    n,
    ids,
    anomaly,
    failureType,
    leadTime,
    source,
    labelVersion,
    confidence,
    ...(notes ? { notes } : {}),
    ...(labeler ? { labeler } : {}),
    ...(labeledAt ? { labeledAt } : {}),
    ...(failureAt ? { failureAt } : {}),
    ...(onsetAt ? { onsetAt } : {}),
    lines: t.lines.slice(),
  };
}

/** Label rows (from the exact path) as columns. */
export function labelColumnsOf(file: string, rows: readonly LocatedRow<LabelRow>[]): LabelColumns {
  const n = rows.length;
  const has = (k: 'notes' | 'labeler' | 'labeled_at' | 'failure_at' | 'onset_at') =>
    rows.some((r) => r.row[k] !== undefined);
  const source = Uint8Array.from(rows, (r) => SOURCES.indexOf(r.row.source));
  return {
    files: [file],
    fileOf: new Uint8Array(n),
    n,
    ids: IdColumn.of(
      rows.map((r) => r.row.system_id),
      source,
    ),
    anomaly: Uint8Array.from(rows, (r) => (r.row.label === 'anomaly' ? 1 : 0)),
    failureType: Uint8Array.from(rows, (r) => FAILURE_TYPES_OR_NONE.indexOf(r.row.failure_type)),
    leadTime: Float64Array.from(rows, (r) => r.row.lead_time_days ?? NaN),
    source,
    labelVersion: Float64Array.from(rows, (r) => r.row.label_version),
    confidence: Float64Array.from(rows, (r) => r.row.confidence ?? NaN),
    ...(has('notes') ? { notes: rows.map((r) => r.row.notes) } : {}),
    ...(has('labeler') ? { labeler: rows.map((r) => r.row.labeler) } : {}),
    ...(has('labeled_at') ? { labeledAt: rows.map((r) => r.row.labeled_at) } : {}),
    ...(has('failure_at') ? { failureAt: rows.map((r) => r.row.failure_at) } : {}),
    ...(has('onset_at') ? { onsetAt: rows.map((r) => r.row.onset_at) } : {}),
    lines: Int32Array.from(rows, (r) => r.line),
  };
}

/** Row i of the columns as a LabelRow (the shape parseLabelsTable returns). */
export function labelRowAt(c: LabelColumns, i: number): LabelRow {
  const lead = c.leadTime[i] as number;
  const conf = c.confidence[i] as number;
  const notes = c.notes?.[i];
  const labeler = c.labeler?.[i];
  const labeledAt = c.labeledAt?.[i];
  const failureAt = c.failureAt?.[i];
  const onsetAt = c.onsetAt?.[i];
  return {
    system_id: c.ids.at(i),
    label: c.anomaly[i] === 1 ? 'anomaly' : 'normal',
    failure_type: FAILURE_TYPES_OR_NONE[c.failureType[i] as number]!,
    lead_time_days: Number.isNaN(lead) ? null : lead,
    source: SOURCES[c.source[i] as number]!,
    label_version: c.labelVersion[i] as number,
    ...(Number.isNaN(conf) ? {} : { confidence: conf }),
    ...(notes !== undefined ? { notes } : {}),
    ...(labeler !== undefined ? { labeler } : {}),
    ...(labeledAt !== undefined ? { labeled_at: labeledAt } : {}),
    ...(failureAt !== undefined ? { failure_at: failureAt } : {}),
    ...(onsetAt !== undefined ? { onset_at: onsetAt } : {}),
  };
}

/** Several files' labels as one set of columns, in file order (a data folder's source folders). */
export function concatLabelColumns(parts: readonly LabelColumns[]): LabelColumns {
  if (parts.length === 1) return parts[0]!;
  const rows = parts.flatMap((p) => Array.from({ length: p.n }, (_, i) => ({ file: p.files[0]!, located: { row: labelRowAt(p, i), line: p.lines[i]! } })));
  const joined = labelColumnsOf('', rows.map((r) => r.located));
  const files = parts.map((p) => p.files[0]!);
  return { ...joined, files, fileOf: Uint8Array.from(rows, (r) => files.indexOf(r.file)) };
}
