/**
 * `<outDir>/run-record.json`: names the run record of the last recorded run, so a reader of the
 * out dir (`bess_harness.load_results`) finds that run's per-system scores after a plain
 * `harness run`, which writes no results.json there unless the json reporter is on.
 *
 *   { "schema": 1, "run_id": "20261126T153012Z-3f9a1c", "started_at": "…", "record": "../runs/20261126T153012Z-3f9a1c" }
 *
 * `record` is the record folder relative to the out dir ('/' separators; absolute when no
 * relative path exists). It names the last run that was *recorded*: a later run with
 * `--no-history` leaves it as it was, and a reader compares `started_at` with the out dir's
 * results.json to tell which is newer.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../data/index.ts';

/** The pointer's file name inside the out dir. */
export const RECORD_POINTER_FILE = 'run-record.json';

/** Version of the pointer's layout. */
export const RECORD_POINTER_SCHEMA = 1;

/** The pointer as written. */
export interface RecordPointer {
  readonly schema: typeof RECORD_POINTER_SCHEMA;
  readonly run_id: string;
  readonly started_at: string;
  /** The record folder, relative to the out dir. */
  readonly record: string;
}

/** Writes `<outDir>/run-record.json` (atomically) naming the record in `recordDir`. */
export async function writeRecordPointer(
  outDir: string,
  recordDir: string,
  run: { readonly runId: string; readonly startedAt: string },
): Promise<RecordPointer> {
  const rel = path.relative(outDir, recordDir);
  const pointer: RecordPointer = {
    schema: RECORD_POINTER_SCHEMA,
    run_id: run.runId,
    started_at: run.startedAt,
    record: path.isAbsolute(rel) ? rel : rel.split(path.sep).join('/'),
  };
  await writeFileAtomic(
    path.join(outDir, RECORD_POINTER_FILE),
    `${JSON.stringify(pointer, null, 2)}\n`,
  );
  return pointer;
}

/**
 * Whether a file starting with `head` is a pointer the harness wrote (its first two fields), not
 * a file of the user's own named run-record.json: only the former is removed as stale.
 */
export function isRecordPointer(head: string): boolean {
  return /^\{\s*"schema":\s*\d+,\s*"run_id":/.test(head);
}

/**
 * The run id `<outDir>/run-record.json` names, or null when there is no pointer there (or no
 * pointer the harness wrote): which recorded run the out dir describes now.
 */
export async function pointedRunId(outDir: string): Promise<string | null> {
  const text = await readFile(path.join(outDir, RECORD_POINTER_FILE), 'utf8').catch(() => null);
  if (text === null || !isRecordPointer(text)) return null;
  try {
    const runId = (JSON.parse(text) as { run_id?: unknown }).run_id;
    return typeof runId === 'string' ? runId : null;
  } catch {
    return null;
  }
}
