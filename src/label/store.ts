/**
 * The labels store of the labeling app: validates a label a person submits, applies it to the
 * labels file of the system's source (`data/<source>/labels.csv`; the one `labels.csv` of a flat
 * folder) and records the change in `labels.history.csv` beside that file, so that no label is
 * ever lost.
 *
 * - Every write runs under a lock shared by every process on the machine (a promise queue per
 *   labels file in this process, and a lock file beside its folder across processes, see
 *   data/file-lock.ts), and re-reads the labels file under the lock before applying the change:
 *   two tabs, two servers or an import saving at once never lose a row.
 * - A stale edit (the client loaded version 2, the file now holds 3) is a conflict, not an
 *   overwrite: the caller gets the current row back.
 * - Rows of other systems and sources are written back exactly as they were read (their raw
 *   fields, in their order); optional columns the file has are kept even when empty.
 * - The history gets the change first (`before`/`after` as the full rows in JSON), then the
 *   labels file; both through a temp file and a rename. A crash between the two leaves a
 *   history line for a change the labels file lacks, never the other way round.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError, type Problem } from '../errors.ts';
import {
  assertNoLegacyLabels,
  csvField,
  type DataLayout,
  describeLayout,
  FAILURE_TYPES,
  FAILURE_TYPES_OR_NONE,
  type FailureTypeOrNone,
  isOneOf,
  type Label,
  LABELS,
  LABELS_OPTIONAL,
  LABELS_REQUIRED,
  labelsPathOf,
  failureAtDisagreement,
  locateSeries,
  parseCsv,
  parseLabelsTable,
  parseTimestampAt,
  readSeriesSpan,
  resolveDataDir,
  type Source,
  SOURCES,
  MAX_LEAD_TIME_DAYS,
  SYSTEM_ID_PATTERN,
  throwIfProblems,
  withFileLock,
  finishInterruptedImport,
  removeDeadTemps,
  writeFileAtomic,
  appendLabelHistory,
  historyPathOf,
  readLabelHistory,
  type HistoryEntry,
  realFileOf,
  assertWritable,
} from '../data/index.ts';

import type { LabelRow } from '../data/types.ts';

export const MAX_NOTES_LENGTH = 4000;
export const MAX_LABELER_LENGTH = 100;

/** A problem with one field of a submitted label, shown next to that field. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** A submitted label after validation. */
export interface LabelInput {
  readonly label: Label;
  readonly failure_type: FailureTypeOrNone;
  readonly lead_time_days: number | null;
  readonly confidence: number | null;
  readonly notes: string;
  readonly labeler: string;
  /** The label_version the client loaded (0 = it saw no label); undefined = no stale check. */
  readonly expected_version: number | undefined;
  /**
   * When the failure happened and when its precursor began (ISO 8601 UTC, as labels.csv holds
   * them): a text to set, null to clear, undefined (not sent) to keep what the label has.
   */
  readonly failure_at: string | null | undefined;
  readonly onset_at: string | null | undefined;
}

/** The example every timestamp message shows. */
const INSTANT_EXAMPLE = '2026-01-01T00:00:00Z';

/**
 * A submitted instant: undefined when not sent, null when empty, the trimmed text when it is a
 * contract timestamp (as data/label-times.ts reads labels.csv), 'bad' otherwise.
 */
function instantField(v: unknown): string | null | undefined | 'bad' {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string') return 'bad';
  const t = v.trim();
  if (t === '') return null;
  return Number.isNaN(parseTimestampAt(t, 0, t.length)) ? 'bad' : t;
}

/**
 * The rules of labels.csv for the two instants of an anomaly (data/label-times.ts): onset_at
 * needs a failure_at and is not after it.
 */
export function labelTimesErrors(failureAt: string | null, onsetAt: string | null): FieldError[] {
  if (onsetAt === null) return [];
  if (failureAt === null)
    return [
      { field: 'onset_at', message: 'onset_at needs a failure_at (the onset of which failure?)' },
    ];
  if (
    parseTimestampAt(onsetAt, 0, onsetAt.length) > parseTimestampAt(failureAt, 0, failureAt.length)
  )
    return [
      {
        field: 'onset_at',
        message: `onset_at ${onsetAt} is after failure_at ${failureAt}: a precursor starts before its failure`,
      },
    ];
  return [];
}

