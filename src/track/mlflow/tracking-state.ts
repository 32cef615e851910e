import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../data/index.ts';
import { HarnessError } from '../../errors.ts';
import type { TrackingState } from '../types.ts';

/** The `mlflow` section of tracking.json. */
export type MlflowTracking = NonNullable<TrackingState['mlflow']>;
/** One (suite, model) that reached the server. */
export type TrackedRun = MlflowTracking['runs'][number];

export const TRACKING_FILE = 'tracking.json';

/** tracking.json of a run folder, or null when no upload was ever tried. */
export async function readTrackingState(runDir: string): Promise<TrackingState | null> {
  const file = path.join(runDir, TRACKING_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const state = JSON.parse(text) as unknown;
    if (typeof state === 'object' && state !== null && !Array.isArray(state))
      return state as TrackingState;
  } catch {
    // reported below
  }
  throw new HarnessError(
    'E_RUN_RECORD',
    `${file}: not a tracking state (JSON object); delete it to upload the run again`,
    [{ file, line: 0, column: 0, message: 'not a JSON object' }],
  );
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
