import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../data/index.ts';
import { HarnessError } from '../../errors.ts';
import { checkTracking, recordError } from '../record-check.ts';
import type { TrackingState } from '../types.ts';

/** The `mlflow` section of tracking.json. */
export type MlflowTracking = NonNullable<TrackingState['mlflow']>;
/** One (suite, model) that reached the server. */
export type TrackedRun = MlflowTracking['runs'][number];

export const TRACKING_FILE = 'tracking.json';

/**
 * tracking.json of a run folder, or null when no upload was ever tried. A file that cannot be
 * read, is not JSON, or misses a field the readers use (`mlflow.runs must be a list`) is an
 * E_RUN_RECORD HarnessError naming the file and the field: `harness runs` then shows the run's
 * tracking status as unknown, and `harness runs sync` skips the run and goes on with the others.
 */
export async function readTrackingState(runDir: string): Promise<TrackingState | null> {
  const file = path.join(runDir, TRACKING_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw recordError(file, `cannot be read (${code ?? String(err)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (err) {
    throw recordError(
      file,
      `is not valid JSON (${(err as Error).message}); delete the file to upload the run again`,
    );
  }
  return checkTracking(raw, file);
}

/**
 * Replaces tracking.json atomically: a crash mid-write leaves the previous state, never half a file.
 * A file system that refuses it (a full disk) is an E_TRACKING HarnessError naming the file: the
 * upload stops there and reports tracking failed, instead of an internal error that ended
 * `harness run` with exit 2 whatever its verdict.
 */
export async function writeTrackingState(runDir: string, state: TrackingState): Promise<void> {
  const file = path.join(runDir, TRACKING_FILE);
  try {
    await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
    throw new HarnessError(
      'E_TRACKING',
      `${file} could not be written (${(err as Error).message}); the MLflow runs made so far are found again by the next \`harness runs sync\``,
    );
  }
}
