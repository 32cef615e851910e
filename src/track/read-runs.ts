/**
 * Reading the run store: the list of recorded runs and the files of one run. A record the
 * harness cannot read (damaged, or written by a later schema) is reported, never half-used.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../errors.ts';
import type { ResultsJson } from '../report/index.ts';
import { checkRecord, checkResults } from './record-check.ts';
import { readTrackingState } from './mlflow/tracking-state.ts';
import { parseScoresCsv, type StoredScores } from './scores-file.ts';
import { RUN_RECORD_SCHEMA, type RunRecord, type TrackingState } from './types.ts';

/** One recorded run: its folder, run.json and tracking.json (null until an upload was tried). */
export interface StoredRun {
  readonly dir: string;
  readonly record: RunRecord;
  readonly tracking: TrackingState | null;
  /** Set when tracking.json is damaged (`tracking` is then null): what is wrong with it. The run's tracking status is unknown. */
  readonly trackingError?: string;
}

/** The runs of a store, newest first, and the folders that looked like runs but could not be read. */
export interface RunList {
  readonly runsDir: string;
  readonly runs: readonly StoredRun[];
  readonly unreadable: readonly { readonly dir: string; readonly reason: string }[];
  /** Runs listed with a damaged tracking.json (their `tracking` is null): what is wrong with it. */
  readonly warnings: readonly string[];
}

/**
 * Every recorded run in `runsDir`, newest first (by start time, then id). A missing runsDir is
 * an empty store. Staging folders of a record being written (or of a crashed writer) and other
 * dot-folders are skipped; a folder whose run.json is missing or unreadable is listed in
 * `unreadable` with the reason.
 */
export async function listRuns(runsDir: string): Promise<RunList> {
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { runsDir, runs: [], unreadable: [], warnings: [] };
    throw new HarnessError(
      'E_RUN_STORE',
      `${runsDir}: the run store cannot be read (${(err as Error).message})`,
    );
  }
  const runs: StoredRun[] = [];
  const unreadable: { dir: string; reason: string }[] = [];
  const warnings: string[] = [];
  for (const e of entries) {
    // Dot-folders include the staging folders of records being written (write-record.ts).
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dir = path.join(runsDir, e.name);
    let record: RunRecord;
    try {
      record = await readRunRecord(dir);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      unreadable.push({ dir, reason: err.message });
      continue;
    }
    // tracking.json only says what reached MLflow: a damaged one must not hide the run (which
    // would make `latest` another run, and `compare --fail-on-drop` judge older ones).
    let tracking: TrackingState | null = null;
    let trackingError: string | undefined;
    try {
      tracking = await readTrackingState(dir);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      trackingError = err.message;
      warnings.push(`${err.message}; the run is listed, its tracking status unknown`);
    }
    runs.push({ dir, record, tracking, ...(trackingError !== undefined ? { trackingError } : {}) });
  }
  runs.sort(
    (a, b) =>
      cmp(b.record.started_at, a.record.started_at) || cmp(b.record.run_id, a.record.run_id),
  );
  return { runsDir, runs, unreadable, warnings };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A run's run.json; a HarnessError (exit 2) when it is missing, not JSON, of another schema, or
 * misses a field the commands read (named with its path: `suites[0].cases must be a list`).
 */
export async function readRunRecord(dir: string): Promise<RunRecord> {
  const file = path.join(dir, 'run.json');
  const parsed = await readJson(file, 'run.json');
  const r = parsed as Partial<RunRecord> | null;
  if (
    typeof r === 'object' &&
    r !== null &&
    !Array.isArray(r) &&
    'schema' in r &&
    r.schema !== RUN_RECORD_SCHEMA
  ) {
    throw new HarnessError(
      'E_RUN_STORE',
      `${file}: record schema ${String(r.schema)}, this harness reads schema ${RUN_RECORD_SCHEMA}`,
    );
  }
  return checkRecord(parsed, file);
}

/** A run's results.json (what the json reporter wrote), checked field by field (record-check.ts). */
export async function readRunResults(dir: string): Promise<ResultsJson> {
  const file = path.join(dir, 'results.json');
  return checkResults(await readJson(file, 'results.json'), file);
}

/** A case's scores file as read: its rows, and its bytes (the uploader logs them as they are). */
export interface ScoresFile extends StoredScores {
  readonly bytes: Uint8Array;
}

