import type { Problem } from '../errors.ts';
import { checkHeader, parseCsv, readTextFile, throwIfProblems, type CsvTable, type ProblemSink } from './csv-read.ts';
import { pathExistsSync } from './path-exists.ts';
import { finishInterruptedImport } from './swap-journal.ts';
import { describeLayout, resolveDataDir, selectSources, type DataLayout, type SourceLayout } from './layout.ts';
import { FAILURE_TYPES_OR_NONE, LABELS, LABELS_OPTIONAL, LABELS_REQUIRED, MAX_LEAD_TIME_DAYS, SOURCES, type Source } from './schema.ts';
import { labelTimes } from './label-times.ts';
import { RowReader, type LocatedRow } from './row-fields.ts';
import { didYouMean } from './suggest.ts';
import type { LabelRow, LoadOptions } from './types.ts';

const POSITIVE_INT = /^[1-9]\d*$/;

/**
 * Parses the rows of a labels table, reporting every problem: bad header, enum values,
 * lead time and label consistency (normal ⇒ failure_type none and no lead time; anomaly ⇒ a
 * failure type and a lead time ≥ 0), label_version, confidence, unsafe ids, a system
 * labelled twice within one source, and (in a data dir, where the folder names the source) a
 * row whose source is not the folder's, and `failure_at`/`onset_at` (see labelTimes). Rows with a problem are left out.
 */
export function parseLabelsTable(table: CsvTable, report: ProblemSink, folderSource?: Source): LocatedRow<LabelRow>[] {
  const index = checkHeader(table, LABELS_REQUIRED, LABELS_OPTIONAL, report, (n) =>
    didYouMean(n, [...LABELS_REQUIRED, ...LABELS_OPTIONAL]),
  );
  if (LABELS_REQUIRED.some((c) => !index.has(c))) return [];
  const out: LocatedRow<LabelRow>[] = [];
  const firstLine = new Map<string, number>();
  for (const rec of table.records) {
    const r = new RowReader(table.file, rec.line, rec.fields, index, report);
    const systemId = r.systemId();
    const label = r.oneOf('label', LABELS);
    const failureType = r.oneOf('failure_type', FAILURE_TYPES_OR_NONE);
    const lead = r.number('lead_time_days', 0, MAX_LEAD_TIME_DAYS, `a number of days from 0 to ${MAX_LEAD_TIME_DAYS} (ten years)`);
    const source = r.oneOf('source', SOURCES);
    if (source !== undefined && folderSource !== undefined && source !== folderSource) {
      r.problem('source', `source ${source} in the ${folderSource} labels file: every row of this file must be ${folderSource} (${source} labels go in ${source}/labels.csv)`);
    }
    const versionText = r.text('label_version') ?? '';
    if (!POSITIVE_INT.test(versionText)) {
      r.problem('label_version', `label_version must be a positive integer, found ${JSON.stringify(versionText)}`);
    }
    const confidence = r.number('confidence', 0, 1, 'a confidence between 0 and 1');
    const times = labelTimes(r, label);
    if (label === 'normal') {
      if (failureType !== undefined && failureType !== 'none') {
        r.problem('failure_type', `a normal system has failure_type none, found ${JSON.stringify(failureType)}`);
      }
      if (lead !== null && lead !== undefined) {
        r.problem('lead_time_days', `a normal system has an empty lead_time_days, found ${r.text('lead_time_days')}`);
      }
    } else if (label === 'anomaly') {
      if (failureType === 'none') r.problem('failure_type', 'an anomaly needs a failure type, found none');
      if (lead === null) r.problem('lead_time_days', 'an anomaly needs a lead_time_days (days from the last sample to the failure)');
    }
    if (systemId !== undefined && source !== undefined) {
      const key = `${source}\u0000${systemId}`;
      const first = firstLine.get(key);
      if (first !== undefined) {
        r.problem('system_id', `duplicate label for system ${systemId} (source ${source}); first on line ${first}`);
      } else {
        firstLine.set(key, rec.line);
      }
    }
    if (r.bad || systemId === undefined || label === undefined || failureType === undefined || source === undefined || lead === undefined || confidence === undefined) {
      continue;
    }
    const row: LabelRow = {
      system_id: systemId,
      label,
      failure_type: failureType,
      lead_time_days: lead,
      source,
      label_version: Number(versionText),
      ...(confidence !== null ? { confidence } : {}),
      ...optional(r, 'notes'),
      ...optional(r, 'labeler'),
      ...optional(r, 'labeled_at'),
      ...times,
    };
    out.push({ row, line: rec.line });
  }
  return out;
}