export type SaveResult =
  | { readonly status: 'saved'; readonly row: LabelRow; readonly before: LabelRow | null }
  | { readonly status: 'unchanged'; readonly row: LabelRow }
  | { readonly status: 'invalid'; readonly errors: readonly FieldError[] }
  | { readonly status: 'conflict'; readonly current: LabelRow | null; readonly expected: number };

/** A number from JSON: a number, or a decimal numeric string (form fields); '' and null are "empty". */
function numberField(v: unknown): number | null | 'bad' {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'bad';
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return null;
    // Plain decimal only: Number() would also take "0x10" (16), "1e3" is fine but "Infinity" is not.
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return 'bad';
    const n = Number(t);
    return Number.isFinite(n) ? n : 'bad';
  }
  return 'bad';
}

function textField(v: unknown): string | 'bad' {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : 'bad';
}

/**
 * Half of a UTF-16 surrogate pair without its other half. JSON can carry one (`"\ud800"`), UTF-8
 * cannot: labels.csv would get U+FFFD while the reply and the history held the text as sent.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_MESSAGE =
  'has a lone surrogate (half of a UTF-16 pair), which a UTF-8 file cannot hold';

/**
 * Characters as a person counts them: code points, not UTF-16 units (an emoji is two units,
 * and 2001 of them were reported as 4002 characters).
 */
function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * What breaks a line or is no text: the C0 controls (tab, CR, LF), DEL, the C1 controls (U+0085
 * is NEXT LINE) and the Unicode line and paragraph separators.
 */
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Validates a submitted label (a parsed JSON body) against the data contract, collecting one
 * message per bad field: label normal|anomaly; a normal has failure_type none (or none given)
 * and no lead time; an anomaly has one of the six failure types and a lead time ≥ 0 in days;
 * confidence in [0, 1] or empty; notes up to 4000 characters; a labeler (who made the change)
 * of one line; notes and labeler without a lone surrogate; expected_version a whole number ≥ 0 when given; failure_at and onset_at each an
 * ISO 8601 UTC timestamp or empty, on an anomaly only, onset_at not after failure_at.
 */
