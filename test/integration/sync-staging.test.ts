/**
 * `harness runs sync` and the staging folder of a record being written (`.staging-<pid>-<run_id>`,
 * write-record.ts): it holds a whole record once run.json is in, just before the rename. Sync
 * used to take it for a run: it uploaded a run the history does not list (a writer killed
 * before its rename), or raced a `harness run` still writing it (its tracking.json re-creating
 * the staging folder after the rename). Now it skips dot-folders, as `harness runs` does.
 */
import { readdir, rename, writeFile } from 'node:fs/promises';
import { closedPort } from '../helpers/mlflow-server.ts';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syncPendingRuns } from '../../src/track/mlflow/index.ts';
import { lockPathOf } from '../../src/data/file-lock.ts';
import { mlflowSettings } from '../../src/track/mlflow/settings.ts';
import { STAGING_PREFIX } from '../../src/track/write-record.ts';
import { tempDir } from '../helpers/run-harness.ts';
import { syntheticRun, writeRunFolder } from '../helpers/run-record.ts';

describe('harness runs sync and staging folders', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> } | undefined;
  afterEach(async () => tmp?.cleanup());

  it('leaves a staging folder alone: it is no recorded run (yet)', async () => {
    tmp = await tempDir('sync-staging-');
    const runsDir = path.join(tmp.dir, 'runs');
    const done = await writeRunFolder(runsDir, syntheticRun(), '/project');
    const staging = path.join(runsDir, `${STAGING_PREFIX}${path.basename(done)}`);
    await rename(done, staging);
    const settings = mlflowSettings(
      { configFile: null, tracking: { mlflow: { uri: null } } },
      { MLFLOW_TRACKING_URI: await closedPort(), MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' },
    )!;
    const r = await syncPendingRuns(runsDir, { settings });
    expect(r).toMatchObject({ pending: 0, results: [], broken: [], notTried: [], ok: true });
    expect((await readdir(staging)).sort()).toEqual(['results.json', 'run.json', 'scores']);
    expect(r.message).toBe(
      `nothing to sync: no runs recorded in ${path.relative(process.cwd(), runsDir)}`,
    );
    // A run being uploaded by another live process (its lock beside the folder) is not uploaded
    // a second time: a sync during the run's own upload created every MLflow run twice.
    const ready = await writeRunFolder(runsDir, syntheticRun(), '/project');
    await writeFile(lockPathOf(path.join(ready, 'tracking.json')), `${process.ppid} other\n`);
    const locked = await syncPendingRuns(runsDir, { settings });
    expect(locked.ok).toBe(false);
    expect(locked.results).toEqual([]);
    expect(locked.broken).toEqual([
      { runDir: ready, error: expect.stringContaining(`is locked by process ${process.ppid}`) },
    ]);
    // A runs dir that does not exist (a mistyped --runs-dir) is not "nothing to sync": exit 2.
    const none = await syncPendingRuns(path.join(tmp.dir, 'nowhere'), { settings });
    expect(none.ok).toBe(false);
    expect(none.message).toBe(
      `no runs folder ${path.relative(process.cwd(), path.join(tmp.dir, 'nowhere'))}: nothing was synced (is --runs-dir right? runs are recorded in the config's runsDir, .harness/runs by default)`,
    );
  });
});