function optional(r: RowReader, name: 'notes' | 'labeler' | 'labeled_at'): Partial<LabelRow> {
  const v = r.optionalText(name);
  return v === undefined ? {} : { [name]: v };
}

/**
 * Reads and parses a labels file with line numbers; throws a HarnessError listing every problem.
 * `folderSource`: the source every row must have (the file is a data dir's `<source>/labels.csv`).
 */
export async function readLocatedLabels(file: string, opts: { allowMissing?: boolean; folderSource?: Source } = {}): Promise<LocatedRow<LabelRow>[]> {
  // A file that is there but cannot be read (a loop of links, a folder) is an error, never "no rows".
  if (opts.allowMissing && !pathExistsSync(file)) return [];
  const text = await readTextFile(file);
  const problems: Problem[] = [];
  const rows = parseLabelsTable(parseCsv(text, file, (p) => problems.push(p)), (p) => problems.push(p), opts.folderSource);
  throwIfProblems(problems, `cannot read labels ${file}`);
  return rows;
}

/**
 * Reads a labels file, every source. A missing file is an error unless `allowMissing` (for
 * merging into a file that does not exist yet); a file with any bad row is always an error,
 * so a caller that rewrites the file can never drop rows it could not read.
 */
export async function readLabelsFile(file: string, opts: { allowMissing?: boolean; folderSource?: Source } = {}): Promise<LabelRow[]> {
  return (await readLocatedLabels(file, opts)).map((r) => r.row);
}

/** One label row with the file it was read from. */
export interface FiledLabel {
  readonly file: string;
  readonly located: LocatedRow<LabelRow>;
}

/**
 * The label rows of `sources` (from {@link selectSources}), source folder by source folder, each
 * with its file. In a data dir every row must carry its folder's source. A missing real labels
 * file has no rows (real systems wait to be labelled); a missing synthetic or flat one is an
 * error unless `allowMissing`.
 */
export async function readSourceLabels(layout: DataLayout, sources: readonly SourceLayout[], opts: { allowMissing?: boolean } = {}): Promise<FiledLabel[]> {
  const out: FiledLabel[] = [];
  for (const s of sources) {
    const dataDir = layout.kind === 'data-dir';
    const allowMissing = opts.allowMissing === true || (dataDir && s.source === 'real');
    const rows = await readLocatedLabels(s.labelsPath, { allowMissing, ...(dataDir ? { folderSource: s.source } : {}) });
    for (const located of rows) out.push({ file: s.labelsPath, located });
  }
  return out;
}

/**
 * The labels of the data folder, filtered by `source` (default all): `<dir>/<source>/labels.csv`
 * per source folder, or the one `<dir>/labels.csv` of a flat folder.
 */
export async function loadLabels(opts: LoadOptions = {}): Promise<LabelRow[]> {
  await finishInterruptedImport(resolveDataDir(opts.dataDir));
  const layout = describeLayout(resolveDataDir(opts.dataDir));
  const selector = opts.source ?? 'all';
  const rows = (await readSourceLabels(layout, selectSources(layout, selector))).map((l) => l.located.row);
  return selector === 'all' ? rows : rows.filter((r) => r.source === selector);
}