export function validateLabelInput(
  body: unknown,
): { ok: true; value: LabelInput } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (field: string, message: string): void => void errors.push({ field, message });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      errors: [
        {
          field: '',
          message:
            'expected a JSON object with label, failure_type, lead_time_days, confidence, notes and labeler',
        },
      ],
    };
  }
  const b = body as Record<string, unknown>;
  const known = new Set([
    'label',
    'failure_type',
    'lead_time_days',
    'confidence',
    'notes',
    'labeler',
    'expected_version',
    'failure_at',
    'onset_at',
  ]);
  for (const k of Object.keys(b))
    if (!known.has(k)) err(k, `unknown field "${k}" (expected ${[...known].join(', ')})`);

  let label: Label | undefined;
  if (typeof b['label'] === 'string' && isOneOf(LABELS, b['label'])) label = b['label'];
  else
    err(
      'label',
      b['label'] === undefined || b['label'] === ''
        ? 'choose a label: normal or anomaly'
        : `label must be normal or anomaly, got ${JSON.stringify(b['label'])}`,
    );

  const ftRaw = b['failure_type'];
  let failureType: FailureTypeOrNone | undefined;
  if (ftRaw === undefined || ftRaw === null || ftRaw === '')
    failureType = label === 'anomaly' ? undefined : 'none';
  else if (typeof ftRaw === 'string' && isOneOf(FAILURE_TYPES_OR_NONE, ftRaw)) failureType = ftRaw;
  else
    err(
      'failure_type',
      `failure_type must be none or one of ${FAILURE_TYPES.join(', ')}, got ${JSON.stringify(ftRaw)}`,
    );

  const lead = numberField(b['lead_time_days']);
  if (lead === 'bad') err('lead_time_days', 'lead_time_days must be a number of days ≥ 0');
  else if (lead !== null && (lead < 0 || lead > MAX_LEAD_TIME_DAYS))
    err(
      'lead_time_days',
      `lead_time_days must be from 0 to ${MAX_LEAD_TIME_DAYS} (days from the last sample to the failure; ten years at most), got ${lead}`,
    );

  if (label === 'normal') {
    if (failureType !== undefined && failureType !== 'none')
      err('failure_type', `a normal system has failure_type none, got ${failureType}`);
    if (lead !== null && lead !== 'bad')
      err('lead_time_days', 'a normal system has no lead time: leave lead_time_days empty');
  } else if (label === 'anomaly') {
    if (failureType === undefined && !errors.some((e) => e.field === 'failure_type'))
      err('failure_type', 'an anomaly needs a failure type');
    if (failureType === 'none')
      err(
        'failure_type',
        `an anomaly needs a failure type (one of ${FAILURE_TYPES.join(', ')}), not none`,
      );
    if (lead === null)
      err(
        'lead_time_days',
        'an anomaly needs lead_time_days: days from the last sample to the failure (≥ 0)',
      );
  }

  const confidence = numberField(b['confidence']);
  if (confidence === 'bad' || (confidence !== null && (confidence < 0 || confidence > 1))) {
    err(
      'confidence',
      `confidence must be a number from 0 to 1${confidence === 'bad' ? '' : `, got ${confidence}`}`,
    );
  }

  const notes = textField(b['notes']);
  if (notes === 'bad') err('notes', 'notes must be text');
  else if (characters(notes) > MAX_NOTES_LENGTH)
    err('notes', `notes are limited to ${MAX_NOTES_LENGTH} characters (got ${characters(notes)})`);
  else if (LONE_SURROGATE.test(notes)) err('notes', `notes ${LONE_SURROGATE_MESSAGE}`);

  const labeler = textField(b['labeler']);
  if (labeler === 'bad') err('labeler', 'labeler must be text');
  else if (labeler.trim() === '')
    err('labeler', 'say who you are: the labeler is recorded with every change');
  else if (characters(labeler) > MAX_LABELER_LENGTH)
    err('labeler', `labeler is limited to ${MAX_LABELER_LENGTH} characters`);
  else if (NOT_ONE_LINE.test(labeler)) err('labeler', 'labeler must be one line of text');
  else if (LONE_SURROGATE.test(labeler)) err('labeler', `labeler ${LONE_SURROGATE_MESSAGE}`);

  const failureAt = instantField(b['failure_at']);
  const onsetAt = instantField(b['onset_at']);
  for (const [name, v] of [
    ['failure_at', failureAt],
    ['onset_at', onsetAt],
  ] as const) {
    if (v === 'bad')
      err(
        name,
        `${name} is not an ISO 8601 UTC timestamp: ${JSON.stringify(b[name])} (expected e.g. ${INSTANT_EXAMPLE})`,
      );
    else if (label === 'normal' && typeof v === 'string')
      err(name, `a normal system did not fail: leave ${name} empty, found ${v}`);
  }
  // Both sent: check them now; one kept from the stored label is checked on save.
  if (
    label === 'anomaly' &&
    failureAt !== 'bad' &&
    onsetAt !== 'bad' &&
    onsetAt !== undefined &&
    failureAt !== undefined
  )
    errors.push(...labelTimesErrors(failureAt, onsetAt));

  const ev = b['expected_version'];
  let expected: number | undefined;
  if (ev !== undefined && ev !== null) {
    if (typeof ev === 'number' && Number.isInteger(ev) && ev >= 0) expected = ev;
    else
      err(
        'expected_version',
        `expected_version must be the whole label_version you loaded (0 for none), got ${JSON.stringify(ev)}`,
      );
  }

  if (
    errors.length > 0 ||
    label === undefined ||
    failureType === undefined ||
    lead === 'bad' ||
    confidence === 'bad' ||
    notes === 'bad' ||
    labeler === 'bad' ||
    failureAt === 'bad' ||
    onsetAt === 'bad'
  ) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      label,
      failure_type: label === 'normal' ? 'none' : failureType,
      lead_time_days: label === 'normal' ? null : lead,
      confidence,
      notes,
      labeler: labeler.trim(),
      expected_version: expected,
      failure_at: label === 'normal' ? null : failureAt,
      onset_at: label === 'normal' ? null : onsetAt,
    },
  };
}

/** The labels file as read: the typed rows, the raw fields of each row, and its optional columns. */
interface LabelsFile {
  readonly rows: LabelRow[];
  readonly raw: Record<string, string>[];
  readonly optionalColumns: Set<string>;
  /**
   * How the file ends its lines and whether it starts with a BOM (saved on Windows, or by
   * Excel): written back the same way, so a save changes the bytes of its own row only and a
   * diff of the labels file shows the one label that changed.
   */
  readonly eol: '\n' | '\r\n';
  readonly bom: boolean;
}

