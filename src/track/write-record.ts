import { createHash } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { deferSignals, removeOnExit } from '../exit-signals.ts';
import {
  fsyncDir,
  makeDir,
  removeLeftovers,
  writeFileAtomic,
  writeFileDurable,
} from '../data/index.ts';
import { resultsJsonText } from '../report/index.ts';
import type { RunResult } from '../runner/types.ts';
import { buildRunRecord } from './build-record.ts';
import { readGitState } from './git-state.ts';
import { newRunId } from './run-id.ts';
import { formatScoresCsv } from './scores-file.ts';
import type { RunRecord } from './types.ts';

/** Where and how `harness run` records a run. */
export interface RecordOptions {
  /** The run store, `<runsDir>/<run_id>/` (the config's `runsDir`). */
  readonly runsDir: string;
  /** The project root (git is asked here; paths in the record are relative to it). */
  readonly root: string;
  readonly configFile: string | null;
  /** The CLI arguments after `harness run`. */
  readonly argv: readonly string[];
  /** Folders the harness writes itself (out, cache, runs): not "uncommitted changes". */
  readonly ownDirs: readonly string[];
}

/** A record on disk. */
export interface RecordedRun {
  readonly runId: string;
  /** `<runsDir>/<run_id>`, absolute. */
  readonly dir: string;
  readonly record: RunRecord;
}

/**
 * Name prefix of the folder a record is written into before it is renamed into place,
 * `.staging-<pid>-<run_id>`: the writer's pid says whether it is still at work. `listRuns`
 * skips it.
 */
export const STAGING_PREFIX = '.staging-';

/** A staging folder's name; group 1 is its writer's pid. */
const STAGING_NAME = /^\.staging-(\d+)-\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/**
 * Writes the run's record: run.json, results.json (byte for byte what the json reporter writes)
 * and one scores CSV per scored case. Everything goes into a staging folder inside runsDir,
 * which one rename then moves into place (a rename is atomic within a file system), so a reader
 * sees the whole record or none of it. On failure the staging folder is removed and the error
 * rethrown.
 */
export async function recordRun(run: RunResult, options: RecordOptions): Promise<RecordedRun> {
  const runId = newRunId(run.startedAt);
  const [git, configHash] = await Promise.all([
    readGitState(options.root, options.ownDirs),
    options.configFile ? sha256File(options.configFile) : null,
  ]);
  const { record, scores } = buildRunRecord(run, {
    runId,
    root: options.root,
    argv: options.argv,
    git,
    config: {
      file: options.configFile
        ? path.relative(options.root, options.configFile).split(path.sep).join('/')
        : null,
      hash: configHash,
    },
  });
  const dir = path.join(options.runsDir, runId);
  const staging = path.join(options.runsDir, `${STAGING_PREFIX}${process.pid}-${runId}`);
  // The staging folders of writers killed with -9 (a whole record each) stayed for good.
  await removeLeftovers(options.runsDir, STAGING_NAME);
  const done = removeOnExit(staging);
  await makeDir(staging);
  try {
    // Each file is flushed before the rename, and the rename after it: a power cut must not leave
    // a record in place whose run.json is empty (the rename reaching the disk before the data).
    const folders = new Set([staging]);
    await writeFileDurable(path.join(staging, 'results.json'), resultsJsonText(run));
    for (const [file, s] of scores) {
      folders.add(path.dirname(path.join(staging, file)));
      await makeDir(path.dirname(path.join(staging, file)));
      await writeFileDurable(path.join(staging, file), formatScoresCsv(s));
    }
    await writeFileDurable(path.join(staging, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
    for (const folder of folders) await fsyncDir(folder);
    await rename(staging, dir);
    await fsyncDir(options.runsDir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  } finally {
    done();
  }
  return { runId, dir, record };
}

/**
 * Brings a record in place up to the run's last verdict: an error that came after the run was
 * recorded (an exception from a plugin's timer while the record was written, a reporter that
 * failed rendering the run again) makes the run exit 2, and the history must not keep it as the
 * green run it was when recorded (`harness runs`, `harness compare` and `load_results` read it).
 * results.json is written anew, and run.json's exit code with it; each file is replaced whole.
 */
export async function amendRecord(dir: string, run: RunResult): Promise<void> {
  const runJson = path.join(dir, 'run.json');
  const record = JSON.parse(await readFile(runJson, 'utf8')) as RunRecord;
  // A signal waits for both: a Ctrl+C between the two left results.json at exit 2, run.json at 0.
  await deferSignals(async () => {
    await writeFileAtomic(path.join(dir, 'results.json'), resultsJsonText(run));
    await writeFileAtomic(
      runJson,
      `${JSON.stringify({ ...record, exit_code: run.summary.exitCode }, null, 2)}\n`,
    );
  });
}

async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}
