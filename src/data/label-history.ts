/**
 * The history of a labels file: `labels.history.csv` beside it, one line per change of a row
 * (`before` and `after` as the full rows in JSON; `before` empty for a new row). Every writer of
 * labels appends to it: the label app for each save, `harness import --labels` for the rows it
 * replaces. It is written before the labels file, so a crash between the two leaves a history
 * line for a change the labels file lacks, never a change without its line.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError, type Problem } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import { parseCsv } from './csv-read.ts';
import { csvField } from './csv-write.ts';
import { isOneOf, SOURCES, SYSTEM_ID_PATTERN } from './schema.ts';
import { parseTimestampAt } from './series-scan.ts';
import { realFileOf } from './shared-file.ts';
import type { LabelRow } from './types.ts';

export const HISTORY_FILE = 'labels.history.csv';
export const HISTORY_COLUMNS = [
  'changed_at',
  'labeler',
  'source',
  'system_id',
  'before',
  'after',
] as const;

/** One line of the history: `before` is null for a new row. */
export interface HistoryEntry {
  readonly changed_at: string;
  readonly labeler: string;
  readonly source: string;
  readonly system_id: string;
  readonly before: LabelRow | null;
  readonly after: LabelRow | null;
}

/**
 * The history file of the labels file `labelsPath`: beside the file it really is (realFileOf), so
 * two projects linking one shared labels.csv keep one history of it, as they share its lock.
 */
export const historyPathOf = (labelsPath: string): string =>
  path.join(path.dirname(realFileOf(labelsPath)), HISTORY_FILE);

/** A history line as read: its entry and its line in the file. */
export interface LocatedHistoryEntry extends HistoryEntry {
  readonly line: number;
}

/** A `before`/`after` field: empty, or the JSON of a label row (an object). */
function rowField(text: string): LabelRow | null | 'bad' {
  if (text === '') return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as LabelRow) : 'bad';
  } catch {
    return 'bad';
  }
}

/**
 * Parses the text of the history file `file`, reporting every problem at its line and column
 * (the field): CSV syntax and ragged lines (a merge conflict's `<<<<<<< HEAD` is one), a header
 * other than {@link HISTORY_COLUMNS}, a changed_at that is not a timestamp, a source or system
 * id that is not one, a before/after that is not the JSON of a label row, or a line with
 * neither. `firstLine` numbers the lines of a tail parsed alone (its header a copy).
 */
export function parseLabelHistory(
  text: string,
  file: string,
  report: (p: Problem) => void,
  firstLine = 1,
): LocatedHistoryEntry[] {
  const at = (line: number): number => line + firstLine - 1;
  const table = parseCsv(text, file, (p) => report({ ...p, line: at(p.line) }));
  if (!table.complete || table.header.length === 0) return [];
  if (table.header.join(',') !== HISTORY_COLUMNS.join(',')) {
    report({
      file,
      line: 1,
      column: 0,
      message: `the header must be ${HISTORY_COLUMNS.join(',')}, found ${table.header.join(',')}`,
    });
    return [];
  }
  const out: LocatedHistoryEntry[] = [];
  for (const rec of table.records) {
    const line = at(rec.line);
    const [changedAt = '', labeler = '', source = '', systemId = '', beforeText = '', afterText = ''] =
      rec.fields;
    const bad = (column: number, message: string): void =>
      report({ file, line, column, message });
    const before = rowField(beforeText);
    const after = rowField(afterText);
    if (Number.isNaN(parseTimestampAt(changedAt, 0, changedAt.length)))
      bad(1, `changed_at is not an ISO 8601 UTC timestamp: ${JSON.stringify(changedAt)}`);
    else if (!isOneOf(SOURCES, source))
      bad(3, `source must be ${SOURCES.join(' or ')}, found ${JSON.stringify(source)}`);
    else if (!SYSTEM_ID_PATTERN.test(systemId))
      bad(4, `system_id is not a system id: ${JSON.stringify(systemId)}`);
    else if (before === 'bad') bad(5, 'before is not empty nor the JSON of a label row');
    else if (after === 'bad') bad(6, 'after is not empty nor the JSON of a label row');
    else if (before === null && after === null) bad(5, 'before and after are both empty');
    else
      out.push({ changed_at: changedAt, labeler, source, system_id: systemId, before, after, line });
  }
  return out;
}