const key = (source: string, systemId: string): string => `${source}\u0000${systemId}`;

/**
 * One queue per labels file in this process, so two stores on one file still take turns; keyed
 * by where the file really is (realFileOf), as its lock file is.
 */
const locks = new Map<string, Promise<unknown>>();

function withLock<T>(labelsPath: string, fn: () => Promise<T>): Promise<T> {
  const file = realFileOf(labelsPath);
  const prev = locks.get(file) ?? Promise.resolve();
  // In this process a promise queue; across processes (a second server, an import) the file lock.
  const locked = () => withFileLock(file, fn);
  const run = prev.then(locked, locked);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(file, tail);
  void tail.then(() => {
    if (locks.get(file) === tail) locks.delete(file);
  });
  return run;
}

/** The instants a saved label will carry: what was sent, else what the stored label has. */
function resolvedTimes(
  before: LabelRow | null,
  input: LabelInput,
): { failure_at: string | null; onset_at: string | null } {
  if (input.label === 'normal') return { failure_at: null, onset_at: null };
  return {
    failure_at: input.failure_at === undefined ? (before?.failure_at ?? null) : input.failure_at,
    onset_at: input.onset_at === undefined ? (before?.onset_at ?? null) : input.onset_at,
  };
}

function sameLabel(
  a: LabelRow,
  b: LabelInput,
  times: { failure_at: string | null; onset_at: string | null },
): boolean {
  return (
    (a.failure_at ?? null) === times.failure_at &&
    (a.onset_at ?? null) === times.onset_at &&
    a.label === b.label &&
    a.failure_type === b.failure_type &&
    (a.lead_time_days ?? null) === b.lead_time_days &&
    (a.confidence ?? null) === b.confidence &&
    (a.notes ?? '') === b.notes
  );
}

/** The raw field of a typed row's column, as formatLabelsCsv writes it. */
function fieldText(row: LabelRow, column: string): string {
  const v = (row as unknown as Record<string, unknown>)[column];
  return v === undefined || v === null ? '' : String(v);
}

/**
 * The labels of one data folder, read and written per source file. Construct it with the data
 * folder; a data dir that still has a legacy top-level `labels.csv` is a HarnessError.
 */
export class LabelStore {
  readonly dataDir: string;
  private readonly now: () => Date;

  constructor(dataDir: string, opts: { now?: () => Date } = {}) {
    this.dataDir = resolveDataDir(dataDir);
    this.now = opts.now ?? (() => new Date());
    this.layout();
  }

  /** The folder's layout now (a source folder may appear while the app runs); refuses a legacy labels file. */
  private layout(): DataLayout {
    const layout = describeLayout(this.dataDir);
    assertNoLegacyLabels(layout);
    return layout;
  }

  /** The labels file a row of `source` is read from and written to. */
  labelsPath(source: Source): string {
    return labelsPathOf(this.layout(), source);
  }

  /** The history of the changes to {@link labelsPath}, beside it. */
  historyPath(source: Source): string {
    return historyPathOf(this.labelsPath(source));
  }

  /** The labels files of the folder, one per source (one file in a flat folder). */
  private labelsFiles(sources: readonly Source[] = SOURCES): { file: string; source: Source }[] {
    const seen = new Set<string>();
    const out: { file: string; source: Source }[] = [];
    for (const source of sources) {
      const file = this.labelsPath(source);
      if (!seen.has(file)) out.push({ file, source });
      seen.add(file);
    }
    return out;
  }

