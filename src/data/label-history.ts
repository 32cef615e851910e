/**
 * The history of a labels file: `labels.history.csv` beside it, one line per change of a row
 * (`before` and `after` as the full rows in JSON; `before` empty for a new row). Every writer of
 * labels appends to it: the label app for each save, `harness import --labels` for the rows it
 * replaces. It is written before the labels file, so a crash between the two leaves a history
 * line for a change the labels file lacks, never a change without its line.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { csvField } from './csv-write.ts';
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

/**
 * Appends `entries` to the history file `historyPath` (created with its header) in one atomic
 * write. The caller holds the labels file's lock (withFileLock), as for the labels file itself.
 */
export async function appendLabelHistory(
  historyPath: string,
  entries: readonly HistoryEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  let text = await readFile(historyPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
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
  await writeFileAtomic(historyPath, `${text}${lines.join('\n')}\n`);
}