/** The text of the history file, '' when there is none. */
async function readHistoryText(historyPath: string): Promise<string> {
  return readFile(historyPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
}

/** The entries of the history file `historyPath` (none when it does not exist) and its problems. */
export async function readLabelHistory(
  historyPath: string,
): Promise<{ entries: LocatedHistoryEntry[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const entries = parseLabelHistory(await readHistoryText(historyPath), historyPath, (p) =>
    problems.push(p),
  );
  return { entries, problems };
}

/**
 * What this process last wrote to each history file: the length of the text, its hash and its
 * lines. A save finds its own earlier text at the start of the file and parses only what others
 * appended since: parsing a 10 MB history took 0.6 s, on every save.
 */
const written = new Map<string, { length: number; hash: string; lines: number }>();

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The problems of `text`, the history file's, skipping the part this process wrote and checked. */
function historyProblems(historyPath: string, text: string): Problem[] {
  const problems: Problem[] = [];
  const known = written.get(historyPath);
  if (known && text.length >= known.length && hashOf(text.slice(0, known.length)) === known.hash) {
    const tail = text.slice(known.length);
    // The copied header stands on the line before the tail, the last this process wrote.
    if (tail !== '')
      parseLabelHistory(`${HISTORY_COLUMNS.join(',')}\n${tail}`, historyPath, (p) => problems.push(p), known.lines - 1);
  } else parseLabelHistory(text, historyPath, (p) => problems.push(p));
  return problems;
}

/**
 * Refuses a change when the history file `historyPath` is damaged (a merge conflict left in it,
 * a line cut short): its line would go after lines no reader can read, and the change would be
 * made without a readable record. Nothing is written; the error names the first problem's line.
 */
function refuseDamaged(historyPath: string, problems: readonly Problem[]): void {
  const first = problems[0];
  if (first === undefined) return;
  throw new HarnessError(
    'E_HISTORY',
    `${first.file}:${first.line}:${first.column}: ${first.message}. The label history is damaged (a merge conflict left in it?), so no change is made and nothing was written: fix ${problems.length === 1 ? 'that line' : `its ${problems.length} problems (harness validate lists them)`} and try again`,
    problems,
  );
}

/** Throws the error of {@link refuseDamaged} when the history file `historyPath` is damaged. */
export async function checkLabelHistory(historyPath: string): Promise<void> {
  refuseDamaged(historyPath, historyProblems(historyPath, await readHistoryText(historyPath)));
}

/**
 * Appends `entries` to the history file `historyPath` (created with its header) in one atomic
 * write; a damaged history is refused first (checkLabelHistory). The caller holds the labels
 * file's lock (withFileLock), as for the labels file itself.
 */
export async function appendLabelHistory(
  historyPath: string,
  entries: readonly HistoryEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  let text = await readHistoryText(historyPath);
  refuseDamaged(historyPath, historyProblems(historyPath, text));
  if (text === '') text = `${HISTORY_COLUMNS.join(',')}\n`;
  else if (!text.endsWith('\n')) text += '\n';
  const lines = entries.map((e) =>
    [
      e.changed_at,
      e.labeler,
      e.source,
      e.system_id,
      e.before ? JSON.stringify(e.before) : '',
      e.after ? JSON.stringify(e.after) : '',
    ]
      .map(csvField)
      .join(','),
  );
  const next = `${text}${lines.join('\n')}\n`;
  await writeFileAtomic(historyPath, next);
  written.set(historyPath, { length: next.length, hash: hashOf(next), lines: countLines(next) });
}

/** The line number of the line after the last of `text` (which ends with a newline). */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