  /**
   * Reads one labels file (a missing file has no rows). Any problem in it is a HarnessError: a
   * writer that could not read every row would drop the ones it could not. In a data dir every
   * row must be of the folder's source.
   */
  private async readFileRows(file: string, source: Source): Promise<LabelsFile> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { rows: [], raw: [], optionalColumns: new Set(), eol: '\n', bom: false };
      throw new HarnessError(
        'E_DATA',
        `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
    const problems: Problem[] = [];
    const table = parseCsv(text, file, (p) => problems.push(p));
    const folderSource = this.layout().kind === 'data-dir' ? source : undefined;
    const located = parseLabelsTable(table, (p) => problems.push(p), folderSource);
    throwIfProblems(problems, `cannot read labels ${file}; fix it before labeling`);
    const raw = table.records.map((rec) =>
      Object.fromEntries(table.header.map((h, i) => [h, rec.fields[i] ?? ''])),
    );
    const optionalColumns = new Set(
      table.header.filter((h) => (LABELS_OPTIONAL as readonly string[]).includes(h)),
    );
    const firstLineEnd = text.indexOf('\n');
    return {
      rows: located.map((l) => l.row),
      raw,
      optionalColumns,
      eol: firstLineEnd > 0 && text[firstLineEnd - 1] === '\r' ? '\r\n' : '\n',
      bom: text.startsWith('\ufeff'),
    };
  }

  /** Every label row, source file by source file, each in file order. */
  async rows(): Promise<LabelRow[]> {
    const out: LabelRow[] = [];
    for (const { file, source } of this.labelsFiles())
      out.push(...(await this.readFileRows(file, source)).rows);
    return out;
  }

  /** The label of one system, or undefined when it has none. */
  async get(source: Source, systemId: string): Promise<LabelRow | undefined> {
    return (await this.readFileRows(this.labelsPath(source), source)).rows.find(
      (r) => r.source === source && r.system_id === systemId,
    );
  }

  /** Resolves once every write queued so far has finished (for a clean shutdown). */
  async idle(): Promise<void> {
    for (const { file } of this.labelsFiles()) {
      for (;;) {
        const pending = locks.get(realFileOf(file));
        if (!pending) break;
        await pending;
      }
    }
  }

  /**
   * Validates `body` and applies it to the label of (`source`, `systemId`), under the lock:
   * a new row gets label_version 1 and goes at the end; a changed row keeps its place with its
   * version + 1; an unchanged label (same label, failure type, lead time, confidence, notes,
   * failure_at and onset_at) writes nothing. failure_at/onset_at not sent are kept from the
   * stored label (an anomaly's; a normal has none). `labeled_at` (UTC ISO 8601) and `labeler` are set on every change.
   */
  /**
   * An anomaly's failure_at against its series' span and its lead time, as `harness validate`
   * checks it (lead-time.ts), so the app never writes a label validate then refuses. A series
   * that cannot be read is validate's to report, not a reason to refuse a label.
   */
  private async failureAtError(
    source: Source,
    systemId: string,
    lead: number | null,
    failureAt: string | null,
  ): Promise<FieldError | undefined> {
    if (failureAt === null) return undefined;
    const span = await readSeriesSpan(locateSeries(this.dataDir, source, systemId).path).catch(
      () => undefined,
    );
    if (span === undefined) return undefined;
    const message = failureAtDisagreement(systemId, lead, failureAt, span);
    return message === undefined ? undefined : { field: 'failure_at', message };
  }

  async save(source: string, systemId: string, body: unknown): Promise<SaveResult> {
    const idErrors: FieldError[] = [];
    if (!isOneOf(SOURCES, source))
      idErrors.push({
        field: 'source',
        message: `source must be ${SOURCES.join(' or ')}, got ${JSON.stringify(source)}`,
      });
    if (!SYSTEM_ID_PATTERN.test(systemId)) {
      idErrors.push({
        field: 'system_id',
        message: `unsafe system id ${JSON.stringify(systemId)}: ids must match ${SYSTEM_ID_PATTERN.source}`,
      });
    }
    const v = validateLabelInput(body);
    if (idErrors.length > 0 || !v.ok)
      return { status: 'invalid', errors: [...idErrors, ...(v.ok ? [] : v.errors)] };
    const input = v.value;
    const src = source as Source;
    const labelsPath = this.labelsPath(src);
    return withLock(labelsPath, async () => {
      // A killed import's half-swapped real/ is finished first: its labels.csv may be the old one.
      if (src === 'real' && this.layout().kind === 'data-dir')
        await finishInterruptedImport(this.dataDir, { locked: true });
      // A write through a link leaves its temp file beside the target (atomic.ts).
      await removeDeadTemps(realFileOf(labelsPath));
      await removeDeadTemps(this.historyPath(src));
      const file = await this.readFileRows(labelsPath, src);
      const at = file.rows.findIndex((r) => r.source === src && r.system_id === systemId);
      const before = at >= 0 ? (file.rows[at] as LabelRow) : null;
      const currentVersion = before?.label_version ?? 0;
      if (input.expected_version !== undefined && input.expected_version !== currentVersion) {
        return { status: 'conflict', current: before, expected: input.expected_version } as const;
      }
      const times = resolvedTimes(before, input);
      const timeErrors = labelTimesErrors(times.failure_at, times.onset_at);
      if (timeErrors.length > 0) return { status: 'invalid', errors: timeErrors } as const;
      if (before && sameLabel(before, input, times))
        return { status: 'unchanged', row: before } as const;
      const leadError = await this.failureAtError(
        src,
        systemId,
        input.lead_time_days,
        times.failure_at,
      );
      if (leadError) return { status: 'invalid', errors: [leadError] } as const;
      const after: LabelRow = {
        system_id: systemId,
        label: input.label,
        failure_type: input.failure_type,
        lead_time_days: input.lead_time_days,
        source: src,
        label_version: currentVersion + 1,
        ...(input.confidence !== null ? { confidence: input.confidence } : {}),
        ...(input.notes !== '' ? { notes: input.notes } : {}),
        labeler: input.labeler,
        labeled_at: this.now().toISOString(),
        ...(times.failure_at !== null ? { failure_at: times.failure_at } : {}),
        ...(times.onset_at !== null ? { onset_at: times.onset_at } : {}),
      };
      const rawAfter: Record<string, string> = {};
      for (const c of [...LABELS_REQUIRED, ...LABELS_OPTIONAL]) rawAfter[c] = fieldText(after, c);
      const raw = [...file.raw];
      if (at >= 0) raw[at] = rawAfter;
      else raw.push(rawAfter);
      const used = new Set(file.optionalColumns);
      for (const c of LABELS_OPTIONAL) if (fieldText(after, c) !== '') used.add(c);
      const columns = [...LABELS_REQUIRED, ...LABELS_OPTIONAL.filter((c) => used.has(c))];
      const lines = [
        columns.join(','),
        ...raw.map((r) => columns.map((c) => csvField(r[c] ?? '')).join(',')),
      ];
      const csv = `${file.bom ? '\ufeff' : ''}${lines.join(file.eol)}${file.eol}`;

      // Both files are checked before either is written: a read-only labels.csv refused after
      // its history line was written left a history claiming a label the file lacks.
      await assertWritable([this.historyPath(src), labelsPath], 'the label was not saved');
      await appendLabelHistory(this.historyPath(src), [
        {
          changed_at: after.labeled_at as string,
          labeler: input.labeler,
          source: src,
          system_id: systemId,
          before,
          after,
        },
      ]);
      await writeFileAtomic(labelsPath, csv);
      return { status: 'saved', row: after, before } as const;
    });
  }

  /**
   * The history of every source (or of `filter.source`), oldest first, optionally of one
   * system. A missing file is an empty history.
   */
  async history(filter: { source?: string; systemId?: string } = {}): Promise<HistoryEntry[]> {
    const sources =
      filter.source === undefined ? SOURCES : SOURCES.filter((s) => s === filter.source);
    const files = [...new Set(sources.map((s) => this.historyPath(s)))];
    const out: HistoryEntry[] = [];
    for (const file of files) out.push(...(await this.readHistory(file, filter)));
    // Each file is in time order; the sort merges the sources' files (stable for equal times).
    return files.length > 1
      ? out.sort((a, b) => (a.changed_at < b.changed_at ? -1 : a.changed_at > b.changed_at ? 1 : 0))
      : out;
  }

  /** The entries of one history file that pass `filter`, in file order. */
  private async readHistory(
    historyPath: string,
    filter: { source?: string; systemId?: string },
  ): Promise<HistoryEntry[]> {
    const { entries, problems } = await readLabelHistory(historyPath);
    throwIfProblems(problems, `cannot read the label history ${historyPath}`);
    const out: HistoryEntry[] = [];
    for (const { line: _line, ...entry } of entries) {
      if (filter.source !== undefined && entry.source !== filter.source) continue;
      if (filter.systemId !== undefined && entry.system_id !== filter.systemId) continue;
      out.push(entry);
    }
    return out;
  }
}
