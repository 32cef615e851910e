import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../../errors.ts';
import type { MlflowSettings } from './settings.ts';
import { readTrackingState } from './tracking-state.ts';
import { uploadRunRecord, type UploadOptions, type UploadResult } from './upload.ts';

/** What `harness runs sync` did. */
export interface SyncResult {
  /** Run folders that needed an upload, in run-id (= time) order. */
  readonly pending: number;
  readonly results: readonly UploadResult[];
  /** Folders that could not be read as run records (each with the reason); they are skipped, not fatal. */
  readonly broken: readonly { readonly runDir: string; readonly error: string }[];
  /** Pending folders not tried because the server had stopped answering. */
  readonly notTried: readonly string[];
  /** Every pending folder was uploaded completely and none was broken. */
  readonly ok: boolean;
  readonly message: string;
  /** Tracking settings that are ignored (MLFLOW_EXPERIMENT_NAME), to print as warnings. */
  readonly warnings: readonly string[];
}

/**
 * Uploads every run folder under `runsDir` whose tracking.json is missing, failed, or about
 * another server (`settings.uri`): what `harness runs sync` does after a run could not reach the
 * server. Oldest first; each upload is resumable (see uploadRunRecord). When the server cannot be
 * reached at all, the remaining folders are left for the next sync instead of each waiting
 * through its own retries.
 */
export async function syncPendingRuns(
  runsDir: string,
  options: UploadOptions,
): Promise<SyncResult> {
  const pending: string[] = [];
  const broken: { runDir: string; error: string }[] = [];
  const found = await runFolders(runsDir);
  // A runs dir that does not exist is a mistyped --runs-dir (`.harnes/runs`) far more often
  // than a project that never ran: "nothing to sync" with exit 0 left the real store unsynced.
  if (found === null)
    return {
      pending: 0,
      results: [],
      broken: [],
      notTried: [],
      ok: false,
      warnings: options.settings.warnings,
      message: `no runs folder ${path.relative(process.cwd(), runsDir) || '.'}: nothing was synced (is --runs-dir right? runs are recorded in the config's runsDir, .harness/runs by default)`,
    };
  const folders = found;
  for (const dir of folders) {
    try {
      if (await needsUpload(dir, options.settings)) pending.push(dir);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      broken.push({ runDir: dir, error: err.message });
    }
  }
  const results: UploadResult[] = [];
  let next = 0;
  for (; next < pending.length; next++) {
    let r: UploadResult;
    try {
      r = await uploadRunRecord(pending[next]!, options);
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      broken.push({ runDir: pending[next]!, error: err.message });
      continue;
    }
    results.push(r);
    if (r.unreachable) {
      next++;
      break;
    }
  }
  const notTried = pending.slice(next);
  const ok =
    broken.length === 0 && notTried.length === 0 && results.every((r) => r.status === 'synced');
  return {
    pending: pending.length,
    results,
    broken,
    notTried,
    ok,
    warnings: options.settings.warnings,
    message:
      folders.length === 0
        ? // not "every run is tracked": a mistyped --runs-dir must not read as done
          `nothing to sync: no runs recorded in ${path.relative(process.cwd(), runsDir) || '.'}`
        : messageOf(pending.length, results, broken, notTried.length, options.settings),
  };
}

/**
 * Folders below `runsDir` that hold a run.json, sorted by name (run ids sort by start time);
 * null when `runsDir` does not exist.
 * Dot-folders are not runs: `.staging-<pid>-<run_id>` holds a whole record just before its
 * rename (or until the next record, when its writer was killed), and `harness runs` does not
 * list them either.
 */
async function runFolders(runsDir: string): Promise<string[] | null> {
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const dirs: string[] = [];
  for (const e of entries
    .filter((x) => x.isDirectory() && !x.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const files = await readdir(path.join(runsDir, e.name));
    if (files.includes('run.json')) dirs.push(path.join(runsDir, e.name));
  }
  return dirs;
}

async function needsUpload(dir: string, settings: MlflowSettings): Promise<boolean> {
  const state = await readTrackingState(dir);
  return state?.mlflow?.uri !== settings.uri.base || state.mlflow.status !== 'synced';
}

function messageOf(
  pending: number,
  results: readonly UploadResult[],
  broken: SyncResult['broken'],
  notTried: number,
  settings: MlflowSettings,
): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const lines: string[] = [];
  if (pending === 0 && broken.length === 0)
    lines.push(`nothing to sync: every recorded run is tracked at ${settings.uri.base}`);
  for (const r of results) lines.push(`${r.runId}: ${r.message}`);
  if (notTried > 0)
    lines.push(`${plural(notTried, 'more run')} left for the next sync: the server did not answer`);
  for (const b of broken)
    lines.push(`skipped ${path.relative(process.cwd(), b.runDir) || '.'}: ${b.error}`);
  // The last line a CI log shows says that the store is not all on the server (exit 2).
  const failed = results.filter((r) => r.status !== 'synced').length;
  const left = [
    failed > 0 ? `${plural(failed, 'run')} failed` : null,
    broken.length > 0 ? `${plural(broken.length, 'run')} skipped` : null,
    notTried > 0 ? `${plural(notTried, 'run')} not tried` : null,
  ].filter((x) => x !== null);
  if (left.length > 0)
    lines.push(
      `not every run is synced to ${settings.uri.base}: ${left.join(', ')} (above); run \`harness runs sync\` again once that is fixed`,
    );
  return lines.join('\n');
}