/** What results.json counts for a scored case: its scored systems and, of them, the anomalies. */
export interface CountedCase {
  readonly n: number;
  readonly positives?: number;
}

/** One case's scores, by the `scores_file` its CaseRecord names. */
export async function readCaseScores(dir: string, scoresFile: string): Promise<ScoresFile> {
  const file = path.resolve(dir, scoresFile);
  if (path.relative(dir, file).startsWith('..'))
    throw new HarnessError(
      'E_RUN_STORE',
      `${path.join(dir, 'run.json')}: scores_file "${scoresFile}" lies outside the run folder`,
    );
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EMFILE' || code === 'ENFILE') throw err;
    throw new HarnessError(
      'E_RUN_STORE',
      `${file}: the record's scores cannot be read (${code ?? (err as Error).message})`,
    );
  }
  return { ...parseScoresCsv(bytes.toString('utf8'), file), bytes };
}

/**
 * A scored case's scores, which must be the systems results.json counts for the case (`n`,
 * `positives`): a file cut at a row boundary parses, and a reader took the run for one on other
 * systems (compare tested it unpaired and let a drop pass; the uploader drew charts from it).
 * Every reader of a scored case's scores goes through here.
 */
export async function readScoredCaseScores(
  dir: string,
  scoresFile: string,
  counted: CountedCase,
): Promise<ScoresFile> {
  const stored = await readCaseScores(dir, scoresFile);
  checkRowCounts(stored, counted, path.resolve(dir, scoresFile));
  return stored;
}

/** Parsed JSON; with `optional`, undefined for a missing file. Any other failure is a HarnessError naming the file. */
async function readJson(file: string, what: string, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return undefined;
    // Out of descriptors is not a damaged record: callers that list a damaged run and go on
    // (overviewOf) must not list sound runs without their results (the CLI names the limit).
    if (code === 'EMFILE' || code === 'ENFILE') throw err;
    throw new HarnessError(
      'E_RUN_STORE',
      code === 'ENOENT'
        ? `${file}: missing (not a recorded run)`
        : `${file}: ${what} cannot be read (${code ?? (err as Error).message})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HarnessError(
      'E_RUN_STORE',
      `${file}: ${what} is not valid JSON (${(err as Error).message})`,
    );
  }
}

/** A run with everything `compareRuns` reads: run.json, results.json and the scores of every scored case. */
export interface LoadedRun {
  readonly record: RunRecord;
  readonly results: ResultsJson;
  /** Keyed by {@link caseKey}. */
  readonly scores: ReadonlyMap<string, StoredScores>;
}

/** The key of one case (suite × model) in {@link LoadedRun.scores}. */
export const caseKey = (suite: string, model: string): string => `${suite}\u0000${model}`;

/** Reads a stored run's results.json and score files (checked by {@link readScoredCaseScores}). */
export async function loadRun(run: StoredRun): Promise<LoadedRun> {
  const results = await readRunResults(run.dir);
  const scores = new Map<string, StoredScores>();
  for (const s of run.record.suites) {
    for (const c of s.cases) {
      if (c.scores_file === null) continue;
      const counted = results.suites
        .find((r) => r.name === s.name)
        ?.cases.find((r) => r.model === c.model);
      const stored =
        counted?.state === 'scored'
          ? await readScoredCaseScores(run.dir, c.scores_file, counted)
          : await readCaseScores(run.dir, c.scores_file);
      scores.set(caseKey(s.name, c.model), stored);
    }
  }
  return { record: run.record, results, scores };
}

/** A HarnessError naming `file` when its rows are not the systems results.json counts for its case. */
function checkRowCounts(stored: StoredScores, counted: CountedCase, file: string): void {
  const rows = stored.systemIds.length;
  const anomalies = stored.y.reduce((sum, y) => sum + y, 0);
  const why =
    rows !== counted.n
      ? `${rows} row(s), but results.json counts n = ${counted.n} scored systems for this case`
      : typeof counted.positives === 'number' && anomalies !== counted.positives
        ? `${anomalies} anomaly row(s), but results.json counts ${counted.positives} for this case`
        : null;
  if (why !== null)
    throw new HarnessError(
      'E_RUN_STORE',
      `${file}: ${why}: the file was cut short or edited; restore it, or remove the run`,
    );
}
